"""Loading the administrative units from the `vietnam-provinces` package.

Current units (34 provinces, 3,321 communes) are valid from 1 July 2025, the date the two-level
local government took effect (Nghị quyết 202/2025/QH15, Luật Tổ chức chính quyền địa phương 2025;
the package's conversion tables carry the same date). The pre-reform units (63 provinces,
696 districts, 10,051 communes) are kept as history, valid until 30 June 2025, each linked to its
successor: a province to the province it merged into, a district (abolished) to the new province
that holds its territory, a commune to the first new commune its area went to.

Idempotent: units are matched by code; a second run changes nothing and writes no audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from chidao.audit import services as audit
from chidao.lib.text import fold
from chidao.org.models import Unit, UnitKind
from chidao.org.services import rebuild_closure
from chidao.org.signals import units_moved

if TYPE_CHECKING:
    from chidao.accounts.models import User

REFORM_DATE = dt.date(2025, 7, 1)
LAST_PRE_REFORM_DAY = REFORM_DATE - dt.timedelta(days=1)
ROOT_CODE = "VN"


def province_code(code: int) -> str:
    return f"P{code:02d}"


def commune_code(code: int) -> str:
    return f"W{code:05d}"


def old_province_code(code: int) -> str:
    return f"OP{code:02d}"


def old_district_code(code: int) -> str:
    return f"OD{code:03d}"


def old_commune_code(code: int) -> str:
    return f"OW{code:05d}"


@dataclass
class Row:
    code: str
    name: str
    kind: str
    division_type: str
    official_code: int | None
    parent_code: str | None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor_code: str | None = None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closure_rows: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _division(value: Any) -> str:
    return str(getattr(value, "value", value))


def source_rows(*, include_history: bool = True) -> list[Row]:
    """Rows in parent-before-child order."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces._province_conversion_2025 import (
        OLD_TO_NEW as PROVINCE_OLD_TO_NEW,
    )
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARD_OLD_TO_NEW

    rows = [Row(ROOT_CODE, "Việt Nam", UnitKind.NATIONAL, "", None, None)]
    for p in Province.iter_all():
        rows.append(
            Row(
                province_code(p.code.value),
                p.name,
                UnitKind.PROVINCE,
                _division(p.division_type),
                p.code.value,
                ROOT_CODE,
                REFORM_DATE,
            )
        )
    for w in Ward.iter_all():
        rows.append(
            Row(
                commune_code(w.code.value),
                w.name,
                UnitKind.COMMUNE,
                _division(w.division_type),
                w.code.value,
                province_code(w.province_code.value),
                REFORM_DATE,
            )
        )
    if not include_history:
        return rows

    from vietnam_provinces.legacy import District as OldDistrict
    from vietnam_provinces.legacy import Province as OldProvince
    from vietnam_provinces.legacy import Ward as OldWard

    old_province_successor: dict[int, str] = {}
    for op in OldProvince.iter_all():
        entry = PROVINCE_OLD_TO_NEW.get(op.code.value)
        successor = province_code(entry.new_provinces[0].code) if entry and entry.new_provinces else None
        if successor:
            old_province_successor[op.code.value] = successor
        rows.append(
            Row(
                old_province_code(op.code.value),
                op.name,
                UnitKind.PROVINCE,
                _division(op.division_type),
                op.code.value,
                ROOT_CODE,
                None,
                LAST_PRE_REFORM_DAY,
                successor,
            )
        )
    for d in OldDistrict.iter_all():
        pcode = d.province_code.value
        rows.append(
            Row(
                old_district_code(d.code.value),
                d.name,
                UnitKind.DISTRICT,
                _division(d.division_type),
                d.code.value,
                old_province_code(pcode),
                None,
                LAST_PRE_REFORM_DAY,
                old_province_successor.get(pcode),
            )
        )
    for ow in OldWard.iter_all():
        ward_entry = WARD_OLD_TO_NEW.get(ow.code.value)
        successor = commune_code(ward_entry.new_wards[0].code) if ward_entry and ward_entry.new_wards else None
        rows.append(
            Row(
                old_commune_code(ow.code.value),
                ow.name,
                UnitKind.COMMUNE,
                _division(ow.division_type),
                ow.code.value,
                old_district_code(ow.district_code.value),
                None,
                LAST_PRE_REFORM_DAY,
                successor,
            )
        )
    return rows


