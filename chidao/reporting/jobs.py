"""Background jobs of periodic reporting (django.tasks; run at once by the ImmediateBackend)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.audit import services as audit
from chidao.org.models import Unit
from chidao.reporting import queries, services
from chidao.reporting.models import Period, ReportForm

REMINDED_ROLES = (AccessRole.SECRETARIAT, AccessRole.COMMITTEE_ADMIN)


@task
def send_reminders(form_id: int, period_id: int, parent_id: int, actor_id: int | None = None) -> int:
    """Nhắc nhở: e-mail the secretariat of each unit under `parent` that has not sent `form` for
    `period`; returns the number of messages sent."""
    form = ReportForm.objects.get(pk=form_id)
    period = Period.objects.get(pk=period_id)
    parent = Unit.objects.get(pk=parent_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    missing = queries.completeness(form, period, parent).missing
    recipients: dict[int, set[str]] = {}
    grants = RoleGrant.objects.filter(unit__in=missing, role__in=REMINDED_ROLES, user__is_active=True).exclude(
        user__email=""
    )
    for unit_id, email in grants.values_list("unit_id", "user__email"):
        recipients.setdefault(unit_id, set()).add(email)
    due = services.due_date(form, period)
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
