"""The report workflow (TRANSITIONS) and reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.org.models import Unit
from chidao.org.scope import require_role
from chidao.reporting.models import (
    TRANSITIONS,
    DataValue,
    Narrative,
    Period,
    Report,
    ReportForm,
    Status,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User


from chidao.reporting.services.catalogue import due_date
from chidao.reporting.services.common import EDITOR
from chidao.reporting.services.entry import validate_report
from chidao.reporting.services.rollup import numeric_values, roll_up, roll_up_new

# --- workflow --------------------------------------------------------------------------------


def _transition(actor: User, report: Report, target: str) -> None:
    who = TRANSITIONS.get((report.status, target))
    if who is None:
        raise ValidationError(
            {
                "status": _("Không thể chuyển báo cáo từ “%(from)s” sang “%(to)s”.")
                % {"from": report.get_status_display(), "to": Status(target).label}
            }
        )
    if who == "unit":
        require_role(actor, report.unit, EDITOR)
    else:
        require_role(actor, report.unit.parent or report.unit, EDITOR)


def _lock_for_transition(actor: User, report: Report, target: str) -> Report:
    """The report re-read under a row lock (the caller's copy may be stale), checked against
    TRANSITIONS and the actor's role."""
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit__parent", "form", "period")
        .order_by()  # the model's default ordering would cost PostgreSQL ~4 ms of planning per call
        .get(pk=report.pk)
    )
    _transition(actor, locked, target)
    return locked


@transaction.atomic
def submit_report(*, actor: User, report: Report) -> Report:
    report = _lock_for_transition(actor, report, Status.SUBMITTED)
    errors = validate_report(report)
    if errors:
        raise ValidationError(errors)
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.returned_reason = ""
    report.save(update_fields=["status", "submitted_at", "submitted_by", "returned_reason", "updated_at"])
    audit.record(actor=actor, action="reporting.report.submitted", target=report, unit=report.unit)
    return report


@transaction.atomic
def return_report(*, actor: User, report: Report, reason: str) -> Report:
    report = _lock_for_transition(actor, report, Status.RETURNED)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại.")})
    report.status = Status.RETURNED
    report.returned_reason = reason.strip()
    report.save(update_fields=["status", "returned_reason", "updated_at"])
    audit.record(
        actor=actor, action="reporting.report.returned", target=report, unit=report.unit, changes={"reason": reason}
    )
    return report


@transaction.atomic
def approve_report(*, actor: User, report: Report) -> Report:
    """Approve and roll the figures up to every ancestor, in this transaction."""
    report = _lock_for_transition(actor, report, Status.APPROVED)
    replaced = None
    if not report.is_current:
        replaced = Report.objects.select_for_update(of=("self",)).get(
            form=report.form_id, unit=report.unit_id, period=report.period_id, is_current=True
        )
        replaced.is_current = False
        replaced.status = Status.SUPERSEDED
        replaced.save(update_fields=["is_current", "status", "updated_at"])
        report.is_current = True
    report.status = Status.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = actor
    report.save(update_fields=["status", "is_current", "approved_at", "approved_by", "updated_at"])
    # The audit entry first: its lane lock is rarely contended, while the country's aggregate
    # rows, which every approval of the period needs, are locked by the roll-up's last rows and
    # are then held only until the commit.
    audit.record(
        actor=actor,
        action="reporting.report.approved",
        target=report,
        unit=report.unit,
        changes={"replaces": replaced.pk} if replaced else {},
    )
    if replaced is None:
        roll_up_new(report, at=report.approved_at)
    else:
        roll_up(report, added=numeric_values(report), removed=numeric_values(replaced), at=report.approved_at)
    return report


@transaction.atomic
def start_correction(*, actor: User, report: Report, reason: str) -> Report:
    """A new revision of an approved report, copied for editing; the approved one stays in force
    (and in the roll-up) until the correction is approved."""
    require_role(actor, report.unit, EDITOR)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do điều chỉnh.")})
    current = Report.objects.select_for_update(of=("self",)).get(
        form=report.form_id, unit=report.unit_id, period=report.period_id, is_current=True
    )
    if current.status != Status.APPROVED:
        raise ValidationError(_("Chỉ điều chỉnh báo cáo đã được duyệt."))
    if Report.objects.filter(
        form=report.form_id, unit=report.unit_id, period=report.period_id, revision__gt=current.revision
    ).exists():
        raise ValidationError(_("Báo cáo đang có một lần điều chỉnh chưa duyệt."))
    correction = Report.objects.create(
        form=current.form,
        version=current.version,
        unit=current.unit,
        period=current.period,
        revision=current.revision + 1,
        is_current=False,
        due_date=current.due_date,
        correction_reason=reason.strip(),
        created_by=actor,
    )
    DataValue.objects.bulk_create(
        DataValue(
            report=correction,
            indicator_id=v.indicator_id,
            value=v.value,
            text=v.text,
            comment=v.comment,
            updated_by=actor,
        )
        for v in current.values.all()
    )
    Narrative.objects.bulk_create(
        Narrative(report=correction, section_id=n.section_id, text=n.text) for n in current.narratives.all()
    )
    audit.record(
        actor=actor,
        action="reporting.report.correction_started",
        target=correction,
        unit=correction.unit,
        changes={"reason": reason},
    )
    return correction


# --- reminders -------------------------------------------------------------------------------

REMINDED_ROLES = ("secretariat", "committee_admin")


@transaction.atomic
def send_reminders(*, actor: User | None, form: ReportForm, period: Period, parent: Unit) -> int:
    """E-mail the secretariat of each unit under `parent` that has not sent `form` for `period`;
    returns the number of units reminded. Units without an e-mail address are listed in the audit
    entry so the sender can call them."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from chidao.accounts.models import RoleGrant
    from chidao.reporting import queries

    if actor is not None:
        require_role(actor, parent, EDITOR)
    missing = queries.completeness(form, period, parent).missing
    recipients: dict[int, set[str]] = {}
    grants = RoleGrant.objects.filter(unit__in=missing, role__in=REMINDED_ROLES, user__is_active=True).exclude(
        user__email=""
    )
    for unit_id, email in grants.values_list("unit_id", "user__email"):
        recipients.setdefault(unit_id, set()).add(email)
    due = due_date(form, period)
    sent: list[int] = []
    for unit in missing:
        if unit.pk not in recipients:
            continue
        subject = _("[chidao] Nhắc nộp báo cáo: %(form)s — %(period)s") % {"form": form.name, "period": period.label}
        body = _(
            "Kính gửi bộ phận thư ký %(unit)s,\n\n"
            "Đến nay %(unit)s chưa gửi %(form)s (%(code)s) kỳ %(period)s; hạn nộp là ngày %(due)s.\n"
            "Đề nghị đồng chí nhập và gửi báo cáo trên hệ thống chidao, mục “Việc phải nộp” (%(path)s).\n\n"
            "%(parent)s"
        ) % {
            "unit": unit.name,
            "form": form.name,
            "code": form.code,
            "period": period.label,
            "due": f"{due:%d/%m/%Y}",
            "path": reverse("reporting:owed"),
            "parent": parent.name,
        }
        send_mail(subject, body, None, sorted(recipients[unit.pk]))
        sent.append(unit.pk)
    audit.record(
        actor=actor,
        action="reporting.reminder.sent",
        target=form,
        unit=parent,
        changes={
            "period": period.label,
            "units": sent,
            "without_email": [u.pk for u in missing if u.pk not in sent],
        },
    )
    return len(sent)
