import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chidao.audit.models import AuditEntry
from chidao.tasks import services
from chidao.tasks.models import Attachment, Notification, Status, Task
from tests.tasks.conftest import make_task

D = dt.timedelta
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _statuses(tw):
    """One task in each status, all led by commune A (the late one by its agency)."""
    today = timezone.localdate()
    past = today - D(days=30)
    make_task(tw, title="Đang làm trong hạn", due_date=today + D(days=5))
    make_task(tw, title="Việc quá hạn", assigned_on=past, due_date=today - D(days=3))
    on_time = make_task(tw, title="Xong đúng hạn", assigned_on=past, due_date=today - D(days=2))
    services.complete_task(actor=tw.commune_officer, task=on_time, report="r", completed_on=today - D(days=3))
    late = make_task(tw, title="Xong quá hạn", lead_unit=tw.agency_a, assigned_on=past, due_date=today - D(days=9))
    services.complete_task(actor=tw.commune_officer, task=late, report="r", completed_on=today - D(days=1))


# --- lists ------------------------------------------------------------------------------------


def test_unit_page_counts_by_status_over_the_subtree_and_drills_down(tw, as_user):
    _statuses(tw)
    make_task(
        tw,
        title="Việc của Thanh Khê",
        lead_unit=tw.commune_b,
        assigned_on=timezone.localdate() - D(days=9),
        due_date=timezone.localdate() - D(days=1),
    )
    client = as_user(tw.province_admin)
    page = client.get(reverse("tasks:unit"), {"unit": tw.province_a.pk})
    assert page.status_code == 200
    counts = page.context["counts"]
    assert (counts.total, counts.overdue, counts.in_progress, counts.done_on_time, counts.done_late) == (5, 2, 1, 1, 1)
    # The split by child unit arrives with a second request: htmx on load, or the plain link.
    by_unit_url = f"{reverse('tasks:unit')}?unit={tw.province_a.pk}&amp;by_unit=1"
    assert f'hx-get="{by_unit_url}" hx-trigger="load"' in page.content.decode()
    assert page.context["by_child"] == []
    region = client.get(
        reverse("tasks:unit"), {"unit": tw.province_a.pk, "by_unit": "1"}, headers={"HX-Request": "true"}
    )
    assert region.content.decode().lstrip().startswith('<div id="by-unit-region">')
    assert "Phường Hải Châu" in region.content.decode() and "<nav" not in region.content.decode()
    page = client.get(reverse("tasks:unit"), {"unit": tw.province_a.pk, "by_unit": "1"})
    assert page.context["counts"].by_status == counts.by_status
    by_child = {row.unit.name: row.counts for row in page.context["by_child"]}
    assert by_child["Phường Hải Châu"].overdue == 1 and by_child["Phường Hải Châu"].total == 4
    assert by_child["Phường Thanh Khê"].overdue == 1
    body = page.content.decode()
    assert f"?unit={tw.commune_a.pk}&amp;status=overdue" in body  # the drill-down to the late ones
    late = client.get(reverse("tasks:unit"), {"unit": tw.commune_a.pk, "status": "overdue"})
    assert [t.title for t in late.context["page_obj"]] == ["Việc quá hạn"]


def test_list_rows_escape_what_users_typed(tw, as_user):
    """The list's rows are built in Python, not by the template engine: text is still escaped."""
    from chidao.org import services as org_services

    odd_unit = org_services.create_unit(
        actor=tw.province_admin, parent=tw.province_a, name='Ban "A" <b>in đậm</b>', agency_type="department"
    )
    make_task(tw, title="<script>alert(1)</script> & việc", lead_unit=odd_unit, priority="urgent")
    body = as_user(tw.province_admin).get(reverse("tasks:unit"), {"unit": tw.province_a.pk}).content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>in đậm</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; việc" in body
    assert "Ban &quot;A&quot; &lt;b&gt;in đậm&lt;/b&gt;" in body
    assert '<span class="badge text-bg-dark">Khẩn</span>' in body
    # The filter form is built in Python too: what was typed comes back escaped.
    typed = as_user(tw.province_admin).get(
        reverse("tasks:unit"), {"unit": tw.province_a.pk, "q": '"><script>x</script>', "due_from": "2026-01-02"}
    )
    form_html = typed.content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in form_html and "<script>x" not in form_html
    assert re.search(r'<input[^>]*name="due_from"[^>]*value="2026-01-02"', form_html)


