"""The reminder job through a real django-tasks-db worker process, on PostgreSQL.

The test commits its rows (transactional_db) so the worker, a separate process connected to the
same test database, sees them; the worker writes e-mails as files for the test to read."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone

from chidao.tasks import jobs
from chidao.tasks.models import Notification, NotificationKind, ReminderKey
from tests.conftest import _world
from tests.tasks.conftest import _task_world, make_task

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _run_worker(mail_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.tasks.worker_settings",
        "PYTHONPATH": str(ROOT),
        "CHIDAO_TEST_MAIL_DIR": str(mail_dir),
    }
    chidao = Path(sys.executable).with_name("chidao")
    return subprocess.run(  # noqa: S603  # our own console script, fixed arguments
        [str(chidao), "db_worker", "--batch", "--no-startup-delay", "--queue-name", "default"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _subjects(mail_dir: Path) -> list[str]:
    subjects = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                subjects.append(str(make_header(decode_header(message_from_bytes(chunk.strip())["Subject"]))))
    return subjects


@pytest.mark.django_db(transaction=True)
def test_reminder_job_runs_in_a_db_worker_process(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the django-tasks-db worker test runs on PostgreSQL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    tw = _task_world(_world())
    today = timezone.localdate()
    task = make_task(tw, title="Báo cáo quý", due_date=today, lead_person=tw.person_a)

    result = jobs.send_task_reminders.enqueue(today.isoformat())
    assert result.status == TaskResultStatus.READY
    assert not ReminderKey.objects.exists()  # nothing runs until a worker takes the job

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    run = _run_worker(mail_dir)
    assert run.returncode == 0, run.stderr
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, run.stderr
    assert result.return_value == {"day": today.isoformat(), "reminders": 3, "notifications": 3, "emails": 3}
    assert set(ReminderKey.objects.values_list("task_id", "kind", "user__username")) == {
        (task.pk, NotificationKind.DUE_TODAY, "lead_person"),
        (task.pk, NotificationKind.DUE_TODAY, "commune_officer"),
        (task.pk, NotificationKind.DUE_TODAY, "province_admin"),
    }
    assert Notification.objects.filter(kind=NotificationKind.DUE_TODAY).count() == 3
    subjects = _subjects(mail_dir)
    # The same worker also sent the assignment's own e-mails (the job queued when it was given),
    # to the two on the lead side who have an address.
    assert (
        sorted(subjects) == ["[chidao] Nhiệm vụ đến hạn hôm nay: Báo cáo quý"] * 3 + ["[chidao] Được giao nhiệm vụ"] * 2
    )

    # The same job again, through the worker: the keys are there, nothing is sent twice.
    again = jobs.send_task_reminders.enqueue(today.isoformat())
    assert _run_worker(mail_dir).returncode == 0
    again.refresh()
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert again.return_value["reminders"] == 0
    assert len(_subjects(mail_dir)) == 5
    assert ReminderKey.objects.count() == 3
