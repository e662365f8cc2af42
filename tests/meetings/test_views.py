from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from chidao.meetings import services
from chidao.meetings.models import Attendance, Conclusion, Invitee, Meeting, MeetingKind
from tests.meetings.conftest import NOTICE_TEXT, make_delegation
from tests.meetings.test_services import PDF_BYTES

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def test_list_shows_the_delegation_to_both_sides_only(mw, delegation, as_user):
    for user in (mw.commune_officer, mw.outsider, mw.province_admin):
        body = _body(as_user(user).get(reverse("meetings:list")))
        assert delegation.title in body, user
    assert delegation.title not in _body(as_user(mw.sibling_officer).get(reverse("meetings:list")))


def test_list_filters_and_htmx_partial(mw, delegation, as_user):
    services.create_meeting(
        actor=mw.commune_officer,
        host_committee=mw.host,
        title="Hội nghị tập huấn cộng tác viên",
        kind=MeetingKind.TRAINING,
        starts_at=delegation.starts_at.replace(year=2025),
    )
    client = as_user(mw.commune_officer)
    url = reverse("meetings:list")
    body = _body(client.get(url, {"kind": MeetingKind.TRAINING}))
    assert "tập huấn cộng tác viên" in body and delegation.title not in body
    body = _body(client.get(url, {"year": 2026}))
    assert delegation.title in body and "tập huấn cộng tác viên" not in body
    body = _body(client.get(url, {"committee": mw.visitor.pk}))
    assert delegation.title in body and "tập huấn cộng tác viên" not in body
    partial = client.get(url, {"kind": MeetingKind.DELEGATION}, headers={"HX-Request": "true"})
    text = _body(partial)
    assert '<div id="rows">' in text and "<html" not in text and delegation.title in text