def test_unit_page_without_subtree_and_as_coordinator(tw, as_user):
    _statuses(tw)
    make_task(tw, title="Phối hợp với Hải Châu", lead_unit=tw.commune_b, coordinating_units=[tw.commune_a])
    client = as_user(tw.commune_officer)
    only_unit = client.get(reverse("tasks:unit"), {"unit": tw.commune_a.pk, "subtree": "0"})
    assert only_unit.context["counts"].total == 3  # the agency's task is left out
    coordinating = client.get(reverse("tasks:unit"), {"role": "coordinating"})
    assert [t.title for t in coordinating.context["page_obj"]] == ["Phối hợp với Hải Châu"]


def test_my_tasks_are_those_i_lead_in_person_or_act_on_for_my_unit(tw, as_user):
    make_task(tw, title="Giao cho cá nhân", lead_person=tw.person_a)
    make_task(tw, title="Giao cho Đảng ủy", lead_unit=tw.agency_a)
    make_task(tw, title="Giao cho Thanh Khê", lead_unit=tw.commune_b)
    mine = as_user(tw.lead_user).get(reverse("tasks:mine"))
    assert [t.title for t in mine.context["page_obj"]] == ["Giao cho cá nhân"]
    officer = as_user(tw.commune_officer).get(reverse("tasks:mine"))
    assert {t.title for t in officer.context["page_obj"]} == {"Giao cho cá nhân", "Giao cho Đảng ủy"}


def test_assigned_list_filters_by_source_period_and_status(tw, as_user):
    today = timezone.localdate()
    make_task(tw, title="Theo kế hoạch", source="plan", document_reference="12-KH/TU", due_date=today + D(days=40))
    make_task(tw, title="Trực tiếp", due_date=today + D(days=10))
    client = as_user(tw.province_admin)
    url = reverse("tasks:assigned")
    assert [t.title for t in client.get(url, {"source": "plan"}).context["page_obj"]] == ["Theo kế hoạch"]
    window = {"due_from": (today + D(days=5)).isoformat(), "due_to": (today + D(days=20)).isoformat()}
    assert [t.title for t in client.get(url, window).context["page_obj"]] == ["Trực tiếp"]
    assert client.get(url, {"status": "overdue"}).context["counts"].total == 2
    assert list(client.get(url, {"status": "overdue"}).context["page_obj"]) == []
    assert client.get(url, {"status": "nonsense"}).status_code == 200  # bad filters are ignored
    make_task(tw, title="Cho Thanh Khê", lead_unit=tw.commune_b, due_date=today + D(days=10))
    page = client.get(url, {"lead_unit": tw.commune_b.pk})
    assert [t.title for t in page.context["page_obj"]] == ["Cho Thanh Khê"]
    offered = [label for _value, label in page.context["filter_form"].fields["lead_unit"].choices]
    assert offered == ["Mọi đơn vị", "— Phường Hải Châu", "— Phường Thanh Khê"]  # units given tasks, no others


def test_unit_list_query_count_stays_flat(tw, as_user):
    for i in range(12):
        make_task(tw, title=f"Việc {i}", coordinating_units=[tw.commune_b], lead_person=tw.person_a)
    client = as_user(tw.province_admin)
    url = reverse("tasks:unit")
    client.get(url, {"unit": tw.province_a.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"unit": tw.province_a.pk})
    for i in range(12, 40):
        make_task(tw, title=f"Việc {i}", lead_unit=tw.commune_b)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"unit": tw.province_a.pk}).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 12


