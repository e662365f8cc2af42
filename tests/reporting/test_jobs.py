from django.core import mail
from django.urls import reverse

from chidao.accounts.models import User
from chidao.audit.models import AuditEntry
from chidao.reporting import jobs, services


def _with_emails(world):
    User.objects.filter(pk=world.commune_officer.pk).update(email="haichau@example.vn")
    User.objects.filter(pk=world.sibling_officer.pk).update(email="thanhkhe@example.vn")


def _submit_commune_a(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    services.save_values(actor=world.commune_officer, report=report, values={rp.registered.pk: 5, rp.trained.pk: 5})
    services.submit_report(actor=world.commune_officer, report=report)


def test_remind_button_mails_the_secretariat_of_the_missing_commune(
    world, rp, as_user, django_capture_on_commit_callbacks
):
    _with_emails(world)
    _submit_commune_a(world, rp)
    client = as_user(world.province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:completeness_remind", args=[rp.form.pk, rp.period.pk]), {"unit": world.province_a.pk}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["thanhkhe@example.vn"]]  # Hải Châu has sent: no reminder
    message = mail.outbox[0]
    assert "Báo cáo kết quả công tác quý" in message.subject
    assert "Quý I/2026" in message.body
    assert "Phường Thanh Khê" in message.body
    entry = AuditEntry.objects.get(action="reporting.reminder.sent")
    assert entry.actor == world.province_admin
    assert entry.changes["units"] == [world.commune_b.pk]


def test_the_task_reports_how_many_messages_it_sent(world, rp):
    _with_emails(world)
    result = jobs.send_reminders.enqueue(rp.form.pk, rp.period.pk, world.province_a.pk)
    assert result.return_value == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["haichau@example.vn", "thanhkhe@example.vn"]


def test_a_commune_officer_cannot_send_reminders_for_the_province(world, rp, as_user):
    _with_emails(world)
    client = as_user(world.commune_officer)
    response = client.post(
        reverse("reporting:completeness_remind", args=[rp.form.pk, rp.period.pk]), {"unit": world.province_a.pk}
    )
    assert response.status_code == 404  # the province is outside a commune officer's scope
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="reporting.reminder.sent").exists()
