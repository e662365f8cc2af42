from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chidao.audit.models import AuditEntry
from chidao.meetings import files, services
from chidao.meetings.models import AgendaDocument, Attendance, Conclusion, Invitee, Meeting, MeetingKind, MeetingStatus
from chidao.org.scope import ScopeDenied
from tests.meetings.conftest import NOTICE_TEXT, START, make_delegation

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- splitting a conclusion notice ------------------------------------------------------------


def test_split_ordinal_words_in_running_text_drops_the_preamble():
    items = services.split_conclusions(NOTICE_TEXT)
    assert len(items) == 4
    assert items[0].startswith("Tiếp tục tham mưu giúp cấp ủy lãnh đạo")
    assert items[0].endswith("bảo vệ nền tảng tư tưởng của Đảng")  # the ";" before "hai là" is gone
    assert items[1].startswith("Tiếp tục đổi mới, nâng cao công tác giáo dục lý luận")
    assert items[3] == (
        "Nêu cao tinh thần trách nhiệm của cấp ủy, tổ chức đảng, cán bộ, đảng viên trong triển khai nhiệm vụ "
        "công tác quý II năm 2026."
    )
    assert all("Phát biểu kết luận" not in item for item in items)


def test_split_thu_nhat_thu_hai_and_ignores_ordinals_inside_sentences():
    text = (
        "Thứ nhất, tổ chức hội nghị sơ kết lần thứ hai vào tháng 6/2026; "
        "Thứ hai: kiện toàn Tổ giúp việc Ban Chỉ đạo; "
        "Thứ ba là, hoàn thành báo cáo quý II trước ngày 20/6."
    )
    assert services.split_conclusions(text) == [
        "Tổ chức hội nghị sơ kết lần thứ hai vào tháng 6/2026",
        "Kiện toàn Tổ giúp việc Ban Chỉ đạo",
        "Hoàn thành báo cáo quý II trước ngày 20/6.",
    ]


def test_split_counts_past_ten_and_skips_words_that_break_the_sequence():
    text = " ".join(
        f"{word} là, nội dung {n};"
        for n, word in enumerate(
            ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Mười một", "Mười hai"], start=1
        )
    )
    items = services.split_conclusions("Trong năm là thời điểm quan trọng. " + text)
    assert items == [f"Nội dung {n}" for n in range(1, 13)]


def test_split_numbered_lines_keeps_sub_points_inside_their_item():
    text = """THÔNG BÁO KẾT LUẬN
Ban Chỉ đạo thống nhất các nội dung sau:
1. Các thành viên Ban Chỉ đạo tiếp tục tham mưu cấp ủy lãnh đạo, chỉ đạo thực hiện Nghị quyết 35-NQ/TW.
   a) Văn phòng chuẩn bị dự thảo kế hoạch năm 2026.
   - Các phường gửi số liệu trước ngày 20/6.
2) Đổi mới, nâng cao chất lượng công tác giáo dục lý luận chính trị
3. Tăng cường công tác bảo vệ chính trị nội bộ."""
    items = services.split_conclusions(text)
    assert len(items) == 3
    assert items[0].splitlines() == [
        "Các thành viên Ban Chỉ đạo tiếp tục tham mưu cấp ủy lãnh đạo, chỉ đạo thực hiện Nghị quyết 35-NQ/TW.",
        "a) Văn phòng chuẩn bị dự thảo kế hoạch năm 2026.",
        "- Các phường gửi số liệu trước ngày 20/6.",
    ]
    assert items[1] == "Đổi mới, nâng cao chất lượng công tác giáo dục lý luận chính trị"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a) Kiện toàn Tổ thư ký\nb) Tổ chức tập huấn cộng tác viên",
            ["Kiện toàn Tổ thư ký", "Tổ chức tập huấn cộng tác viên"],
        ),
        ("- tổ chức tập huấn;\n- báo cáo quý II.", ["Tổ chức tập huấn", "Báo cáo quý II."]),
        ("• Tổ chức hội nghị\r\n• Gửi báo cáo", ["Tổ chức hội nghị", "Gửi báo cáo"]),
        ("Tổ chức hội nghị.\n\nGửi báo cáo.", ["Tổ chức hội nghị.", "Gửi báo cáo."]),
        ("   ", []),
    ],
)
def test_split_lists_and_plain_paragraphs(text, expected):
    assert services.split_conclusions(text) == expected


