"""The daily reminder run: before the due date, on it, and once overdue, to the lead side and the
assigner, in-app and by e-mail (one message each, or one digest per user and day).

Rules:
- a reminder is keyed by (task, kind, due date, recipient) in `ReminderKey`, unique in the
  database; a run inserts the keys it owes with INSERT … SELECT … ON CONFLICT DO NOTHING, tagged
  with its run id, and sends exactly the keys it inserted. A second run the same day finds every
  key and sends nothing; two runs racing each other never send one reminder twice;
- catch-up: a run on day D owes every open task its current stage — overdue when due < D, due
  today when due = D, due soon when D < due ≤ D + the recipient's days — whatever days were
  missed before. A stage that a missed day would have sent but that has since been overtaken
  (a "due soon" for a task now overdue) is not sent: the later stage says more;
- recipients: the lead person's account, the secretariat and committee administrators of the
  lead unit (of its parent unit when the lead is an agency), and the user who assigned the task;
  inactive accounts get nothing; e-mail goes to those with an address who did not turn it off,
  one message per reminder, or one digest per person with the daily-digest setting or with more
  than DIGEST_AFTER reminders in the run (a catch-up must not flood an inbox);
- set-based: a fixed number of statements whatever the number of tasks (one INSERT per stage,
  recipient source and days setting, skipping sent keys with NOT EXISTS; one INSERT of
  notifications per kind), no query per task. The notification text is assembled in SQL from
  the translated sentence; e-mails are streamed from the run's keys.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.accounts.models import RoleGrant, User
from chidao.audit import services as audit
from chidao.org.models import Person, Unit, UnitKind
from chidao.tasks.models import (
    REMINDER_KINDS,
    Notification,
    NotificationKind,
    ReminderKey,
    ReminderPreference,
    ReminderRun,
    Task,
)
from chidao.tasks.services.common import ACTING_ROLES
from chidao.tasks.services.notifications import default_daily_digest, default_days_before

EMAIL_BATCH = 500


@dataclass
class ReminderResult:
    day: dt.date
    reminders: int = 0
    notifications: int = 0
    emails: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        suffix = " (dry run, rolled back)" if self.dry_run else ""
        return (
            f"task reminders for {self.day:%Y-%m-%d}: {self.reminders} reminders, "
            f"{self.notifications} notifications, {self.emails} e-mails{suffix}"
        )


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> dict[str, str]:
    return {
        "task": _q(Task._meta.db_table),
        "key": _q(ReminderKey._meta.db_table),
        "notification": _q(Notification._meta.db_table),
        "pref": _q(ReminderPreference._meta.db_table),
        "user": _q(User._meta.db_table),
        "grant": _q(RoleGrant._meta.db_table),
        "unit": _q(Unit._meta.db_table),
        "person": _q(Person._meta.db_table),
    }


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _sources() -> list[tuple[str, list[Any]]]:
    """(joins giving the recipient as `u`, their parameters) for each kind of recipient."""
    t = _tables()
    roles = ", ".join(["%s"] * len(ACTING_ROLES))
    return [
        (f"JOIN {t['person']} p ON p.id = t.lead_person_id JOIN {t['user']} u ON u.id = p.user_id", []),
        (
            f"JOIN {t['grant']} g ON g.unit_id = t.lead_unit_id AND g.role IN ({roles}) "
            f"JOIN {t['user']} u ON u.id = g.user_id",
            list(ACTING_ROLES),
        ),
        (
            f"JOIN {t['unit']} lu ON lu.id = t.lead_unit_id AND lu.kind = %s "
            f"JOIN {t['grant']} g ON g.unit_id = lu.parent_id AND g.role IN ({roles}) "
            f"JOIN {t['user']} u ON u.id = g.user_id",
            [UnitKind.AGENCY.value, *ACTING_ROLES],
        ),
        (f"JOIN {t['user']} u ON u.id = t.assigned_by_id", []),
    ]


def _stages(day: dt.date) -> list[tuple[str, str, str, list[Any]]]:
    """(kind, extra join, condition on t/u, parameters) for each stage owed on `day`."""
    t = _tables()
    stages: list[tuple[str, str, str, list[Any]]] = [
        (NotificationKind.OVERDUE, "", "t.due_date < %s", [_date(day)]),
        (NotificationKind.DUE_TODAY, "", "t.due_date = %s", [_date(day)]),
    ]
    default = default_days_before()
    chosen = set(ReminderPreference.objects.values_list("days_before", flat=True).distinct())
    for days in sorted((chosen | {default}) - {0}):
        stages.append(
            (
                NotificationKind.DUE_SOON,
                f"LEFT JOIN {t['pref']} pr ON pr.user_id = u.id",
                "t.due_date > %s AND t.due_date <= %s AND COALESCE(pr.days_before, %s) = %s",
                [_date(day), _date(day + dt.timedelta(days=days)), default, days],
            )
        )
    return stages


def _claim(run: uuid.UUID, day: dt.date) -> int:
    """Insert the keys owed on `day` and not sent yet, tagged with `run`; the number inserted."""
    t = _tables()
    run_value = ReminderKey._meta.get_field("run").get_db_prep_value(run, connection)
    inserted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # NOT EXISTS skips the keys already sent in one hash anti-join (a rerun then costs one
            # pass over the open tasks). Statistics of the key table lag behind its content (it is
            # empty before the first run, and each statement adds to it), and a nested loop would
            # scan the whole table once per candidate: forbid it for these statements.
            cursor.execute("SET LOCAL enable_nestloop = off")
        for kind, stage_join, condition, stage_params in _stages(day):
            for joins, join_params in _sources():
                # Only quoted table names and fixed fragments are interpolated; values are parameters.
                sql = (
                    f"INSERT INTO {t['key']} (task_id, kind, due_date, user_id, run, sent_on) "  # noqa: S608
                    f"SELECT t.id, %s, t.due_date, u.id, %s, %s FROM {t['task']} t {joins} {stage_join} "
                    f"WHERE t.completed_on IS NULL AND u.is_active = %s AND {condition} "
                    f"AND NOT EXISTS (SELECT 1 FROM {t['key']} k WHERE k.task_id = t.id AND k.kind = %s "
                    "AND k.due_date = t.due_date AND k.user_id = u.id) "
                    "ON CONFLICT DO NOTHING"
                )
                params = [str(kind), run_value, _date(day), *join_params, True, *stage_params, str(kind)]
                cursor.execute(sql, params)
                inserted += max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = on")
            if inserted:
                # The next statements join this run's keys; without fresh statistics the planner
                # believes the table still holds what it held at the last ANALYZE (often nothing)
                # and walks the tasks' index once per key: 5 s instead of 0.5 s at 400,000 keys.
                cursor.execute(f"ANALYZE {t['key']}")
    return inserted


TEXTS: dict[str, Callable[[], str]] = {
    NotificationKind.DUE_SOON: lambda: _("Nhiệm vụ “%(title)s” sắp đến hạn hoàn thành (hạn %(due)s)."),
    NotificationKind.DUE_TODAY: lambda: _("Hôm nay (%(due)s) là hạn hoàn thành nhiệm vụ “%(title)s”."),
    NotificationKind.OVERDUE: lambda: _("Nhiệm vụ “%(title)s” đã quá hạn (hạn %(due)s) mà chưa báo cáo hoàn thành."),
}


def _text_sql(template: str) -> tuple[str, list[Any]]:
    """The translated sentence as an SQL concatenation of its literal parts, the task's title and
    its due date in dd/mm/yyyy."""
    if connection.vendor == "postgresql":
        due = "to_char(k.due_date, 'DD/MM/YYYY')"
    elif connection.vendor == "sqlite":
        due = "strftime('%%d/%%m/%%Y', k.due_date)"
    else:  # pragma: no cover - chidao runs on SQLite and PostgreSQL
        raise NotImplementedError(connection.vendor)
    parts: list[str] = []
    params: list[Any] = []
    for piece in re.split(r"(%\((?:title|due)\)s)", template):
        if piece == "%(title)s":
            parts.append("t.title")
        elif piece == "%(due)s":
            parts.append(due)
        elif piece:
            parts.append("%s")
            params.append(piece)
    return "SUBSTR(" + " || ".join(parts) + ", 1, 1200)", params


def _notify(run: uuid.UUID) -> int:
    t = _tables()
    run_value = ReminderKey._meta.get_field("run").get_db_prep_value(run, connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    created = 0
    with connection.cursor() as cursor:
        for kind in REMINDER_KINDS:
            text, text_params = _text_sql(TEXTS[kind]())
            cursor.execute(  # quoted table names and fixed fragments only
                f"INSERT INTO {t['notification']} (user_id, task_id, kind, text, created_at, read_at) "  # noqa: S608
                f"SELECT k.user_id, k.task_id, k.kind, {text}, %s, NULL "
                f"FROM {t['key']} k JOIN {t['task']} t ON t.id = k.task_id WHERE k.run = %s AND k.kind = %s",
                [*text_params, now, run_value, str(kind)],
            )
            created += max(cursor.rowcount, 0)
    return created


def send_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> ReminderResult:
    """Run the reminders owed on `today` (default: today); safe to run any number of times."""
    day = today or timezone.localdate()
    run = uuid.uuid4()
    result = ReminderResult(day=day, dry_run=dry_run)
    with transaction.atomic():
        record = ReminderRun.objects.create(run=run, day=day, started_at=timezone.now())
        result.reminders = _claim(run, day)
        result.notifications = _notify(run) if result.reminders else 0
        record.reminders, record.notifications = result.reminders, result.notifications
        record.save(update_fields=["reminders", "notifications"])
        if result.reminders:
            audit.record(
                actor=None,
                action="tasks.reminders.sent",
                target=record,
                unit=None,
                changes={"day": f"{day}", "reminders": result.reminders, "notifications": result.notifications},
            )
        if dry_run:
            transaction.set_rollback(True)
            return result
    if result.reminders:
        result.emails = _email(run, day)
    ReminderRun.objects.filter(pk=record.pk).update(emails=result.emails, finished_at=timezone.now())
    return result


# --- e-mail ----------------------------------------------------------------------------------

# More reminders than this for one person in one run arrive as one digest even without the daily
# digest setting: a catch-up after missed days must not flood an inbox with hundreds of messages.
DIGEST_AFTER = 10
ORDER = (NotificationKind.OVERDUE, NotificationKind.DUE_TODAY, NotificationKind.DUE_SOON)


class _Row(NamedTuple):  # one key of the run with what its e-mail needs (a tuple: cheap to build)
    user_id: int
    email: str
    full_name: str
    username: str
    digest: bool | None
    kind: str
    task_id: int
    title: str
    due: dt.date
    lead_unit: str

    @property
    def name(self) -> str:
        return self.full_name or self.username


class _Letters:
    """The run's e-mails. Sentences are translated and URLs reversed once per run, not per line:
    a catch-up can hold hundreds of thousands of lines."""

    def __init__(self, day: dt.date) -> None:
        self.day = f"{day:%d/%m/%Y}"
        self.dates: dict[dt.date, str] = {}
        marker = 987654321
        self.detail = reverse("tasks:detail", args=[marker]).replace(str(marker), "{}")
        self.settings = reverse("tasks:preferences")
        # One str.format pattern for every line of the run (the translated sentence, braces escaped).
        self.line = _("- %(title)s — chủ trì: %(unit)s — hạn %(due)s — %(path)s").replace("{", "{{").replace(
            "}", "}}"
        ) % {"title": "{0}", "unit": "{1}", "due": "{2}", "path": self.detail.replace("{}", "{3}")}
        self.texts = {kind: make() for kind, make in TEXTS.items()}
        self.subjects = {
            NotificationKind.DUE_SOON: _("[chidao] Nhiệm vụ sắp đến hạn: %(title)s"),
            NotificationKind.DUE_TODAY: _("[chidao] Nhiệm vụ đến hạn hôm nay: %(title)s"),
            NotificationKind.OVERDUE: _("[chidao] Nhiệm vụ quá hạn: %(title)s"),
        }
        self.headings = {
            NotificationKind.OVERDUE: _("Nhiệm vụ quá hạn chưa hoàn thành"),
            NotificationKind.DUE_TODAY: _("Nhiệm vụ đến hạn hôm nay"),
            NotificationKind.DUE_SOON: _("Nhiệm vụ sắp đến hạn"),
        }
        self.single_body = _(
            "Kính gửi đồng chí %(name)s,\n\n%(text)s\n\n%(line)s\n\n"
            "Đề nghị đồng chí theo dõi, đôn đốc và cập nhật tiến độ trên hệ thống chidao.\n"
            "Cài đặt nhắc việc: %(settings)s"
        )
        self.digest_body = _(
            "Kính gửi đồng chí %(name)s,\n\nTổng hợp nhắc việc ngày %(day)s:\n\n%(sections)s\n\n"
            "Đề nghị đồng chí theo dõi, đôn đốc và cập nhật tiến độ trên hệ thống chidao.\n"
            "Cài đặt nhắc việc: %(settings)s"
        )
        self.digest_subject = _("[chidao] Nhắc việc ngày %(day)s: %(n)s nhiệm vụ")

    def _date(self, day: dt.date) -> str:
        # A catch-up repeats a few hundred dates over hundreds of thousands of lines.
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = f"{day:%d/%m/%Y}"
        return text

    def _line(self, row: _Row) -> str:
        return self.line.format(row.title, row.lead_unit, self._date(row.due), row.task_id)

    def single(self, row: _Row) -> EmailMessage:
        kind = NotificationKind(row.kind)
        body = self.single_body % {
            "name": row.name,
            "text": self.texts[kind] % {"title": row.title, "due": self._date(row.due)},
            "line": self._line(row),
            "settings": self.settings,
        }
        return EmailMessage(self.subjects[kind] % {"title": row.title[:150]}, body, None, [row.email])

    def digest(self, rows: list[_Row]) -> EmailMessage:
        sections = []
        for kind in ORDER:
            lines = [self._line(r) for r in rows if r.kind == kind]
            if lines:
                sections.append(f"{self.headings[kind]} ({len(lines)}):\n" + "\n".join(lines))
        body = self.digest_body % {
            "name": rows[0].name,
            "day": self.day,
            "sections": "\n\n".join(sections),
            "settings": self.settings,
        }
        subject = self.digest_subject % {"day": self.day, "n": len(rows)}
        return EmailMessage(subject, body, None, [rows[0].email])


def _email(run: uuid.UUID, day: dt.date) -> int:
    """Send the e-mails of the keys `run` inserted, streamed by recipient; the number sent."""
    keys = (
        ReminderKey.objects.filter(run=run)
        .exclude(user__email="")
        .exclude(user__task_reminder_preference__email=False)
        .order_by("user_id", "kind", "due_date", "task_id")
        .values_list(
            "user_id",
            "user__email",
            "user__full_name",
            "user__username",
            "user__task_reminder_preference__daily_digest",
            "kind",
            "task_id",
            "task__title",
            "due_date",
            "task__lead_unit__name",
        )
    )
    letters = _Letters(day)
    default_digest = default_daily_digest()
    sent = 0
    batch: list[EmailMessage] = []
    with transaction.atomic(), mailers.default as mailer:
        if connection.vendor == "postgresql":
            # The rows are streamed through a server-side cursor, which PostgreSQL plans for the
            # first rows (nested loops); this read wants every row, sorted in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        rows_by_user = itertools.groupby(map(_Row._make, keys.iterator(chunk_size=5000)), key=lambda r: r.user_id)
        for _user, group in rows_by_user:
            rows = list(group)
            digest = rows[0].digest if rows[0].digest is not None else default_digest
            if digest or len(rows) > DIGEST_AFTER:
                batch.append(letters.digest(rows))
            else:
                batch.extend(letters.single(r) for r in rows)
            if len(batch) >= EMAIL_BATCH:
                sent += mailer.send_messages(batch) or 0
                batch = []
        if batch:
            sent += mailer.send_messages(batch) or 0
    return sent


def prune_reminder_keys(*, dry_run: bool = False) -> int:
    """Drop the idempotency keys no run can need again: those of completed tasks, and those of a due
    date the task no longer has (an approved extension restarts its reminders under new keys).
    Keys of open tasks at their current due date stay: they are what stops a second reminder."""
    stale = ReminderKey.objects.filter(Q(task__completed_on__isnull=False) | ~Q(due_date=F("task__due_date")))
    with transaction.atomic():
        count = stale.count()
        if not dry_run:
            stale.delete()
    return count
