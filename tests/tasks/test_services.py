import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chidao.audit.models import AuditEntry
from chidao.tasks import services
from chidao.tasks.models import (
    Extension,
    ExtensionState,
    Notification,
    NotificationKind,
    ProgressUpdate,
    Recurrence,
    Source,
    Status,
    Task,
)
from tests.tasks.conftest import make_task

TODAY = timezone.localdate
D = dt.timedelta


# --- status, derived from the dates ----------------------------------------------------------


def _status_in_sql(task: Task, today: dt.date) -> str:
    return Task.objects.with_status(today).get(pk=task.pk).status


def test_status_is_derived_from_dates_in_sql_and_on_the_row(tw):
    today = TODAY()
    task = make_task(tw, assigned_on=today - D(days=20), due_date=today - D(days=5))
    # Frozen "today" before, on and after the due date.
    assert _status_in_sql(task, today - D(days=6)) == Status.IN_PROGRESS
    assert _status_in_sql(task, today - D(days=5)) == Status.IN_PROGRESS  # the due day itself is within term
    assert _status_in_sql(task, today - D(days=4)) == Status.OVERDUE
    services.complete_task(actor=tw.commune_officer, task=task, report="Xong", completed_on=today - D(days=2))
    task.refresh_from_db()
    assert _status_in_sql(task, today) == Status.DONE_LATE
    assert task.status_on(today) == Status.DONE_LATE
    on_time = make_task(tw, title="Việc đúng hạn", assigned_on=today - D(days=20), due_date=today - D(days=5))
    services.complete_task(actor=tw.commune_officer, task=on_time, report="Xong", completed_on=today - D(days=5))
    assert _status_in_sql(on_time, today + D(days=400)) == Status.DONE_ON_TIME


def test_status_filters_and_counts_agree_with_each_row(tw):
    from chidao.tasks import queries

    today = TODAY()
    make_task(tw, title="a", due_date=today + D(days=3))
    make_task(tw, title="b", assigned_on=today - D(days=9), due_date=today - D(days=1))
    late = make_task(tw, title="c", assigned_on=today - D(days=9), due_date=today - D(days=3))
    services.complete_task(actor=tw.commune_officer, task=late, report="r", completed_on=today)
    counts = queries.status_counts(Task.objects.all(), today)
    assert counts.by_status == {Status.IN_PROGRESS: 1, Status.OVERDUE: 1, Status.DONE_LATE: 1}
    for status in Status:
        listed = set(Task.objects.in_status(status, today).values_list("title", flat=True))
        derived = {t.title for t in Task.objects.all() if t.status_on(today) == status}
        assert listed == derived, status


# --- creating tasks ---------------------------------------------------------------------------


def test_province_assigns_a_task_to_a_commune_and_its_lead_is_told(tw):
    task = make_task(tw, coordinating_units=[tw.commune_b], lead_person=tw.person_a, priority="high")
    assert task.assigning_unit == tw.province_a and task.assigned_by == tw.province_admin
    assert task.original_due_date == task.due_date
    assert list(task.coordinating_units.all()) == [tw.commune_b]
    entry = AuditEntry.objects.get(action="tasks.task.created")
    assert entry.changes["coordinating_units"] == [tw.commune_b.pk]
    told = set(Notification.objects.filter(task=task, kind=NotificationKind.ASSIGNED).values_list("user", flat=True))
    assert told == {tw.commune_officer.pk, tw.lead_user.pk}


def test_lead_unit_must_lie_under_the_assigning_unit(tw):
    with pytest.raises(ValidationError) as exc:
        make_task(tw, lead_unit=tw.commune_c)
    assert "lead_unit" in exc.value.message_dict
    assert "Thành phố Đà Nẵng" in exc.value.message_dict["lead_unit"][0]
    assert not Task.objects.exists()


def test_field_errors_are_named_and_nothing_is_saved(tw):
    today = TODAY()
    with pytest.raises(ValidationError) as exc:
        make_task(
            tw,
            title="  ",
            source=Source.DOCUMENT,
            assigned_on=today,
            due_date=today - D(days=1),
            coordinating_units=[tw.commune_a, tw.commune_c],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"title", "document_reference", "due_date", "coordinating_units"}
    assert "không được trước ngày giao" in errors["due_date"][0]
    assert not Task.objects.exists() and not AuditEntry.objects.filter(action__startswith="tasks.").exists()


