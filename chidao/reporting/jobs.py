"""Background jobs of periodic reporting (django.tasks; run at once by the ImmediateBackend).

Jobs load ids and call a service; the rules live in services.py."""

from __future__ import annotations

from django.tasks import task

from chidao.accounts.models import User
from chidao.org.models import Unit
from chidao.reporting import services
from chidao.reporting.models import Period, ReportForm


@task
def send_reminders(form_id: int, period_id: int, parent_id: int, actor_id: int | None = None) -> int:
    """Nhắc nhở the units under `parent` that have not sent `form` for `period`."""
    return services.send_reminders(
        actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
        form=ReportForm.objects.get(pk=form_id),
        period=Period.objects.get(pk=period_id),
        parent=Unit.objects.get(pk=parent_id),
    )