FIELDS = [
    "name",
    "kind",
    "division_type",
    "official_code",
    "parent_id",
    "valid_from",
    "valid_until",
    "successor_id",
    "depth",
]


@transaction.atomic
def load_administrative_units(*, actor: User | None = None, include_history: bool = True) -> LoadResult:
    rows = source_rows(include_history=include_history)
    result = LoadResult()
    existing: dict[str, Unit] = {u.code: u for u in Unit.objects.filter(code__in=[r.code for r in rows])}
    ids: dict[str, int] = {code: u.pk for code, u in existing.items()}
    depth_of: dict[str, int] = {}

    # Pass 1: create or update, parents first.
    pending: list[tuple[Row, Unit]] = []
    to_update: list[Unit] = []
    moved: list[int] = []
    for level in _by_level(rows):
        new_units = []
        for row in level:
            depth_of[row.code] = 0 if row.parent_code is None else depth_of[row.parent_code] + 1
            values = {
                "name": row.name,
                "kind": row.kind,
                "division_type": row.division_type,
                "official_code": row.official_code,
                "parent_id": ids[row.parent_code] if row.parent_code else None,
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
                "depth": depth_of[row.code],
                # Current units come first, so a successor is nearly always known already.
                "successor_id": ids.get(row.successor_code) if row.successor_code else None,
            }
            unit = existing.get(row.code)
            if unit is None:
                unit = Unit(code=row.code, name_folded=fold(row.name), **values)
                new_units.append(unit)
            else:
                changed = [k for k, v in values.items() if getattr(unit, k) != v]
                if changed:
                    if "parent_id" in changed:
                        moved.append(unit.pk)
                    for k in changed:
                        setattr(unit, k, values[k])
                    unit.name_folded = fold(unit.name)
                    to_update.append(unit)
            pending.append((row, unit))
        Unit.objects.bulk_create(new_units, batch_size=2000)
        result.created += len(new_units)
        for unit in new_units:
            ids[unit.code] = unit.pk

    # Pass 2: successor links that pointed forward in pass 1.
    updated_pks = {u.pk for u in to_update}
    for row, unit in pending:
        successor_id = ids.get(row.successor_code) if row.successor_code else None
        if unit.successor_id != successor_id:
            unit.successor_id = successor_id
            if unit.pk not in updated_pks:
                to_update.append(unit)
                updated_pks.add(unit.pk)
    Unit.objects.bulk_update(to_update, [*FIELDS, "name_folded"], batch_size=2000)
    result.updated = len(to_update) - sum(1 for u in to_update if u.code not in existing)
    result.unchanged = len(rows) - result.created - result.updated

    if result.created or moved:
        result.closure_rows = rebuild_closure()
    if moved:
        units_moved.send(sender=Unit, unit_ids=moved)
    if result.created or result.updated:
        root = Unit.objects.get(code=ROOT_CODE)
        audit.record(
            actor=actor,
            action="org.units.loaded",
            target=root,
            unit=root,
            changes={
                "created": result.created,
                "updated": result.updated,
                "source": "vietnam-provinces",
            },
        )
    return result


def _by_level(rows: list[Row]) -> list[list[Row]]:
    levels: dict[str, int] = {}
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        level = 0 if row.parent_code is None else levels[row.parent_code] + 1
        levels[row.code] = level
        grouped.setdefault(level, []).append(row)
    return [grouped[k] for k in sorted(grouped)]
