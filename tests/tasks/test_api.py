import datetime as dt
import json

from django.utils import timezone

from chidao.tasks import services
from chidao.tasks.models import Extension, Task
from tests.tasks.conftest import make_meeting, make_task

D = dt.timedelta


def _post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_create_then_follow_up_through_the_api(tw, as_user):
    admin = as_user(tw.province_admin)
    due = timezone.localdate() + D(days=15)
    created = _post(
        admin,
        "/api/tasks/",
        {
            "assigning_unit_id": tw.province_a.pk,
            "title": "Báo cáo sơ kết",
            "lead_unit_id": tw.commune_a.pk,
            "due_date": due,
            "coordinating_unit_ids": [tw.commune_b.pk],
            "lead_person_id": tw.person_a.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    task_id = body["id"]
    assert (body["status"], body["lead_unit_name"], body["coordinating_unit_ids"]) == (
        "in_progress",
        "Phường Hải Châu",
        [tw.commune_b.pk],
    )

    officer = as_user(tw.commune_officer)
    assert _post(officer, f"/api/tasks/{task_id}/progress", {"percent": 50, "text": "Một nửa"}).status_code == 201
    bad = _post(officer, f"/api/tasks/{task_id}/progress", {"percent": 120, "text": "x"})
    assert bad.status_code == 422 and "percent" in bad.json()["detail"]
    ext = _post(officer, f"/api/tasks/{task_id}/extensions", {"requested_due_date": due + D(days=7), "reason": "Chờ"})
    assert ext.status_code == 201 and ext.json()["state"] == "pending"
    assert _post(officer, f"/api/tasks/extensions/{ext.json()['id']}/decision", {"approve": True}).status_code == 403

    admin = as_user(tw.province_admin)
    decided = _post(admin, f"/api/tasks/extensions/{ext.json()['id']}/decision", {"approve": True, "reason": "Được"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    officer = as_user(tw.commune_officer)
    comment = _post(officer, f"/api/tasks/{task_id}/comments", {"text": "Đã nhận"})
    assert comment.status_code == 201
    assert [c["text"] for c in officer.get(f"/api/tasks/{task_id}/comments").json()] == ["Đã nhận"]
    done = _post(officer, f"/api/tasks/{task_id}/complete", {"report": "Hoàn thành"})
    assert done.status_code == 200 and done.json()["status"] == "done_on_time"
    admin = as_user(tw.province_admin)
    rated = _post(admin, f"/api/tasks/{task_id}/evaluation", {"rating": "good", "comment": "Tốt"})
    assert rated.json()["rating"] == "good"
    detail = admin.get(f"/api/tasks/{task_id}").json()
    assert detail["due_date"] == (due + D(days=7)).isoformat()
    assert detail["original_due_date"] == due.isoformat()
    assert [e["state"] for e in detail["extensions"]] == ["approved"]
    assert [p["percent"] for p in detail["progress_updates"]] == [50]


def test_list_filters_and_counts(tw, as_user):
    today = timezone.localdate()
    make_task(tw, title="Quá hạn", assigned_on=today - D(days=9), due_date=today - D(days=1))
    make_task(tw, title="Trong hạn", due_date=today + D(days=9))
    make_task(tw, title="Thanh Khê", lead_unit=tw.commune_b, due_date=today + D(days=9))
    client = as_user(tw.province_admin)
    listed = client.get("/api/tasks/", {"view": "unit", "unit_id": tw.province_a.pk, "status": "overdue"}).json()
    assert [row["title"] for row in listed["items"]] == ["Quá hạn"] and listed["count"] == 1
    counts = client.get("/api/tasks/counts", {"unit_id": tw.province_a.pk}).json()
    assert counts["counts"] == {"total": 3, "done_on_time": 0, "done_late": 0, "in_progress": 2, "overdue": 1}
    children = {c["unit_name"]: (c["total"], c["overdue"]) for c in counts["children"]}
    assert children == {"Phường Hải Châu": (2, 1), "Phường Thanh Khê": (1, 0)}
    mine = as_user(tw.commune_officer).get("/api/tasks/").json()
    assert {row["title"] for row in mine["items"]} == {"Quá hạn", "Trong hạn"}
    assert as_user(tw.sibling_officer).get("/api/tasks/counts", {"unit_id": tw.commune_a.pk}).status_code == 404


def test_create_errors_are_keyed_by_field(tw, as_user):
    response = _post(
        as_user(tw.province_admin),
        "/api/tasks/",
        {"assigning_unit_id": tw.province_a.pk, "title": "", "lead_unit_id": tw.commune_a.pk, "due_date": "2020-01-01"},
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"title", "due_date"}
    assert not Task.objects.exists()


def test_subtasks_update_and_notifications(tw, as_user):
    task = make_task(tw)
    officer = as_user(tw.commune_officer)
    sub = _post(
        officer,
        f"/api/tasks/{task.pk}/subtasks",
        {"title": "Phần việc", "lead_unit_id": tw.agency_a.pk, "due_date": task.due_date},
    )
    assert sub.status_code == 201 and sub.json()["parent_id"] == task.pk
    patched = as_user(tw.province_admin).patch(
        f"/api/tasks/{task.pk}",
        data=json.dumps({"title": "Tên mới", "coordinating_unit_ids": [tw.commune_b.pk]}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Tên mới"
    officer = as_user(tw.commune_officer)
    notes = officer.get("/api/tasks/notifications", {"unread": True}).json()
    assert notes["count"] == 1 and "Tổ chức hội nghị" in notes["items"][0]["text"]
    assert _post(officer, "/api/tasks/notifications/read", {}).json() == {"marked": 1}
    assert officer.get("/api/tasks/notifications", {"unread": True}).json()["count"] == 0


def test_from_meeting_through_the_api_is_all_or_nothing(tw, as_user):
    meeting = make_meeting(tw, ["Một là, tuyên truyền.", "Hai là, tập huấn."])
    first, second = meeting.conclusions.order_by("number")
    client = as_user(tw.province_admin)
    due = timezone.localdate() + D(days=10)
    bad = _post(
        client,
        f"/api/tasks/from-meeting/{meeting.pk}",
        {
            "rows": [
                {"conclusion_id": first.pk, "title": first.text, "lead_unit_id": tw.commune_a.pk, "due_date": due},
                {"conclusion_id": second.pk, "title": "", "lead_unit_id": tw.commune_b.pk, "due_date": due},
            ]
        },
    )
    assert bad.status_code == 422 and bad.json()["detail"]["rows"][0].startswith("Dòng 2 (kết luận số 2)")
    assert not Task.objects.exists()
    good = _post(
        client,
        f"/api/tasks/from-meeting/{meeting.pk}",
        {
            "rows": [
                {"conclusion_id": first.pk, "title": first.text, "lead_unit_id": tw.commune_a.pk, "due_date": due},
            ]
        },
    )
    assert good.status_code == 201 and good.json()[0]["conclusion_id"] == first.pk


def test_extension_decision_is_404_for_the_sibling(tw, as_user):
    task = make_task(tw)
    ext = services.request_extension(
        actor=tw.commune_officer, task=task, requested_due_date=task.due_date + D(days=3), reason="x"
    )
    response = _post(as_user(tw.sibling_officer), f"/api/tasks/extensions/{ext.pk}/decision", {"approve": True})
    assert response.status_code == 404
    assert Extension.objects.get().state == "pending"