def test_a_commune_officer_cannot_assign_for_the_province(tw):
    with pytest.raises(PermissionDenied):
        make_task(tw, actor=tw.commune_officer)
    assert not Task.objects.exists()


def test_update_changes_wording_and_coordinators_but_not_the_due_date(tw):
    task = make_task(tw)
    services.update_task(actor=tw.province_admin, task=task, title="Tên mới", coordinating_units=[tw.commune_b])
    task.refresh_from_db()
    assert task.title == "Tên mới" and list(task.coordinating_units.all()) == [tw.commune_b]
    entry = AuditEntry.objects.get(action="tasks.task.updated")
    assert entry.changes["coordinating_units"] == [[], [tw.commune_b.pk]]
    with pytest.raises(ValidationError):
        services.update_task(actor=tw.province_admin, task=task, due_date=TODAY())
    with pytest.raises(PermissionDenied):
        services.update_task(actor=tw.commune_officer, task=task, title="x")


# --- sub-tasks --------------------------------------------------------------------------------


def test_the_lead_unit_splits_a_task_for_a_unit_under_it(tw):
    parent = make_task(tw)
    sub = services.create_subtask(
        actor=tw.commune_officer,
        parent=parent,
        title="Phần việc của Đảng ủy",
        lead_unit=tw.agency_a,
        due_date=parent.due_date,
    )
    assert sub.parent == parent and sub.assigning_unit == tw.commune_a and sub.assigned_by == tw.commune_officer
    assert list(parent.subtasks.all()) == [sub]
    assert AuditEntry.objects.filter(action="tasks.task.split", target_id=str(sub.pk)).exists()


def test_sub_tasks_go_below_the_lead_unit_and_not_past_the_parent_due_date(tw):
    parent = make_task(tw)
    with pytest.raises(ValidationError) as exc:
        services.create_subtask(
            actor=tw.commune_officer,
            parent=parent,
            title="x",
            lead_unit=tw.commune_a,
            due_date=parent.due_date + D(days=1),
        )
    assert set(exc.value.message_dict) == {"lead_unit", "due_date"}
    with pytest.raises(PermissionDenied):
        services.create_subtask(
            actor=tw.sibling_officer, parent=parent, title="x", lead_unit=tw.agency_a, due_date=parent.due_date
        )
    assert parent.subtasks.count() == 0


# --- progress, completion, recurrence, evaluation ----------------------------------------------


def test_the_lead_person_reports_progress_without_any_role(tw):
    task = make_task(tw, lead_person=tw.person_a)
    services.record_progress(actor=tw.lead_user, task=task, percent=40, text="Đã xây dựng dự thảo")
    task.refresh_from_db()
    assert task.progress == 40
    with pytest.raises(ValidationError) as exc:
        services.record_progress(actor=tw.lead_user, task=task, percent=101, text="x")
    assert "percent" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.record_progress(actor=tw.viewer, task=task, percent=50, text="x")
    assert ProgressUpdate.objects.count() == 1


def test_completion_marks_done_and_tells_the_assigner(tw):
    task = make_task(tw)
    services.complete_task(actor=tw.commune_officer, task=task, report="Đã tổ chức hội nghị")
    task.refresh_from_db()
    assert task.completed_on == TODAY() and task.completed_at is not None and task.progress == 100
    assert task.status_on() == Status.DONE_ON_TIME
    assert Notification.objects.filter(user=tw.province_admin, kind=NotificationKind.COMPLETED).exists()
    with pytest.raises(ValidationError):
        services.complete_task(actor=tw.commune_officer, task=task, report="lần hai")


def test_completing_a_monthly_task_creates_the_next_occurrence_once(tw):
    today = TODAY()
    task = make_task(
        tw,
        recurrence=Recurrence.MONTHLY,
        assigned_on=today - D(days=5),
        due_date=dt.date(today.year + 1, 1, 31),
        coordinating_units=[tw.commune_b],
    )
    services.complete_task(actor=tw.commune_officer, task=task, report="Tháng 1")
    nxt = Task.objects.get(previous_occurrence=task)
    assert nxt.due_date == dt.date(today.year + 1, 2, 28)  # end of a shorter month
    assert nxt.recurrence == Recurrence.MONTHLY and nxt.completed_on is None
    assert list(nxt.coordinating_units.all()) == [tw.commune_b]
    assert nxt.assigned_by == tw.province_admin
    assert AuditEntry.objects.filter(action="tasks.task.recurred").count() == 1
    assert Task.objects.count() == 2


