"""Background jobs of task follow-up (django.tasks: immediate in the embedded default,
django-tasks-db workers in production). Jobs parse their arguments and call a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.tasks import task

from chidao.tasks import services


@task
def send_task_reminders(day: str | None = None) -> dict[str, Any]:
    """The daily reminder run (idempotent); `day` is an ISO date, today when omitted."""
    result = services.send_reminders(today=dt.date.fromisoformat(day) if day else None)
    return {
        "day": result.day.isoformat(),
        "reminders": result.reminders,
        "notifications": result.notifications,
        "emails": result.emails,
    }


@task
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail event notifications just created (sent once each, whatever the retries)."""
    return services.email_notifications(notification_ids)
