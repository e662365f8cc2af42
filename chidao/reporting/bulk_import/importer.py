"""Checking an edited bulk export row by row against the database, then writing it.

Rules, in the order they are checked: the unit by code within the user's scope (an unknown code and
one out of scope get the same message, so a file cannot probe for units), the period by its label
for the form's periodicity and calendar, the indicator by code in the report's form version, no
duplicate (unit, period, indicator); then who may write: an editor's role on the unit, an editable
report (draft, returned, or none yet and the unit assigned the form). Rows equal to what is stored
count as unchanged; a value compared with a stored one is parsed here with `services.parse_value`
and `services.check_range`, the others by `services.save_values_batch` itself, one call per
period, in one transaction. When anything fails, every value is checked so that every error is
listed, and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from chidao.lib import periods
from chidao.lib.text import fold
from chidao.org.models import Unit, UnitClosure
from chidao.org.scope import grant_unit_ids
from chidao.reporting import excel, queries, services
from chidao.reporting.bulk_import.sheet import ImportFailed, Sheet, open_sheet
from chidao.reporting.models import DataValue, FormField, Period, Report, ReportForm, ValueType

if TYPE_CHECKING:
    from chidao.accounts.models import User

MAX_ROWS = 200_000
MAX_COMMENT = 500
# Rows of the IN lists of one query: SQLite accepts 32,766 parameters.
QUERY_CHUNK = 5000

# Roles of the columns, found by their (folded) header.
UNIT, PERIOD, INDICATOR, VALUE, COMMENT = "unit", "period", "indicator", "value", "comment"
HEADERS = {
    UNIT: "Mã đơn vị",
    PERIOD: "Kỳ báo cáo",
    INDICATOR: "Mã chỉ tiêu",
    VALUE: "Giá trị",
    COMMENT: "Ghi chú",
}
ROLE_BY_HEADER = {fold(text): role for role, text in HEADERS.items()}


@dataclass
class Result:
    """What an import did: rows read, values changed, rows equal to what was stored, reports written."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    reports: int = 0


@dataclass
class _Slot:
    """One period of the file: its label and the Period row, or the span of one not created yet."""

    label: str
    period: Period | None
    span: periods.Span | None = None
    index: int = 0


@dataclass
class _Changes:
    """One unit's changed values for one period, and where they came from. Values not compared with
    a stored one are passed on unparsed: `services.save_values_batch` parses them (`unparsed`)."""

    unit: Unit
    first_row: int
    values: dict[int, Any] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    rows: dict[int, int] = field(default_factory=dict)  # indicator id -> row
    unparsed: dict[int, FormField] = field(default_factory=dict)