def test_a_quarterly_series_follows_its_original_dates_not_an_extension(tw):
    today = TODAY()
    due = today + D(days=10)
    task = make_task(tw, recurrence=Recurrence.QUARTERLY, due_date=due)
    ext = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=due + D(days=7), reason="Chờ số liệu"
    )
    services.decide_extension(actor=tw.province_admin, extension=ext, approve=True)
    services.complete_task(actor=tw.commune_officer, task=task, report="Quý")
    assert Task.objects.get(previous_occurrence=task).due_date == services.add_months(due, 3)


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2028, 1, 29), 1) == dt.date(2028, 2, 29)
    assert services.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_the_assigner_evaluates_a_completed_task(tw):
    task = make_task(tw)
    with pytest.raises(ValidationError):
        services.evaluate_task(actor=tw.province_admin, task=task, rating="good")
    services.complete_task(actor=tw.commune_officer, task=task, report="Xong")
    with pytest.raises(PermissionDenied):
        services.evaluate_task(actor=tw.commune_officer, task=task, rating="excellent")
    with pytest.raises(ValidationError) as exc:
        services.evaluate_task(actor=tw.province_admin, task=task, rating="not_done")
    assert "comment" in exc.value.message_dict
    services.evaluate_task(actor=tw.province_admin, task=task, rating="good", comment="Tốt")
    task.refresh_from_db()
    assert task.rating == "good" and task.evaluated_by == tw.province_admin
    assert Notification.objects.filter(user=tw.commune_officer, kind=NotificationKind.EVALUATED).exists()


# --- extensions -------------------------------------------------------------------------------


def test_extension_history_keeps_the_original_date_and_status_uses_the_current_one(tw):
    today = TODAY()
    task = make_task(tw, assigned_on=today - D(days=20), due_date=today - D(days=2))
    assert task.status_on(today) == Status.OVERDUE
    first = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=today + D(days=5), reason="Chờ ý kiến Thường trực"
    )
    with pytest.raises(ValidationError) as exc:
        services.request_extension(
            actor=tw.commune_officer, task=task, requested_due_date=today + D(days=9), reason="x"
        )
    assert "chờ xem xét" in exc.value.message_dict["requested_due_date"][0]
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(actor=tw.province_admin, extension=first, approve=False)
    assert "reason" in exc.value.message_dict
    services.decide_extension(actor=tw.province_admin, extension=first, approve=True, reason="Đồng ý")
    task.refresh_from_db()
    assert task.due_date == today + D(days=5) and task.original_due_date == today - D(days=2)
    assert Task.objects.with_status(today).get(pk=task.pk).status == Status.IN_PROGRESS
    second = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=today + D(days=30), reason="Thêm thời gian"
    )
    services.decide_extension(actor=tw.province_admin, extension=second, approve=False, reason="Không có căn cứ")
    task.refresh_from_db()
    assert task.due_date == today + D(days=5)
    history = list(Extension.objects.filter(task=task).values_list("previous_due_date", "requested_due_date", "state"))
    assert history == [
        (today - D(days=2), today + D(days=5), ExtensionState.APPROVED),
        (today + D(days=5), today + D(days=30), ExtensionState.REFUSED),
    ]
    assert AuditEntry.objects.filter(action__startswith="tasks.extension.").count() == 4


def test_only_the_lead_asks_and_only_the_assigner_decides(tw):
    task = make_task(tw)
    with pytest.raises(PermissionDenied):
        services.request_extension(actor=tw.viewer, task=task, requested_due_date=task.due_date + D(days=3), reason="x")
    ext = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=task.due_date + D(days=3), reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.decide_extension(actor=tw.commune_officer, extension=ext, approve=True)
    with pytest.raises(ValidationError):
        services.request_extension(actor=tw.commune_officer, task=task, requested_due_date=task.due_date, reason="x")
    assert Notification.objects.filter(user=tw.province_admin, kind=NotificationKind.EXTENSION_REQUESTED).exists()


# --- comments and files -----------------------------------------------------------------------


def test_coordinators_comment_but_outsiders_do_not(tw):
    task = make_task(tw, coordinating_units=[tw.commune_b])
    services.add_comment(actor=tw.sibling_officer, task=task, text="Phường Thanh Khê sẵn sàng phối hợp")
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=tw.outsider, task=task, text="x")
    with pytest.raises(ValidationError):
        services.add_comment(actor=tw.commune_officer, task=task, text="   ")
    assert [c.text for c in task.comments.all()] == ["Phường Thanh Khê sẵn sàng phối hợp"]