# --- meetings ---------------------------------------------------------------------------------


def test_create_delegation_audits_and_both_sides_see_it(mw):
    meeting = make_delegation(mw)
    assert AuditEntry.objects.filter(action="meetings.meeting.created", target_id=str(meeting.pk)).exists()
    for user in (mw.commune_officer, mw.outsider, mw.province_admin):
        assert Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists()
    for user in (mw.sibling_officer,):
        assert not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists()


def test_delegation_needs_a_different_visiting_committee(mw):
    with pytest.raises(ValidationError) as exc:
        make_delegation(mw, visiting_committee=None)
    assert "visiting_committee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_delegation(mw, visiting_committee=mw.host)
    assert "visiting_committee" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_end_before_start_and_empty_title_are_refused(mw):
    with pytest.raises(ValidationError) as exc:
        make_delegation(mw, ends_at=START - dt.timedelta(hours=1))
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_delegation(mw, title="   ")
    assert "title" in exc.value.message_dict


def test_only_the_host_secretariat_records_and_edits(mw, delegation):
    with pytest.raises(ScopeDenied):
        services.create_meeting(actor=mw.sibling_officer, host_committee=mw.host, title="X", starts_at=START)
    with pytest.raises(ScopeDenied):
        services.update_meeting(actor=mw.outsider, meeting=delegation, title="Đổi tên")
    with pytest.raises(ScopeDenied):
        services.update_meeting(actor=mw.viewer, meeting=delegation, title="Đổi tên")
    updated = services.update_meeting(actor=mw.province_admin, meeting=delegation, place="Nhà văn hóa phường")
    assert updated.place == "Nhà văn hóa phường"


def test_status_follows_transitions(mw, delegation):
    services.update_meeting(actor=mw.commune_officer, meeting=delegation, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError) as exc:
        services.update_meeting(actor=mw.commune_officer, meeting=delegation, status=MeetingStatus.HELD)
    assert "status" in exc.value.message_dict
    assert Meeting.objects.get(pk=delegation.pk).status == MeetingStatus.CANCELLED
    services.update_meeting(actor=mw.commune_officer, meeting=delegation, status=MeetingStatus.PLANNED)
    services.update_meeting(actor=mw.commune_officer, meeting=delegation, status=MeetingStatus.HELD)
    assert Meeting.objects.get(pk=delegation.pk).status == MeetingStatus.HELD


def test_update_refuses_unknown_fields(mw, delegation):
    with pytest.raises(ValidationError):
        services.update_meeting(actor=mw.commune_officer, meeting=delegation, host_committee=mw.sibling)


# --- agenda and files -------------------------------------------------------------------------


def test_agenda_items_are_numbered_and_documents_checked_by_content(mw, delegation):
    first = services.add_agenda_item(actor=mw.commune_officer, meeting=delegation, title="Báo cáo kết quả quý I")
    second = services.add_agenda_item(
        actor=mw.commune_officer,
        meeting=delegation,
        title="Trao đổi kinh nghiệm",
        presenter=mw.guest,
        upload=SimpleUploadedFile("../../bao cao\x00 quy I.exe.pdf", PDF_BYTES),
    )
    assert (first.order, second.order) == (1, 2)
    document = AgendaDocument.objects.get(agenda_item=second)
    assert document.content_type == "application/pdf"
    assert document.name.endswith(".pdf") and "/" not in document.name and "\x00" not in document.name
    assert document.file.name.startswith(f"meetings/{delegation.pk}/agenda/")
    assert document.file.read() == PDF_BYTES
    docx = services.attach_document(
        actor=mw.commune_officer, item=first, upload=SimpleUploadedFile("Kế hoạch.docx", docx_bytes())
    )
    assert docx.name == "Kế_hoạch.docx"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf"),
        ("trang.html", b"<html><script>alert(1)</script></html>"),
        ("goi.docx", b"PK\x03\x04 broken zip"),
    ],
)
def test_wrong_file_types_are_refused_and_nothing_is_stored(mw, delegation, name, content):
    item = services.add_agenda_item(actor=mw.commune_officer, meeting=delegation, title="Tài liệu")
    with pytest.raises(ValidationError) as exc:
        services.attach_document(actor=mw.commune_officer, item=item, upload=SimpleUploadedFile(name, content))
    assert "file" in exc.value.message_dict
    assert not AgendaDocument.objects.exists()