def test_export_reads_back_with_the_filtered_rows(tw, as_user):
    _statuses(tw)
    make_task(tw, title='=HYPERLINK("http://x")', due_date=timezone.localdate() + D(days=3))
    response = as_user(tw.province_admin).get(reverse("tasks:export"), {"view": "assigned", "status": "open"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["STT", "Tên nhiệm vụ", "Nguồn giao"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    titles = [r[1] for r in rows]
    assert titles == ["Việc quá hạn", '=HYPERLINK("http://x")', "Đang làm trong hạn"]
    assert sheet.cell(row=6, column=2).data_type == "s"  # a title is never a formula
    assert rows[0][12] == "Quá hạn chưa hoàn thành"
    assert rows[0][5] == "Phường Hải Châu"


# --- creating and following up ----------------------------------------------------------------


def test_province_assigns_through_the_form(tw, as_user):
    client = as_user(tw.province_admin)
    today = timezone.localdate()
    page = client.get(reverse("tasks:create"), {"unit": tw.province_a.pk})
    assert page.status_code == 200 and "Phường Hải Châu" in page.content.decode()
    response = client.post(
        reverse("tasks:create"),
        {
            "assigning_unit": tw.province_a.pk,
            "title": "Tổ chức hội nghị sơ kết",
            "source": "direct",
            "lead_unit": tw.commune_a.pk,
            "coordinating_units": [tw.commune_b.pk],
            "assigned_on": today.isoformat(),
            "due_date": (today + D(days=20)).isoformat(),
            "priority": "normal",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    bad = client.post(
        reverse("tasks:create"),
        {
            "assigning_unit": tw.province_a.pk,
            "title": "x",
            "source": "document",
            "lead_unit": tw.commune_a.pk,
            "assigned_on": today.isoformat(),
            "due_date": today.isoformat(),
            "priority": "normal",
        },
    )
    assert bad.status_code == 200
    assert "Hãy ghi số, ký hiệu văn bản" in bad.content.decode()
    assert Task.objects.count() == 1


def test_a_reader_cannot_open_the_assign_form(tw, as_user):
    assert as_user(tw.viewer).get(reverse("tasks:create"), {"unit": tw.province_a.pk}).status_code == 403


def test_the_assign_button_shows_only_to_those_who_may_assign(tw, as_user):
    create = f'href="{reverse("tasks:create")}"'
    assert create in as_user(tw.province_admin).get(reverse("tasks:mine")).content.decode()
    assert create not in as_user(tw.viewer).get(reverse("tasks:mine")).content.decode()


def test_progress_and_comment_forms_answer_htmx_with_their_region(tw, as_user):
    task = make_task(tw)
    client = as_user(tw.commune_officer)
    response = client.post(
        reverse("tasks:progress", args=[task.pk]),
        {"percent": "60", "text": "Đã họp triển khai"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="progress"')
    assert "60%" in body and "Đã họp triển khai" in body
    bad = client.post(
        reverse("tasks:progress", args=[task.pk]), {"percent": "150", "text": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "Tiến độ phải từ 0 đến 100%." in bad.content.decode()
    plain = client.post(reverse("tasks:comment", args=[task.pk]), {"text": "Đã nhận"})
    assert plain.status_code == 302 and plain["Location"].endswith("#comments")
    htmx = client.post(reverse("tasks:comment", args=[task.pk]), {"text": "Ý kiến thứ hai"}, HTTP_HX_REQUEST="true")
    assert '<section id="comments"' in htmx.content.decode() and "Ý kiến thứ hai" in htmx.content.decode()
    task.refresh_from_db()
    assert task.progress == 60 and task.comments.count() == 2


def test_a_reader_gets_403_on_progress_and_nothing_changes(tw, as_user):
    task = make_task(tw)
    response = as_user(tw.viewer).post(reverse("tasks:progress", args=[task.pk]), {"percent": "60", "text": "x"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.progress == 0


def test_extension_complete_and_evaluate_through_the_pages(tw, as_user):
    task = make_task(tw)
    officer = as_user(tw.commune_officer)
    new_due = task.due_date + D(days=10)
    officer.post(
        reverse("tasks:extension_request", args=[task.pk]),
        {"requested_due_date": new_due.isoformat(), "reason": "Chờ số liệu"},
    )
    extension = task.extensions.get()
    admin = as_user(tw.province_admin)
    page = admin.get(task.get_absolute_url()).content.decode()
    assert "Đề nghị gia hạn đến" in page and "Chờ số liệu" in page
    refused = admin.post(reverse("tasks:extension_decide", args=[extension.pk]), {"decision": "refuse", "reason": ""})
    assert "Hãy nêu lý do không đồng ý gia hạn." in refused.content.decode()
    admin.post(reverse("tasks:extension_decide", args=[extension.pk]), {"decision": "approve", "reason": "Đồng ý"})
    task.refresh_from_db()
    assert task.due_date == new_due
    officer = as_user(tw.commune_officer)
    officer.post(
        reverse("tasks:complete", args=[task.pk]),
        {"completed_on": timezone.localdate().isoformat(), "report": "Đã xong"},
    )
    admin = as_user(tw.province_admin)
    admin.post(reverse("tasks:evaluate", args=[task.pk]), {"rating": "excellent", "comment": "Rất tốt"})
    task.refresh_from_db()
    assert task.status_on() == Status.DONE_ON_TIME and task.rating == "excellent"
    page = admin.get(task.get_absolute_url()).content.decode()
    assert "Hoàn thành xuất sắc" in page and "Lịch sử gia hạn" in page


def test_subtask_page_splits_for_the_agency(tw, as_user):
    task = make_task(tw)
    client = as_user(tw.commune_officer)
    response = client.post(
        reverse("tasks:subtask_create", args=[task.pk]),
        {
            "title": "Phần của Đảng ủy",
            "lead_unit": tw.agency_a.pk,
            "due_date": task.due_date.isoformat(),
            "priority": "normal",
        },
    )
    assert response.status_code == 302
    assert task.subtasks.get().lead_unit == tw.agency_a
    assert "Phần của Đảng ủy" in client.get(task.get_absolute_url()).content.decode()


# --- files --------------------------------------------------------------------------------------


def test_attachments_are_checked_by_content_and_downloaded_safely(tw, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = make_task(tw)
    client = as_user(tw.commune_officer)
    upload = SimpleUploadedFile("../../Báo cáo\x00 quý.exe", PDF, content_type="text/html")
    response = client.post(reverse("tasks:attachment_upload", args=[task.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Báo_cáo_quý.pdf"
    assert attachment.content_type == "application/pdf"
    assert ".." not in attachment.file.name and attachment.file.name.endswith(".pdf")
    fake = SimpleUploadedFile("anh.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    refused = client.post(reverse("tasks:attachment_upload", args=[task.pk]), {"file": fake})
    assert "Chỉ nhận tệp PDF" in refused.content.decode()
    assert Attachment.objects.count() == 1

    download = client.get(reverse("tasks:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF
    assert (
        as_user(tw.sibling_officer).get(reverse("tasks:attachment_download", args=[attachment.pk])).status_code == 404
    )


def test_attachments_over_the_size_limit_are_refused(tw, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_ATTACHMENT_MAX_BYTES = 1024
    task = make_task(tw)
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048)
    response = as_user(tw.commune_officer).post(reverse("tasks:attachment_upload", args=[task.pk]), {"file": big})
    assert "Tệp lớn hơn" in response.content.decode()
    assert not Attachment.objects.exists() and not list(tmp_path.rglob("*.pdf"))


# --- notifications ------------------------------------------------------------------------------


def test_notifications_page_lists_and_marks_read(tw, as_user):
    task = make_task(tw)
    client = as_user(tw.commune_officer)
    page = client.get(reverse("tasks:notifications"))
    assert "giao nhiệm vụ" in page.content.decode()
    note = Notification.objects.get(user=tw.commune_officer)
    client.post(reverse("tasks:notification_read", args=[note.pk]), {"next": task.get_absolute_url()})
    note.refresh_from_db()
    assert note.read_at is not None
    other = Notification.objects.create(user=tw.province_admin, task=task, kind="overdue", text="x")
    assert client.post(reverse("tasks:notification_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_unread_count_context_processor(tw, rf):
    from django.contrib.auth.models import AnonymousUser

    from chidao.tasks.context_processors import notifications

    make_task(tw)
    request = rf.get("/")
    request.user = tw.commune_officer
    assert int(str(notifications(request)["unread_task_notifications"])) == 1
    request.user = AnonymousUser()
    assert notifications(request) == {}


def test_preferences_are_saved_and_audited(tw, as_user):
    client = as_user(tw.commune_officer)
    response = client.post(reverse("tasks:preferences"), {"days_before": "5", "daily_digest": "on", "email": "on"})
    assert response.status_code == 302
    assert services.preference_for(tw.commune_officer).days_before == 5
    assert AuditEntry.objects.filter(action="tasks.reminder_preference.saved").exists()
    bad = client.post(reverse("tasks:preferences"), {"days_before": "99"})
    assert bad.status_code == 200 and services.preference_for(tw.commune_officer).days_before == 5
