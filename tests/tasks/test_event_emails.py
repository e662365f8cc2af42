"""Event notifications (assigned, completed, ...) also arrive by e-mail, once each, after commit."""

from django.core import mail

from chidao.tasks import jobs, services
from chidao.tasks.models import Notification, NotificationKind
from tests.tasks.conftest import make_task


def test_assignment_is_emailed_to_the_lead_side_after_commit(tw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(tw, lead_person=tw.person_a)
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == ["haichau@example.vn", "lead@example.vn"]
    message = next(m for m in mail.outbox if m.to == ["lead@example.vn"])
    assert "Được giao nhiệm vụ" in message.subject
    assert task.title in message.body and f"/tasks/{task.pk}/" in message.body
    assert Notification.objects.filter(task=task, emailed_at__isnull=False).count() == 2


def test_a_retried_job_sends_nothing_twice(tw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(tw)
    assert len(mail.outbox) == 1
    ids = list(Notification.objects.filter(task=task).values_list("pk", flat=True))
    assert jobs.email_notifications.call(ids) == 0
    assert len(mail.outbox) == 1


def test_users_who_turned_email_off_or_have_no_address_get_none(tw, django_capture_on_commit_callbacks):
    services.save_preference(actor=tw.commune_officer, days_before=3, daily_digest=False, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(tw, lead_person=tw.person_a)
    assert [m.to for m in mail.outbox] == [["lead@example.vn"]]
    # The in-app notification is there all the same.
    assert Notification.objects.filter(task=task, user=tw.commune_officer, kind=NotificationKind.ASSIGNED).exists()


def test_nothing_is_emailed_when_the_change_is_rolled_back(tw, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        make_task(tw)
        transaction.set_rollback(True)
    assert callbacks == [] and mail.outbox == []


def test_completion_is_emailed_to_the_assigner(tw, django_capture_on_commit_callbacks):
    task = make_task(tw)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_task(actor=tw.commune_officer, task=task, report="Đã tổ chức hội nghị")
    assert [m.to for m in mail.outbox] == [["danang@example.vn"]]
    assert "Báo cáo hoàn thành" in mail.outbox[0].subject