def test_size_limit_comes_from_settings(mw, delegation, settings):
    settings.MEETING_UPLOAD_MAX_BYTES = 10
    item = services.add_agenda_item(actor=mw.commune_officer, meeting=delegation, title="Tài liệu")
    with pytest.raises(ValidationError) as exc:
        services.attach_document(actor=mw.commune_officer, item=item, upload=SimpleUploadedFile("a.pdf", PDF_BYTES))
    assert "quá lớn" in exc.value.message_dict["file"][0]
    del settings.MEETING_UPLOAD_MAX_BYTES
    assert files.max_bytes() == 20 * 1024 * 1024


def test_removing_an_agenda_item_removes_its_files_after_commit(mw, delegation, django_capture_on_commit_callbacks):
    item = services.add_agenda_item(
        actor=mw.commune_officer, meeting=delegation, title="X", upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    stored = item.documents.get().file
    path = stored.path
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_agenda_item(actor=mw.commune_officer, item=item)
    assert not AgendaDocument.objects.exists()
    import os

    assert not os.path.exists(path)


def test_minutes_text_and_file(mw, delegation):
    services.save_minutes(
        actor=mw.commune_officer,
        meeting=delegation,
        text="Biên bản buổi làm việc",
        upload=SimpleUploadedFile("bien ban.pdf", PDF_BYTES),
    )
    meeting = Meeting.objects.get(pk=delegation.pk)
    assert meeting.minutes_text == "Biên bản buổi làm việc"
    assert meeting.minutes_file_name == "bien_ban.pdf"
    assert meeting.minutes_file.name.startswith(f"meetings/{meeting.pk}/minutes/")
    services.save_minutes(actor=mw.commune_officer, meeting=meeting, text="Biên bản", remove_file=True)
    assert not Meeting.objects.get(pk=meeting.pk).minutes_file


# --- invitees and attendance ------------------------------------------------------------------


def test_invite_skips_those_already_invited(mw, delegation):
    added = services.invite(
        actor=mw.commune_officer, meeting=delegation, people=[mw.chair, mw.member], units=[mw.commune_a]
    )
    again = services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.member, mw.guest])
    assert (added, again) == (3, 1)
    assert delegation.invitees.count() == 3
    assert list(delegation.invited_units.all()) == [mw.commune_a]


def test_attendance_present_absent_with_reason_and_delegated(mw, delegation):
    services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.chair, mw.member, mw.guest])
    services.record_attendance(
        actor=mw.commune_officer,
        meeting=delegation,
        rows=[
            services.AttendanceRow(person_id=mw.chair.pk, attendance=Attendance.PRESENT, absence_reason="ignored"),
            services.AttendanceRow(person_id=mw.member.pk, attendance=Attendance.ABSENT, absence_reason="Đi công tác"),
            services.AttendanceRow(
                person_id=mw.guest.pk, attendance=Attendance.DELEGATED, delegate=mw.secretary, absence_reason="Ốm"
            ),
        ],
    )
    rows = {i.person_id: i for i in Invitee.objects.filter(meeting=delegation)}
    assert (rows[mw.chair.pk].attendance, rows[mw.chair.pk].absence_reason) == ("present", "")
    assert (rows[mw.member.pk].attendance, rows[mw.member.pk].absence_reason) == ("absent", "Đi công tác")
    assert (rows[mw.guest.pk].attendance, rows[mw.guest.pk].delegate_id) == ("delegated", mw.secretary.pk)
    assert AuditEntry.objects.filter(action="meetings.attendance.recorded").count() == 1


