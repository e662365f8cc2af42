import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.audit.models import AuditEntry
from chidao.tasks import jobs, services
from chidao.tasks.models import Notification, NotificationKind, ReminderKey, ReminderPreference, ReminderRun
from tests.conftest import make_user
from tests.tasks.conftest import make_task

D = dt.timedelta


def _keys():
    return set(ReminderKey.objects.values_list("task_id", "kind", "due_date", "user__username"))


def test_each_stage_reaches_lead_and_assigner_once(tw):
    today = timezone.localdate()
    due = today + D(days=10)
    task = make_task(tw, title="Hội nghị quán triệt", due_date=due, lead_person=tw.person_a)
    Notification.objects.all().delete()  # the "assigned" notices are not reminders

    assert services.send_reminders(today=due - D(days=4)).reminders == 0  # before the 3-day window
    result = services.send_reminders(today=due - D(days=3))
    assert (result.reminders, result.notifications, result.emails) == (3, 3, 3)
    assert {k[3] for k in _keys()} == {"lead_person", "commune_officer", "province_admin"}
    assert sorted(m.to[0] for m in mail.outbox) == ["danang@example.vn", "haichau@example.vn", "lead@example.vn"]
    assert "sắp đến hạn" in mail.outbox[0].subject
    note = Notification.objects.get(user=tw.lead_user)
    assert note.kind == NotificationKind.DUE_SOON
    assert note.text == f"Nhiệm vụ “Hội nghị quán triệt” sắp đến hạn hoàn thành (hạn {due:%d/%m/%Y})."

    assert services.send_reminders(today=due - D(days=1)).reminders == 0  # due soon already sent
    assert services.send_reminders(today=due).reminders == 3
    assert services.send_reminders(today=due + D(days=1)).reminders == 3
    assert services.send_reminders(today=due + D(days=9)).reminders == 0  # overdue is said once
    kinds = sorted(Notification.objects.filter(user=tw.province_admin).values_list("kind", flat=True))
    assert kinds == sorted([NotificationKind.DUE_SOON, NotificationKind.DUE_TODAY, NotificationKind.OVERDUE])
    assert task.pk in {k[0] for k in _keys()}


def test_a_second_run_the_same_day_sends_nothing(tw):
    today = timezone.localdate()
    make_task(tw, due_date=today)
    first = services.send_reminders(today=today)
    sent = len(mail.outbox)
    second = services.send_reminders(today=today)
    assert first.reminders == 2 and second.reminders == 0 and second.emails == 0
    assert len(mail.outbox) == sent
    assert ReminderKey.objects.count() == 2
    assert AuditEntry.objects.filter(action="tasks.reminders.sent").count() == 1
    assert ReminderRun.objects.count() == 2


def test_missed_days_catch_up_without_duplicates(tw):
    today = timezone.localdate()
    soon = make_task(tw, title="Sắp đến hạn", due_date=today + D(days=2))
    missed = make_task(tw, title="Đã quá hạn", assigned_on=today - D(days=30), due_date=today - D(days=12))
    # The job did not run for twelve days: one run owes the overdue notice and the due-soon one.
    result = services.send_reminders(today=today)
    assert {(k[0], k[1]) for k in _keys()} == {
        (soon.pk, NotificationKind.DUE_SOON),
        (missed.pk, NotificationKind.OVERDUE),
    }
    assert result.reminders == 4
    # A later run of an earlier missed day adds nothing already sent.
    assert services.send_reminders(today=today - D(days=1)).reminders == 0
    assert services.send_reminders(today=today).reminders == 0


def test_an_approved_extension_starts_the_reminders_again(tw):
    today = timezone.localdate()
    task = make_task(tw, assigned_on=today - D(days=10), due_date=today - D(days=1))
    assert services.send_reminders(today=today).reminders == 2
    ext = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=today + D(days=2), reason="x"
    )
    services.decide_extension(actor=tw.province_admin, extension=ext, approve=True)
    result = services.send_reminders(today=today)
    assert result.reminders == 2
    assert set(ReminderKey.objects.values_list("kind", "due_date")) == {
        (NotificationKind.OVERDUE, today - D(days=1)),
        (NotificationKind.DUE_SOON, today + D(days=2)),
    }


def test_completed_tasks_and_inactive_accounts_get_nothing(tw):
    today = timezone.localdate()
    done = make_task(tw, title="Xong rồi", due_date=today)
    services.complete_task(actor=tw.commune_officer, task=done, report="Xong")
    still_open = make_task(tw, title="Còn mở", due_date=today, lead_person=tw.person_a)
    User.objects.filter(pk=tw.lead_user.pk).update(is_active=False)
    services.send_reminders(today=today)
    assert {k[3] for k in _keys()} == {"commune_officer", "province_admin"}
    assert {k[0] for k in _keys()} == {still_open.pk}


