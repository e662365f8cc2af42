"""Importing a committee's member list from XLSX or CSV: all rows valid, or nothing saved.

Columns (header row, any order, with or without diacritics): Họ và tên, Chức vụ, Vai trò,
Tổ/nhóm, Từ ngày, Quyết định. A person already managed in the committee's unit subtree with the
same name is reused; otherwise a new person record is created under the committee's unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chidao.lib.text import fold
from chidao.org import services
from chidao.org.models import Committee, Membership, Person, Role, Unit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chidao.accounts.models import User

COLUMNS = {
    "ho va ten": "full_name",
    "chuc vu": "position",
    "vai tro": "role",
    "to/nhom": "group",
    "to, nhom": "group",
    "tu ngay": "start_date",
    "quyet dinh": "decision",
}
REQUIRED = ("full_name", "role", "start_date")
LABELS = {
    "full_name": "Họ và tên",
    "position": "Chức vụ",
    "role": "Vai trò",
    "group": "Tổ/nhóm",
    "start_date": "Từ ngày",
    "decision": "Quyết định",
}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _read_rows(upload: UploadedFile[Any]) -> list[list[Any]]:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFailed([_("Tệp lớn hơn 5 MB.")])
    data = upload.read()
    name = (upload.name or "").lower()
    if data[:2] == b"PK":
        if not name.endswith(".xlsx"):
            raise ImportFailed([_("Tệp nén không phải bảng tính XLSX.")])
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ImportFailed([_("Không đọc được tệp XLSX: tệp hỏng hoặc không đúng định dạng.")]) from exc
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    if not name.endswith(".csv"):
        raise ImportFailed([_("Chỉ nhận tệp .xlsx hoặc .csv.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([_("Tệp CSV phải dùng bảng mã UTF-8.")]) from exc
    return list(csv.reader(io.StringIO(text)))


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007  # a calendar date, no time zone
        except ValueError:
            continue
    return None


def role_by_label() -> dict[str, str]:
    """Role values by their Vietnamese label (folded) and by value: files carry Vietnamese headers
    and labels whatever language the importing user has chosen."""
    with translation.override("vi"):
        labels = {fold(str(role.label)): role.value for role in Role}
    return labels | {role.value: role.value for role in Role}


@transaction.atomic
def import_members(*, actor: User, committee: Committee, upload: UploadedFile[Any]) -> list[Membership]:
    rows = _read_rows(upload)
    if not rows:
        raise ImportFailed([_("Tệp không có dữ liệu.")])
    header = [COLUMNS.get(fold(str(cell or ""))) for cell in rows[0]]
    missing = [LABELS[c] for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed([_("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}])
    if len(rows) > MAX_ROWS + 1:
        raise ImportFailed([_("Tệp có quá %(n)s dòng.") % {"n": MAX_ROWS}])
    subtree = Unit.objects.subtree_of(committee.unit).values("id")
    groups = {fold(g.name): g for g in committee.groups.all()}
    roles = role_by_label()
    errors: list[str] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in raw):
            continue
        values = {key: raw[i] for i, key in enumerate(header) if key and i < len(raw)}
        row: dict[str, Any] = {}

        def err(column: str, message: str, number: int = number) -> None:
            errors.append(
                _("Dòng %(row)s, cột “%(col)s”: %(msg)s") % {"row": number, "col": LABELS[column], "msg": message}
            )

        row["full_name"] = str(values.get("full_name") or "").strip()
        if not row["full_name"]:
            err("full_name", _("không được để trống."))
        role_text = fold(str(values.get("role") or ""))
        row["role"] = roles.get(role_text)
        if row["role"] is None:
            err(
                "role",
                _("vai trò “%(v)s” không hợp lệ.") % {"v": values.get("role") or ""},
            )
        row["start_date"] = _parse_date(values.get("start_date"))
        if row["start_date"] is None:
            err(
                "start_date",
                _("ngày “%(v)s” không hợp lệ (dùng dd/mm/yyyy).") % {"v": values.get("start_date") or ""},
            )
        group_name = fold(str(values.get("group") or ""))
        row["group"] = groups.get(group_name) if group_name else None
        if group_name and row["group"] is None:
            err(
                "group",
                _("Ban Chỉ đạo chưa có tổ, nhóm “%(v)s”.") % {"v": values.get("group")},
            )
        row["position"] = str(values.get("position") or "").strip()
        row["decision"] = str(values.get("decision") or "").strip()
        parsed.append((number, row))
    if errors:
        raise ImportFailed(errors)
    if not parsed:
        raise ImportFailed([_("Tệp không có dòng dữ liệu nào.")])

    created: list[Membership] = []
    for number, row in parsed:
        person = Person.objects.filter(unit__in=subtree, name_folded=fold(row["full_name"])).first()
        try:
            if person is None:
                person = services.create_person(
                    actor=actor,
                    unit=committee.unit,
                    full_name=row["full_name"],
                    titles=row["position"],
                )
            created.append(
                services.appoint_member(
                    actor=actor,
                    committee=committee,
                    person=person,
                    role=row["role"],
                    group=row["group"],
                    position=row["position"],
                    start_date=row["start_date"],
                    decision=row["decision"],
                )
            )
        except ValidationError as exc:
            errors.extend(_("Dòng %(row)s: %(msg)s") % {"row": number, "msg": m} for m in exc.messages)
    if errors:
        raise ImportFailed(errors)
    return created
