import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.audit.models import AuditEntry
from chidao.org import services
from chidao.org.models import Committee, Membership, Person, Role, Unit

D = dt.date


@pytest.fixture
def committee(world):
    c = services.create_committee(
        actor=world.province_admin,
        unit=world.province_a,
        name="Ban Chỉ đạo 35 thành phố Đà Nẵng",
    )
    services.create_group(actor=world.province_admin, committee=c, kind="secretariat", name="Tổ thư ký")
    return c


def test_home_shows_current_unit_and_committees(world, committee, as_user):
    response = as_user(world.province_admin).get("/")
    assert response.status_code == 200
    assert "Thành phố Đà Nẵng" in response.content.decode()
    assert "Ban Chỉ đạo 35 thành phố Đà Nẵng" in response.content.decode()


def test_unit_switcher_changes_the_working_unit(world, as_user):
    client = as_user(world.province_admin)
    response = client.post(reverse("org:switch_unit"), {"unit": world.commune_b.pk, "next": "/"})
    assert response.status_code == 302
    assert "<h1>Phường Thanh Khê</h1>" in client.get("/").content.decode()


def test_unit_page_filters_children_without_diacritics_via_htmx(world, as_user):
    client = as_user(world.province_admin)
    response = client.get(
        reverse("org:unit_detail", args=[world.province_a.pk]),
        {"q": "thanh khe"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Phường Thanh Khê" in body
    assert "Phường Hải Châu" not in body
    assert "<html" not in body  # only the #children region


def test_creating_agency_through_the_form(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(
        reverse("org:agency_create", args=[world.commune_a.pk]),
        {"name": "Đảng ủy phường Hải Châu", "agency_type": "party_committee"},
    )
    assert response.status_code == 302
    assert Unit.objects.filter(name="Đảng ủy phường Hải Châu", parent=world.commune_a).exists()


def test_duplicate_code_shows_vietnamese_error_on_the_field(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(
        reverse("org:agency_create", args=[world.commune_a.pk]),
        {"name": "X", "agency_type": "other", "code": "P48"},
    )
    assert response.status_code == 200
    assert "Mã đơn vị “P48” đã tồn tại." in response.content.decode()


def test_viewer_gets_403_with_message_when_writing(world, committee, as_user):
    response = as_user(world.viewer).post(
        reverse("org:group_create", args=[committee.pk]),
        {"kind": "experts", "name": "Nhóm chuyên gia"},
    )
    assert response.status_code == 403
    assert "Thư ký, biên tập" in response.content.decode()


def test_appoint_then_org_chart_and_history(world, committee, as_user):
    client = as_user(world.province_admin)
    person = services.create_person(
        actor=world.province_admin,
        unit=world.province_a,
        full_name="Đoàn Ngọc Hùng Anh",
        titles="Trưởng Ban Tuyên giáo Thành ủy",
    )
    response = client.post(
        reverse("org:member_appoint", args=[committee.pk]),
        {
            "person": person.pk,
            "role": Role.HEAD,
            "start_date": "2022-01-10",
            "decision": "01-QĐ/TU",
        },
    )
    assert response.status_code == 302
    chart = client.get(committee.get_absolute_url()).content.decode()
    assert "Đoàn Ngọc Hùng Anh" in chart and "Trưởng ban" in chart
    before = client.get(committee.get_absolute_url(), {"on": "2021-12-31"}).content.decode()
    assert "Đoàn Ngọc Hùng Anh" not in before
    history = client.get(reverse("org:committee_history", args=[committee.pk])).content.decode()
    assert "01-QĐ/TU" in history


def test_membership_end_before_start_is_shown_and_nothing_saved(world, committee, as_user):
    person = services.create_person(actor=world.province_admin, unit=world.province_a, full_name="Nguyễn Văn B")
    m = services.appoint_member(
        actor=world.province_admin,
        committee=committee,
        person=person,
        role=Role.MEMBER,
        start_date=D(2024, 1, 1),
    )
    response = as_user(world.province_admin).post(
        reverse("org:membership_end", args=[m.pk]), {"end_date": "2023-01-01"}
    )
    assert response.status_code == 200
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.content.decode()
    m.refresh_from_db()
    assert m.end_date is None


def test_reshuffle_page_ends_and_appoints_under_one_decision(world, committee, as_user):
    a = services.create_person(actor=world.province_admin, unit=world.province_a, full_name="Người Cũ")
    b = services.create_person(actor=world.province_admin, unit=world.province_a, full_name="Người Mới")
    old = services.appoint_member(
        actor=world.province_admin,
        committee=committee,
        person=a,
        role=Role.HEAD,
        start_date=D(2022, 1, 1),
    )
    response = as_user(world.province_admin).post(
        reverse("org:committee_reshuffle", args=[committee.pk]),
        {
            "decision": "250-QĐ/TU",
            "effective_date": "2025-07-01",
            "ending": [old.pk],
            "row0-person": b.pk,
            "row0-role": Role.HEAD,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=b).decision == "250-QĐ/TU"
    old.refresh_from_db()
    assert old.end_date == D(2025, 6, 30)


def _csv(text: str, name: str = "ds.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


def test_member_import_all_valid_rows_are_saved(world, committee, as_user):
    data = "Họ và tên,Chức vụ,Vai trò,Tổ/nhóm,Từ ngày,Quyết định\nLê Văn C,Chánh Văn phòng,Ủy viên,,01/03/2024,15-QĐ/TU\nTrần Thị D,,Thành viên Tổ giúp việc,Tổ thư ký,01/03/2024,15-QĐ/TU\n"
    response = as_user(world.province_admin).post(
        reverse("org:member_import", args=[committee.pk]), {"file": _csv(data)}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(committee=committee).count() == 2


def test_malformed_import_reports_row_and_column_and_saves_nothing(world, committee, as_user):
    data = "Ho va ten,Vai tro,Tu ngay\nLê Văn C,Ủy viên,01/03/2024\nTrần Thị D,Hoàng đế,31/02/2024\n"
    response = as_user(world.province_admin).post(
        reverse("org:member_import", args=[committee.pk]), {"file": _csv(data)}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dòng 3, cột “Vai trò”" in body
    assert "Dòng 3, cột “Từ ngày”" in body
    assert not Membership.objects.exists()
    assert not Person.objects.filter(full_name="Lê Văn C").exists()


def test_import_refuses_non_spreadsheet(world, committee, as_user):
    response = as_user(world.province_admin).post(
        reverse("org:member_import", args=[committee.pk]),
        {"file": _csv("<html></html>", "x.html")},
    )
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in response.content.decode()


def test_org_chart_query_count_does_not_grow_with_members(world, committee, as_user, django_assert_max_num_queries):
    client = as_user(world.province_admin)
    for i in range(3):
        p = services.create_person(
            actor=world.province_admin,
            unit=world.province_a,
            full_name=f"Thành viên {i}",
        )
        services.appoint_member(
            actor=world.province_admin,
            committee=committee,
            person=p,
            role=Role.MEMBER,
            start_date=D(2024, 1, 1),
        )
    with CaptureQueriesContext(connection) as small:
        client.get(committee.get_absolute_url())
    for i in range(3, 20):
        p = services.create_person(
            actor=world.province_admin,
            unit=world.province_a,
            full_name=f"Thành viên {i}",
        )
        services.appoint_member(
            actor=world.province_admin,
            committee=committee,
            person=p,
            role=Role.MEMBER,
            start_date=D(2024, 1, 1),
        )
    with CaptureQueriesContext(connection) as large:
        client.get(committee.get_absolute_url())
    assert len(large) == len(small)


def test_committee_list_is_scoped_to_the_working_unit(world, committee, as_user):
    services.create_committee(
        actor=world.outsider,
        unit=world.province_b,
        name="Ban Chỉ đạo 35 tỉnh Quảng Ninh",
    )
    body = as_user(world.province_admin).get(reverse("org:committee_list")).content.decode()
    assert "Ban Chỉ đạo 35 thành phố Đà Nẵng" in body
    assert "Quảng Ninh" not in body
    assert Committee.objects.count() == 2


def test_english_translation_is_switchable(world, as_user):
    client = as_user(world.province_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("org:committee_list")).content.decode()
    assert 'lang="en"' in body
    assert "Steering Committees" in body
    assert "Tổng quan" not in body


def test_every_write_leaves_an_audit_entry_with_request_context(world, as_user):
    client = as_user(world.commune_officer)
    client.post(
        reverse("org:agency_create", args=[world.commune_a.pk]),
        {"name": "Chi bộ khu phố 1", "agency_type": "party_committee"},
        HTTP_USER_AGENT="pytest-agent",
    )
    entry = AuditEntry.objects.get(action="org.unit.created")
    assert entry.actor == world.commune_officer
    assert entry.user_agent == "pytest-agent"
    assert entry.path == reverse("org:agency_create", args=[world.commune_a.pk])
    assert entry.changes["name"] == "Chi bộ khu phố 1"


def test_member_import_reads_vietnamese_roles_when_the_user_works_in_english(world, committee, as_user):
    client = as_user(world.province_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = "Họ và tên,Vai trò,Từ ngày\nLê Văn C,Trưởng ban,01/03/2024\n"
    response = client.post(reverse("org:member_import", args=[committee.pk]), {"file": _csv(data)})
    assert response.status_code == 302
    assert Membership.objects.get(person__full_name="Lê Văn C").role == Role.HEAD


def test_interface_stays_vietnamese_whatever_the_browser_language(world, as_user):
    body = as_user(world.viewer).get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="vi"' in body
    assert "Tổng quan" in body