def test_attendance_errors_name_the_person_and_save_nothing(mw, delegation):
    services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.chair, mw.member])
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(
            actor=mw.commune_officer,
            meeting=delegation,
            rows=[
                services.AttendanceRow(person_id=mw.chair.pk, attendance=Attendance.PRESENT),
                services.AttendanceRow(person_id=mw.member.pk, attendance=Attendance.ABSENT),
            ],
        )
    assert "Trần Thị Bình" in exc.value.message_dict["absence_reason"][0]
    assert set(Invitee.objects.values_list("attendance", flat=True)) == {""}
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(
            actor=mw.commune_officer,
            meeting=delegation,
            rows=[services.AttendanceRow(person_id=mw.chair.pk, attendance=Attendance.DELEGATED)],
        )
    assert "delegate" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(
            actor=mw.commune_officer,
            meeting=delegation,
            rows=[services.AttendanceRow(person_id=mw.guest.pk, attendance=Attendance.PRESENT)],
        )
    assert "person" in exc.value.message_dict


def test_visiting_side_cannot_record_attendance(mw, delegation):
    services.invite(actor=mw.commune_officer, meeting=delegation, people=[mw.guest])
    with pytest.raises(ScopeDenied):
        services.record_attendance(
            actor=mw.outsider,
            meeting=delegation,
            rows=[services.AttendanceRow(person_id=mw.guest.pk, attendance=Attendance.PRESENT)],
        )


# --- conclusions ------------------------------------------------------------------------------


def test_conclusions_from_text_keep_rows_by_number(mw, delegation):
    saved = services.record_conclusions_from_text(
        actor=mw.commune_officer,
        meeting=delegation,
        text=NOTICE_TEXT,
        notice_number="15-TB/BCĐ",
        notice_date=dt.date(2026, 3, 30),
    )
    assert [c.number for c in saved] == [1, 2, 3, 4]
    second_id = saved[1].pk
    meeting = Meeting.objects.get(pk=delegation.pk)
    assert (meeting.notice_number, meeting.notice_date) == ("15-TB/BCĐ", dt.date(2026, 3, 30))
    assert meeting.notice_text.startswith("Phát biểu kết luận")
    # The secretary corrects conclusion 2 and drops the last two.
    texts = [c.text for c in saved]
    again = services.save_conclusions(
        actor=mw.commune_officer, meeting=meeting, items=[texts[0], "Nâng cao chất lượng giáo dục chính trị", "", ""]
    )
    assert [(c.number, c.text) for c in again] == [(1, texts[0]), (2, "Nâng cao chất lượng giáo dục chính trị")]
    assert again[1].pk == second_id
    assert Conclusion.objects.filter(meeting=meeting).count() == 2
    actions = list(
        AuditEntry.objects.filter(action="meetings.conclusions.saved").order_by("id").values_list("changes", flat=True)
    )
    assert actions[-1]["removed"] == [3, 4] and actions[-1]["changed"] == [2]


def test_conclusions_need_text_and_a_notice_date_after_the_meeting(mw, delegation):
    with pytest.raises(ValidationError) as exc:
        services.record_conclusions_from_text(actor=mw.commune_officer, meeting=delegation, text="  ")
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_conclusions(
            actor=mw.commune_officer, meeting=delegation, items=["Một"], notice_date=dt.date(2026, 1, 1)
        )
    assert "notice_date" in exc.value.message_dict
    assert not Conclusion.objects.exists()


def test_visiting_side_cannot_change_conclusions(mw, delegation):
    with pytest.raises(ScopeDenied):
        services.save_conclusions(actor=mw.outsider, meeting=delegation, items=["Một"])


def test_kinds_cover_the_committee_rhythm():
    assert {
        "regular",
        "quarterly_review",
        "mid_term_review",
        "final_review",
        "thematic",
        "delegation",
        "training",
    } == set(MeetingKind.values)