class _Problems:
    """Errors as (row, column, message), told in row order once all are known."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.found: list[tuple[int, int, str]] = []
        self.general: list[str] = []

    def add(self, row: int, column: int, message: str) -> None:
        self.found.append((row, column, message))

    def __bool__(self) -> bool:
        return bool(self.found or self.general)

    def fail(self) -> ImportFailed:
        self.found.sort(key=lambda problem: (problem[0], problem[1]))
        shown = self.found[: excel.MAX_ERRORS]  # ImportFailed counts the rest
        located = [excel.locate(self.sheet, row, column, message) for row, column, message in shown]
        return ImportFailed([*self.general, *located], total=len(self.general) + len(self.found))


def _chunked[T](items: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == QUERY_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _code(value: Any) -> str:
    return _text(value).upper()


def _same(value: Any) -> Any:
    return value


def _label_key(label: str) -> str:
    return re.sub(r"\s*/\s*", "/", fold(label))


@transaction.atomic
def import_values(*, actor: User, data: bytes, form: ReportForm, period: Period | None = None) -> Result:
    """Check every row of an edited bulk export of `form` and write the changed values: all or
    nothing. `period`: the period of rows whose "Kỳ báo cáo" is empty (and the only one allowed).

    Raises ImportFailed listing every problem by sheet, row and column."""
    if period is not None and period.kind not in {form.periodicity, periods.Kind.CUSTOM}:
        raise ValidationError({"period": _("Kỳ đã chọn không phải loại kỳ của biểu mẫu này.")})
    sheet = open_sheet(data)
    problems = _Problems(sheet.title)
    columns = _columns(sheet, problems, period_chosen=period is not None)
    if problems:
        raise problems.fail()
    result = Result()
    rows = _read_rows(sheet, columns, problems, result)
    if problems.general:  # too many rows: not worth checking
        raise problems.fail()
    importer = _Importer(actor, form, period, columns, problems, result)
    groups = importer.check(rows)
    if not problems:
        importer.save(groups)
    if problems:
        # The transaction is rolled back; list the errors of values the service did not reach.
        importer.check_unparsed(groups)
        raise problems.fail()
    return result


def _columns(sheet: Sheet, problems: _Problems, *, period_chosen: bool) -> dict[str, int]:
    found: dict[str, int] = {}
    for column, value in sorted(sheet.header().items()):
        role = ROLE_BY_HEADER.get(fold(_text(value)))
        if role is None:
            continue
        if role in found:
            problems.add(
                1,
                column,
                _("cột “%(name)s” lặp lại (đã có ở cột %(col)s).")
                % {"name": HEADERS[role], "col": get_column_letter(found[role])},
            )
        else:
            found[role] = column
    required = [UNIT, INDICATOR, VALUE] + ([] if period_chosen else [PERIOD])
    missing = [HEADERS[r] for r in required if r not in found]
    if missing:
        problems.general.append(
            _("Sheet “%(sheet)s”, dòng 1: thiếu cột %(names)s. Hãy dùng tệp xuất từ trang Xuất số liệu.")
            % {"sheet": sheet.title, "names": ", ".join(f"“{m}”" for m in missing)}
        )
    return found


# A row as read: (row number, unit code, period label, indicator code, raw value, comment or None).
type _Row = tuple[int, str, str, str, Any, str | None]


def _read_rows(sheet: Sheet, columns: dict[str, int], problems: _Problems, result: Result) -> list[_Row]:
    roles = (UNIT, PERIOD, INDICATOR, VALUE, COMMENT)
    present = [r for r in roles if r in columns]
    clean = {UNIT: _text, PERIOD: _text, INDICATOR: _code, VALUE: _same, COMMENT: _text}
    cells = sheet.rows([columns[r] for r in present], [clean[r] for r in present])
    if len(present) < len(roles):  # no period or comment column: fill their places
        where = [present.index(r) if r in present else None for r in roles]
        fillers = {PERIOD: "", COMMENT: None}
        cells = (
            (n, tuple(row[i] if i is not None else fillers[r] for i, r in zip(where, roles, strict=True)))
            for n, row in cells
        )
    rows: list[_Row] = []
    for number, (unit, label, indicator, value, comment) in cells:
        if number > MAX_ROWS + 1:
            problems.general.append(
                _("Sheet “%(sheet)s” có quá %(n)s dòng; hãy chia thành nhiều tệp.")
                % {"sheet": sheet.title, "n": MAX_ROWS}
            )
            break
        if not (unit and indicator):
            if not (unit or indicator or label or comment or not _blank(value)):
                continue
            if not unit:
                problems.add(number, columns[UNIT], _("thiếu mã đơn vị."))
            if not indicator:
                problems.add(number, columns[INDICATOR], _("thiếu mã chỉ tiêu."))
        if comment is not None and len(comment) > MAX_COMMENT:
            problems.add(number, columns[COMMENT], _("ghi chú dài quá %(n)s ký tự.") % {"n": MAX_COMMENT})
        rows.append((number, unit, label, indicator, value, comment))
    result.rows = len(rows)
    return rows


def _blank(value: Any) -> bool:
    """What `services.parse_value` reads as no value, for any value type."""
    return value is None or (isinstance(value, str) and not value.strip())


class _Importer:
    """The checks of one file against the database, then the writes."""

    def __init__(
        self,
        actor: User,
        form: ReportForm,
        period: Period | None,
        columns: dict[str, int],
        problems: _Problems,
        result: Result,
    ) -> None:
        self.actor = actor
        self.form = form
        self.period = period
        self.columns = columns
        self.problems = problems
        self.result = result
        self.slots: list[_Slot] = []

    # -- references ------------------------------------------------------------------------------

    def _units(self, codes: set[str]) -> tuple[dict[str, Unit], set[int]]:
        """Visible units by code (as written and upper-cased), and the ids the actor may edit."""
        wanted = codes | {c.upper() for c in codes}
        found: dict[str, Unit] = {}
        for batch in _chunked(sorted(wanted)):
            for unit in Unit.objects.visible_to(self.actor).filter(code__in=batch):
                found[unit.code] = unit
        by_code = {c: found.get(c) or found.get(c.upper()) for c in codes}
        units = {c: u for c, u in by_code.items() if u is not None}
        ids = sorted({u.pk for u in units.values()})
        if self.actor.is_superuser:
            return units, set(ids)
        # The rule `services.save_values_batch` applies: an editor's grant on the unit or above it.
        granted = grant_unit_ids(self.actor, minimum_role=services.EDITOR)
        editable: set[int] = set()
        for id_batch in _chunked(ids):
            editable.update(
                UnitClosure.objects.filter(ancestor_id__in=granted, descendant_id__in=id_batch).values_list(
                    "descendant_id", flat=True
                )
            )
        return units, editable

    def _slots(self, labels: set[str]) -> dict[str, _Slot]:
        """Each label's period, for the form's periodicity and calendar; missing: not a period of it."""
        if self.period is not None:
            chosen = _Slot(self.period.label, self.period)
            self.slots.append(chosen)
            key = _label_key(self.period.label)
            return {label: chosen for label in labels if not label or _label_key(label) == key}
        form = self.form
        if form.periodicity == periods.Kind.CUSTOM:
            custom: dict[str, list[Period]] = {}
            for candidate in Period.objects.filter(kind=periods.Kind.CUSTOM):
                custom.setdefault(_label_key(candidate.label), []).append(candidate)
            resolved = {}
            for label in labels:
                matches = custom.get(_label_key(label), [])
                if len(matches) == 1:
                    resolved[label] = _Slot(matches[0].label, matches[0])
            self._number(resolved.values())
            return resolved
        years = {int(y) for label in labels for y in re.findall(r"\d{4}", label) if 1900 <= int(y) <= 2100}
        spans = {
            _label_key(span.label): span
            for year in years
            for span in periods.spans_of_year(form.periodicity, year, form.calendar)
        }
        stored = {
            (p.year, p.number, p.start, p.end): p
            for p in Period.objects.filter(kind=form.periodicity, calendar=form.calendar, year__in=years)
        }
        by_span: dict[periods.Span, _Slot] = {}
        resolved = {}
        for label in labels:
            span = spans.get(_label_key(label))
            if span is None:
                continue
            if span not in by_span:
                by_span[span] = _Slot(span.label, stored.get((span.year, span.number, span.start, span.end)), span)
            resolved[label] = by_span[span]
        self._number(by_span.values())
        return resolved

    def _number(self, slots: Iterable[_Slot]) -> None:
        for slot in slots:
            slot.index = len(self.slots)
            self.slots.append(slot)

    def _period_message(self, label: str) -> str:
        if self.period is not None:
            return _("kỳ “%(label)s” khác kỳ đã chọn “%(chosen)s”.") % {"label": label, "chosen": self.period.label}
        if not label:
            return _("thiếu kỳ báo cáo.")
        if self.form.periodicity == periods.Kind.CUSTOM:
            return _(
                "không có kỳ báo cáo nào tên “%(label)s” (hoặc có nhiều kỳ trùng tên); hãy chọn kỳ khi tải lên."
            ) % {"label": label}
        example = periods.spans_of_year(self.form.periodicity, 2026, self.form.calendar)[0].label
        return _("“%(label)s” không phải kỳ báo cáo của biểu mẫu này (viết như “%(example)s”).") % {
            "label": label,
            "example": example,
        }

    # -- the checks --------------------------------------------------------------------------------

    def check(self, rows: list[_Row]) -> dict[int, dict[int, _Changes]]:
        """Changed values by slot and unit id; every problem goes to `self.problems`."""
        problems, columns, form = self.problems, self.columns, self.form
        units, editable = self._units({r[1] for r in rows if r[1]})
        slots = self._slots({r[2] for r in rows})
        period_ids = [s.period.pk for s in self.slots if s.period is not None]
        reports: dict[tuple[int, int], Report] = {}
        slot_of_period = {s.period.pk: s.index for s in self.slots if s.period is not None}
        unit_ids = sorted({u.pk for u in units.values()})
        if period_ids:
            for batch in _chunked(unit_ids):
                for stored in (
                    Report.objects.filter(form=form, period_id__in=period_ids, unit_id__in=batch)
                    .only("id", "unit_id", "period_id", "version_id", "status", "revision")
                    .order_by("revision")
                ):
                    # The newest revision is the one written, as in `services.save_values_batch`.
                    reports[(stored.unit_id, slot_of_period[stored.period_id])] = stored
        current = form.current_version()
        version_ids = {r.version_id for r in reports.values()} | ({current.pk} if current else set())
        fields: dict[int, dict[str, FormField]] = {v: {} for v in version_ids}
        for one in FormField.objects.filter(section__version_id__in=version_ids).select_related("indicator", "section"):
            fields[one.section.version_id][one.indicator.code.upper()] = one
        existing: dict[tuple[int, int], tuple[Decimal | None, str, str]] = {}
        for batch in _chunked(sorted(r.pk for r in reports.values())):
            values = DataValue.objects.filter(report_id__in=batch).values_list(
                "report_id", "indicator_id", "value", "text", "comment"
            )
            existing.update(((v[0], v[1]), (v[2], v[3], v[4])) for v in values)

        unit_column, value_column = columns[UNIT], columns[VALUE]
        period_column = columns.get(PERIOD, unit_column)
        indicator_column = columns[INDICATOR]
        no_fields: dict[str, FormField] = {}
        current_fields = fields.get(current.pk, no_fields) if current else no_fields
        seen: dict[tuple[int, int, int], int] = {}
        groups: dict[int, dict[int, _Changes]] = {}
        unversioned = False
        changed = unchanged = 0
        # Rows come grouped by unit and period: their references are looked up once per group.
        last: tuple[str, str] | None = None
        failure: tuple[int, str] | None = None
        unit, slot, report, by_code, bucket = Unit(), _Slot("", None), None, no_fields, {}
        for number, code, label, indicator_code, raw, comment in rows:
            if (code, label) != last:
                last, failure = (code, label), None
                found_unit, found_slot = units.get(code), slots.get(label)
                if found_unit is None:
                    message = _("không có đơn vị mã “%(code)s” trong phạm vi của bạn.") % {"code": code}
                    failure = (unit_column, message if code else "")  # no code: told when read
                elif found_slot is None:
                    failure = (period_column, self._period_message(label))
                else:
                    unit, slot = found_unit, found_slot
                    report = reports.get((unit.pk, slot.index))
                    by_code = fields[report.version_id] if report is not None else current_fields
                    bucket = groups.setdefault(slot.index, {})
            if failure is not None:
                if failure[1]:
                    problems.add(number, *failure)
                continue
            form_field = by_code.get(indicator_code)
            if form_field is None:
                if report is None and current is None:
                    unversioned = True
                elif indicator_code:
                    problems.add(
                        number,
                        indicator_column,
                        _("mã chỉ tiêu “%(code)s” không có trong biểu mẫu.") % {"code": indicator_code},
                    )
                continue
            indicator_id = form_field.indicator_id
            key = (unit.pk, slot.index, indicator_id)
            if key in seen:
                problems.add(
                    number,
                    indicator_column,
                    _("chỉ tiêu “%(code)s” của %(unit)s, kỳ “%(period)s” lặp lại (đã có ở dòng %(row)s).")
                    % {"code": indicator_code, "unit": unit.code, "period": slot.label, "row": seen[key]},
                )
                continue
            seen[key] = number
            before = existing.get((report.pk, indicator_id)) if report is not None else None
            if before is None:
                # Nothing stored: any value or comment is a change, parsed by the service.
                if _blank(raw) and not comment:
                    unchanged += 1
                    continue
                value = raw
            else:
                try:
                    parsed, text = services.parse_value(form_field.indicator, raw)
                    services.check_range(form_field, parsed)
                except ValidationError as exc:
                    problems.add(number, value_column, " ".join(exc.messages))
                    continue
                if (parsed, text, before[2] if comment is None else comment) == before:
                    unchanged += 1
                    continue
                value = text if form_field.indicator.value_type == ValueType.TEXT else parsed
            changed += 1
            changes = bucket.get(unit.pk)
            if changes is None:
                changes = bucket[unit.pk] = _Changes(unit, number)
            changes.values[indicator_id] = value
            if before is None:
                changes.unparsed[indicator_id] = form_field
            if comment is not None:
                changes.comments[indicator_id] = comment
            changes.rows[indicator_id] = number
        self.result.changed, self.result.unchanged = changed, unchanged
        if unversioned:
            problems.general.append(_("Biểu mẫu chưa được ban hành."))
        groups = {index: bucket for index, bucket in groups.items() if bucket}
        self._check_reports(groups, reports, editable)
        return groups

    def check_unparsed(self, groups: dict[int, dict[int, _Changes]]) -> None:
        """Errors of the values left to the service, for a file that is refused anyway: every error
        is listed, not only those of the first group the service checked."""
        reported = {(row, column) for row, column, _message in self.problems.found}
        column = self.columns[VALUE]
        for changed in groups.values():
            for changes in changed.values():
                for indicator_id, form_field in changes.unparsed.items():
                    row = changes.rows[indicator_id]
                    if (row, column) in reported:
                        continue
                    try:
                        number = services.parse_value(form_field.indicator, changes.values[indicator_id])[0]
                        services.check_range(form_field, number)
                    except ValidationError as exc:
                        self.problems.add(row, column, " ".join(exc.messages))

    def _check_reports(
        self, groups: dict[int, dict[int, _Changes]], reports: dict[tuple[int, int], Report], editable: set[int]
    ) -> None:
        """Who may write what: the editor's role, an editable report, or an assignment for a new one."""
        problems, unit_column, value_column = self.problems, self.columns[UNIT], self.columns[VALUE]
        for index, changed in groups.items():
            slot = self.slots[index]
            new = []
            for unit_id, changes in changed.items():
                unit = changes.unit
                report = reports.get((unit_id, index))
                if unit_id not in editable:
                    problems.add(
                        changes.first_row,
                        unit_column,
                        _("bạn không có quyền nhập số liệu của %(unit)s (%(n)s dòng có thay đổi).")
                        % {"unit": unit.name, "n": len(changes.rows)},
                    )
                elif report is None:
                    new.append(changes)
                elif not report.is_editable:
                    problems.add(
                        changes.first_row,
                        value_column,
                        _(
                            "báo cáo kỳ “%(period)s” của %(unit)s đang ở trạng thái “%(status)s”, không sửa được "
                            "(%(n)s dòng có thay đổi)."
                        )
                        % {
                            "period": slot.label,
                            "unit": unit.name,
                            "status": report.get_status_display(),
                            "n": len(changes.rows),
                        },
                    )
            if not new:
                continue
            period = self._period_of(slot)
            assigned = set(
                queries.expected_units(self.form, period)
                .filter(pk__in=[c.unit.pk for c in new])
                .values_list("pk", flat=True)
            )
            for changes in new:
                if changes.unit.pk not in assigned:
                    problems.add(
                        changes.first_row,
                        unit_column,
                        _("%(unit)s không thuộc diện phải gửi biểu mẫu này kỳ “%(period)s”.")
                        % {"unit": changes.unit.name, "period": slot.label},
                    )

    def _period_of(self, slot: _Slot) -> Period:
        if slot.period is None:
            span = slot.span
            if span is None:  # only slots resolved from a label lack a Period row, and they have a span
                raise RuntimeError(slot.label)
            slot.period = services.ensure_period(span.kind, span.year, span.number, span.calendar)
        return slot.period

    # -- the writes --------------------------------------------------------------------------------

    def save(self, groups: dict[int, dict[int, _Changes]]) -> None:
        """One `services.save_values_batch` per period; its errors are placed on their rows."""
        for index in sorted(groups, key=lambda i: self._period_of(self.slots[i]).start):
            changed = groups[index]
            entries = [services.Entry(unit=c.unit, values=c.values, comments=c.comments) for c in changed.values()]
            try:
                services.save_values_batch(
                    actor=self.actor, form=self.form, period=self._period_of(self.slots[index]), entries=entries
                )
            except PermissionDenied as exc:
                self.problems.general.append(str(exc))
                return
            except ValidationError as exc:
                self._located(exc, changed)
                return
            self.result.reports += len(entries)

    def _located(self, exc: ValidationError, changed: dict[int, _Changes]) -> None:
        """The service's errors ("<unit code>", "<unit code>.v<indicator id>") placed on their rows."""
        if not hasattr(exc, "error_dict"):
            self.problems.general.extend(exc.messages)
            return
        by_code = {c.unit.code: c for c in changed.values()}
        for key, messages in exc.message_dict.items():
            code, _dot, rest = key.partition(".")
            changes = by_code.get(code)
            for message in messages:
                if changes is None:
                    self.problems.general.append(message)
                elif rest.startswith("v") and rest[1:].isdigit() and int(rest[1:]) in changes.rows:
                    self.problems.add(changes.rows[int(rest[1:])], self.columns[VALUE], message)
                else:
                    self.problems.add(changes.first_row, self.columns[UNIT], message)