def test_create_page_records_a_meeting_and_shows_field_errors(mw, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:create")
    assert client.get(url).status_code == 200
    data = {
        "kind": MeetingKind.DELEGATION,
        "title": "Đoàn công tác Quảng Ninh",
        "host_committee": mw.host.pk,
        "starts_at": "2026-04-02T08:00",
        "place": "Hải Châu",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Đoàn công tác cần ghi Ban Chỉ đạo đến làm việc" in _body(response)
    assert not Meeting.objects.exists()
    response = client.post(url, {**data, "visiting_committee": mw.visitor.pk, "chair": mw.chair.pk})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert (meeting.visiting_committee, meeting.chair) == (mw.visitor, mw.chair)


def test_create_is_refused_for_a_committee_the_user_does_not_administer(mw, as_user):
    client = as_user(mw.sibling_officer)
    response = client.post(
        reverse("meetings:create"),
        {"kind": "regular", "title": "X", "host_committee": mw.host.pk, "starts_at": "2026-04-02T08:00"},
    )
    assert response.status_code == 200 and "host_committee" in response.context["form"].errors
    assert not Meeting.objects.exists()
    assert as_user(mw.viewer).get(reverse("meetings:create")).status_code == 404


def _full_meeting(mw, meeting):
    services.add_agenda_item(
        actor=mw.commune_officer,
        meeting=meeting,
        title="Báo cáo kết quả công tác quý I",
        presenter=mw.member,
        upload=SimpleUploadedFile("bao-cao.pdf", PDF_BYTES),
    )
    services.invite(actor=mw.commune_officer, meeting=meeting, people=[mw.chair, mw.member], units=[mw.commune_a])
    services.record_attendance(
        actor=mw.commune_officer,
        meeting=meeting,
        rows=[
            services.AttendanceRow(person_id=mw.chair.pk, attendance=Attendance.PRESENT),
            services.AttendanceRow(person_id=mw.member.pk, attendance=Attendance.ABSENT, absence_reason="Đi học"),
        ],
    )
    services.record_conclusions_from_text(actor=mw.commune_officer, meeting=meeting, text=NOTICE_TEXT)
    return meeting


def test_detail_shows_everything_and_the_task_button_to_the_host(mw, delegation, as_user):
    _full_meeting(mw, delegation)
    body = _body(as_user(mw.commune_officer).get(delegation.get_absolute_url()))
    assert "Báo cáo kết quả công tác quý I" in body and "bao-cao.pdf" in body
    assert "Trần Thị Bình" in body and "Đi học" in body
    assert 'id="conclusion-4"' in body and "Nêu cao tinh thần trách nhiệm" in body
    assert "Giao nhiệm vụ từ kết luận" in body
    assert reverse("meetings:edit", args=[delegation.pk]) in body
    visitor_view = _body(as_user(mw.outsider).get(delegation.get_absolute_url()))
    assert "Nêu cao tinh thần trách nhiệm" in visitor_view
    assert reverse("meetings:edit", args=[delegation.pk]) not in visitor_view
    assert "Giao nhiệm vụ từ kết luận" not in visitor_view


def test_detail_renders_without_the_tasks_page(mw, delegation, as_user, monkeypatch):
    _full_meeting(mw, delegation)

    def missing(name, *args, **kwargs):
        if name == "tasks:from_meeting":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr("chidao.meetings.views.reverse", missing)
    response = as_user(mw.commune_officer).get(delegation.get_absolute_url())
    assert response.status_code == 200 and "Giao nhiệm vụ từ kết luận" not in _body(response)


def test_edit_page_changes_the_status(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:edit", args=[delegation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": delegation.kind,
            "title": delegation.title,
            "visiting_committee": mw.visitor.pk,
            "starts_at": "2026-03-27T08:00",
            "ends_at": "2026-03-27T11:30",
            "status": "held",
            "chair": mw.chair.pk,
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=delegation.pk)
    assert meeting.status == "held" and meeting.ends_at is not None
    assert as_user(mw.outsider).get(url).status_code == 403


def test_attendance_page_saves_and_reports_the_person_in_error(mw, delegation, as_user):
    services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.chair, mw.member])
    client = as_user(mw.commune_officer)
    url = reverse("meetings:attendance", args=[delegation.pk])
    assert "Nguyễn Văn An" in _body(client.get(url))
    bad = client.post(url, {f"p{mw.chair.pk}-attendance": "present", f"p{mw.member.pk}-attendance": "absent"})
    assert bad.status_code == 200 and "Hãy ghi lý do vắng mặt của Trần Thị Bình" in _body(bad)
    assert set(Invitee.objects.values_list("attendance", flat=True)) == {""}
    good = client.post(
        url,
        {
            f"p{mw.chair.pk}-attendance": "present",
            f"p{mw.member.pk}-attendance": "delegated",
            f"p{mw.member.pk}-delegate": mw.secretary.pk,
        },
    )
    assert good.status_code == 302
    assert Invitee.objects.get(person=mw.member).delegate == mw.secretary