def test_an_agency_task_reminds_the_secretariat_of_its_unit(tw):
    today = timezone.localdate()
    make_task(tw, lead_unit=tw.agency_a, due_date=today)
    services.send_reminders(today=today)
    assert {k[3] for k in _keys()} == {"commune_officer", "province_admin"}


def test_per_user_days_digest_and_email_opt_out(tw):
    today = timezone.localdate()
    services.save_preference(actor=tw.commune_officer, days_before=7, daily_digest=True, email=True)
    services.save_preference(actor=tw.province_admin, days_before=3, daily_digest=False, email=False)
    make_task(tw, title="Việc A", due_date=today + D(days=7))
    make_task(tw, title="Việc B", assigned_on=today - D(days=9), due_date=today - D(days=1))
    result = services.send_reminders(today=today)
    # Commune: due soon (7 days) for A and overdue for B; province: overdue for B only (3 days).
    assert sorted((k[3], k[1]) for k in _keys()) == [
        ("commune_officer", NotificationKind.DUE_SOON),
        ("commune_officer", NotificationKind.OVERDUE),
        ("province_admin", NotificationKind.OVERDUE),
    ]
    assert result.emails == 1  # the commune's digest; the province turned e-mail off
    [digest] = mail.outbox
    assert digest.to == ["haichau@example.vn"]
    assert "2 nhiệm vụ" in digest.subject
    assert "Việc A" in digest.body and "Việc B" in digest.body
    assert digest.body.index("quá hạn") < digest.body.index("sắp đến hạn")
    assert Notification.objects.filter(user=tw.province_admin, kind=NotificationKind.OVERDUE).count() == 1


def test_users_without_an_address_get_the_notice_in_the_app(tw):
    today = timezone.localdate()
    newcomer = make_user("thuky2", AccessRole.SECRETARIAT, tw.commune_a)
    assert RoleGrant.objects.filter(user=newcomer).exists()
    make_task(tw, due_date=today)
    services.send_reminders(today=today)
    assert Notification.objects.filter(user=newcomer, kind=NotificationKind.DUE_TODAY).exists()
    assert "" not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2


def test_command_runs_for_a_date_and_dry_run_rolls_back(tw):
    today = timezone.localdate()
    make_task(tw, due_date=today)
    out = io.StringIO()
    call_command("send_task_reminders", "--date", today.isoformat(), "--dry-run", stdout=out)
    assert "2 reminders" in out.getvalue() and "dry run" in out.getvalue()
    assert not ReminderKey.objects.exists() and mail.outbox == []
    out = io.StringIO()
    call_command("send_task_reminders", "--date", today.isoformat(), stdout=out)
    assert out.getvalue().strip() == f"task reminders for {today:%Y-%m-%d}: 2 reminders, 2 notifications, 2 e-mails"
    out = io.StringIO()
    call_command("send_task_reminders", "--date", today.isoformat(), stdout=out)
    assert "0 reminders" in out.getvalue()


def test_the_background_task_reports_what_it_sent(tw):
    today = timezone.localdate()
    make_task(tw, due_date=today)
    result = jobs.send_task_reminders.enqueue(today.isoformat())
    assert result.return_value == {"day": today.isoformat(), "reminders": 2, "notifications": 2, "emails": 2}


def test_preference_bounds_are_checked(tw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.save_preference(actor=tw.commune_officer, days_before=61, daily_digest=False, email=True)
    assert "days_before" in exc.value.message_dict
    assert not ReminderPreference.objects.exists()


def test_pruning_drops_only_keys_no_run_can_need(tw):
    today = timezone.localdate()
    extended = make_task(tw, title="Gia hạn", assigned_on=today - D(days=10), due_date=today - D(days=1))
    done = make_task(tw, title="Xong", assigned_on=today - D(days=10), due_date=today - D(days=2))
    waiting = make_task(tw, title="Còn quá hạn", assigned_on=today - D(days=10), due_date=today - D(days=3))
    services.send_reminders(today=today)
    assert ReminderKey.objects.count() == 6
    ext = services.request_extension(
        actor=tw.commune_officer, task=extended, requested_due_date=today + D(days=20), reason="Chờ số liệu"
    )
    services.decide_extension(actor=tw.province_admin, extension=ext, approve=True)
    services.complete_task(actor=tw.commune_officer, task=done, report="Đã xong")
    out = io.StringIO()
    call_command("prune_task_reminder_keys", "--dry-run", stdout=out)
    assert "4 no longer needed" in out.getvalue() and ReminderKey.objects.count() == 6
    call_command("prune_task_reminder_keys", stdout=io.StringIO())
    assert {key[0] for key in _keys()} == {waiting.pk}
    # The kept keys still stop a second overdue reminder.
    assert services.send_reminders(today=today).reminders == 0
    assert services.prune_reminder_keys() == 0