def test_invitees_page_adds_and_removes(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:invitees", args=[delegation.pk])
    body = _body(client.get(url))
    assert "Phạm Văn Dũng" in body  # the visiting committee's member is offered
    response = client.post(url, {"people": [mw.chair.pk, mw.guest.pk], "units": [mw.commune_a.pk]})
    assert response.status_code == 302
    assert set(delegation.invitees.values_list("person_id", flat=True)) == {mw.chair.pk, mw.guest.pk}
    empty = client.post(url, {})
    assert "Hãy chọn ít nhất một người" in _body(empty)
    invitee = Invitee.objects.get(person=mw.guest)
    client.post(reverse("meetings:invitee_remove", args=[invitee.pk]))
    client.post(reverse("meetings:invited_unit_remove", args=[delegation.pk, mw.commune_a.pk]))
    assert list(delegation.invitees.values_list("person_id", flat=True)) == [mw.chair.pk]
    assert not delegation.invited_units.exists()


def test_conclusion_editor_previews_then_saves(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:conclusions", args=[delegation.pk])
    preview = client.post(url, {"text": NOTICE_TEXT, "notice_number": "15-TB/BCĐ", "preview": "1"})
    body = _body(preview)
    assert preview.status_code == 200 and "Tách được 4 kết luận" in body
    assert not Conclusion.objects.exists()
    partial = client.post(url, {"text": NOTICE_TEXT, "preview": "1"}, headers={"HX-Request": "true"})
    assert '<div id="items">' in _body(partial) and "<html" not in _body(partial)
    items = preview.context["items"]
    items[1] = "Nâng cao chất lượng công tác giáo dục chính trị, tư tưởng"
    saved = client.post(
        url,
        {
            "text": NOTICE_TEXT,
            "notice_number": "15-TB/BCĐ",
            "notice_date": "2026-03-30",
            "item": [*items, ""],
            "save": "1",
        },
    )
    assert saved.status_code == 302
    rows = list(Conclusion.objects.filter(meeting=delegation).values_list("number", "text"))
    assert len(rows) == 4 and rows[1] == (2, "Nâng cao chất lượng công tác giáo dục chính trị, tư tưởng")
    assert Meeting.objects.get(pk=delegation.pk).notice_number == "15-TB/BCĐ"


def test_conclusion_editor_shows_a_clear_error_for_an_early_notice_date(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:conclusions", args=[delegation.pk])
    response = client.post(url, {"text": "", "notice_date": "2026-01-01", "item": ["Một"], "save": "1"})
    assert response.status_code == 200 and "Ngày thông báo kết luận không được trước ngày họp" in _body(response)
    assert not Conclusion.objects.exists()


def test_document_upload_and_download_are_safe(mw, delegation, as_user):
    item = services.add_agenda_item(actor=mw.commune_officer, meeting=delegation, title="Tài liệu hội nghị")
    client = as_user(mw.commune_officer)
    url = reverse("meetings:document_upload", args=[item.pk])
    bad = client.post(url, {"upload": SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>")})
    assert bad.status_code == 200 and "Chỉ nhận tệp PDF" in _body(bad)
    ok = client.post(url, {"upload": SimpleUploadedFile("Báo cáo quý I.pdf", PDF_BYTES)})
    assert ok.status_code == 302
    document = item.documents.get()
    response = as_user(mw.outsider).get(reverse("meetings:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''B%C3%A1o" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert as_user(mw.sibling_officer).get(reverse("meetings:document_download", args=[document.pk])).status_code == 404


def test_minutes_page_and_download(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = reverse("meetings:minutes", args=[delegation.pk])
    response = client.post(url, {"text": "Biên bản làm việc", "upload": SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)})
    assert response.status_code == 302
    download = as_user(mw.outsider).get(reverse("meetings:minutes_download", args=[delegation.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="bien-ban.pdf"' in download["Content-Disposition"]


def test_invitation_and_notice_download_for_the_visiting_side(mw, delegation, as_user):
    _full_meeting(mw, delegation)
    client = as_user(mw.outsider)
    for name in ("invitation_docx", "notice_docx"):
        response = client.get(reverse(f"meetings:{name}", args=[delegation.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content[:2] == b"PK"


def test_delete_agenda_item_and_document(mw, delegation, as_user):
    item = services.add_agenda_item(
        actor=mw.commune_officer, meeting=delegation, title="X", upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    client = as_user(mw.commune_officer)
    document = item.documents.get()
    assert client.post(reverse("meetings:document_delete", args=[document.pk])).status_code == 302
    assert not item.documents.exists()
    assert client.post(reverse("meetings:agenda_delete", args=[item.pk])).status_code == 302
    assert not delegation.agenda_items.exists()


def test_another_meeting_kind_lists_only_once(mw, as_user):
    make_delegation(mw, title="Đoàn thứ hai")
    body = _body(as_user(mw.outsider).get(reverse("meetings:list")))
    assert body.count("Đoàn thứ hai") == 1


def test_list_and_detail_queries_do_not_grow_with_rows(mw, delegation, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(mw.province_admin)
    _full_meeting(mw, delegation)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    list_one, detail_one = count(reverse("meetings:list")), count(delegation.get_absolute_url())
    for n in range(5):
        make_delegation(mw, title=f"Đoàn công tác số {n}")
    services.add_agenda_item(
        actor=mw.commune_officer,
        meeting=delegation,
        title="Nội dung thêm",
        upload=SimpleUploadedFile("b.pdf", PDF_BYTES),
    )
    services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.secretary, mw.guest])
    assert count(reverse("meetings:list")) == list_one
    assert count(delegation.get_absolute_url()) == detail_one
