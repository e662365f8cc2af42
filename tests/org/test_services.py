import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chidao.audit.models import AuditEntry
from chidao.org import services
from chidao.org.models import Membership, Role, Unit, UnitKind
from chidao.org.scope import ScopeDenied

D = dt.date


@pytest.fixture
def committee(world):
    return services.create_committee(
        actor=world.province_admin,
        unit=world.province_a,
        name="Ban Chỉ đạo 35 thành phố Đà Nẵng",
        short_name="BCĐ 35",
    )


@pytest.fixture
def person(world):
    return services.create_person(
        actor=world.province_admin,
        unit=world.province_a,
        full_name="Đoàn Ngọc Hùng Anh",
    )


def test_agency_is_created_under_parent_with_closure_and_audit(world):
    agency = services.create_unit(
        actor=world.province_admin,
        parent=world.province_a,
        name="Ban Tuyên giáo Thành ủy",
        agency_type="party_board",
    )
    assert agency.kind == UnitKind.AGENCY
    assert agency.depth == 2
    assert list(Unit.objects.ancestors_of(agency).values_list("code", flat=True)) == [
        "VN",
        "P48",
        agency.code,
    ]
    assert Unit.objects.subtree_of(world.province_a).filter(pk=agency.pk).exists()
    assert AuditEntry.objects.filter(action="org.unit.created", target_id=str(agency.pk)).exists()


def test_duplicate_unit_code_is_refused_and_nothing_changes(world):
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_unit(
            actor=world.province_admin,
            parent=world.province_a,
            name="Trùng",
            code="W20242",
            agency_type="other",
        )
    assert "đã tồn tại" in exc.value.message_dict["code"][0]
    assert Unit.objects.count() == before


def test_sibling_officer_cannot_create_agency_in_other_commune(world):
    with pytest.raises(ScopeDenied):
        services.create_unit(
            actor=world.sibling_officer,
            parent=world.commune_a,
            name="Ban X",
            agency_type="other",
        )


def test_viewer_cannot_write(world):
    with pytest.raises(ScopeDenied):
        services.create_person(actor=world.viewer, unit=world.province_a, full_name="Ai đó")


def test_membership_ending_before_it_starts_is_refused(world, committee, person):
    with pytest.raises(ValidationError) as exc:
        services.appoint_member(
            actor=world.province_admin,
            committee=committee,
            person=person,
            role=Role.HEAD,
            start_date=D(2024, 5, 1),
            end_date=D(2024, 1, 1),
        )
    assert "end_date" in exc.value.message_dict
    assert not Membership.objects.exists()


def test_unknown_role_is_refused(world, committee, person):
    with pytest.raises(ValidationError) as exc:
        services.appoint_member(
            actor=world.province_admin,
            committee=committee,
            person=person,
            role="emperor",
            start_date=D(2024, 1, 1),
        )
    assert "không hợp lệ" in exc.value.message_dict["role"][0]


def test_overlapping_seat_in_same_role_is_refused(world, committee, person):
    services.appoint_member(
        actor=world.province_admin,
        committee=committee,
        person=person,
        role=Role.MEMBER,
        start_date=D(2023, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.appoint_member(
            actor=world.province_admin,
            committee=committee,
            person=person,
            role=Role.MEMBER,
            start_date=D(2024, 1, 1),
        )


def test_reshuffle_keeps_history_and_composition_on_past_dates(world, committee, person):
    from chidao.org.queries import composition

    other = services.create_person(actor=world.province_admin, unit=world.province_a, full_name="Nguyễn Văn B")
    old = services.appoint_member(
        actor=world.province_admin,
        committee=committee,
        person=person,
        role=Role.HEAD,
        start_date=D(2022, 1, 1),
    )
    services.reshuffle_committee(
        actor=world.province_admin,
        committee=committee,
        decision="123-QĐ/TU",
        effective_date=D(2024, 7, 1),
        ending=[old],
        appointments=[services.Appointment(person=other, role=Role.HEAD)],
    )
    old.refresh_from_db()
    assert old.end_date == D(2024, 6, 30)
    assert old.end_decision == "123-QĐ/TU"
    assert [m.person.full_name for m in composition(committee, D(2023, 1, 1)).leaders] == ["Đoàn Ngọc Hùng Anh"]
    assert [m.person.full_name for m in composition(committee, D(2024, 7, 1)).leaders] == ["Nguyễn Văn B"]
    assert AuditEntry.objects.filter(action="org.committee.reshuffled").count() == 1


def test_reshuffle_is_all_or_nothing(world, committee, person):
    old = services.appoint_member(
        actor=world.province_admin,
        committee=committee,
        person=person,
        role=Role.HEAD,
        start_date=D(2022, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.reshuffle_committee(
            actor=world.province_admin,
            committee=committee,
            decision="124-QĐ/TU",
            effective_date=D(2024, 7, 1),
            ending=[old],
            appointments=[services.Appointment(person=person, role="not-a-role")],
        )
    old.refresh_from_db()
    assert old.end_date is None


def test_standing_agency_must_belong_to_the_committee_unit(world):
    foreign = services.create_unit(
        actor=world.outsider,
        parent=world.province_b,
        name="Ban Tuyên giáo Tỉnh ủy",
        agency_type="party_board",
    )
    with pytest.raises(ValidationError) as exc:
        services.create_committee(
            actor=world.system_admin,
            unit=world.province_a,
            name="BCĐ",
            standing_agency=foreign,
        )
    assert "standing_agency" in exc.value.message_dict


def test_update_person_records_before_and_after(world, person):
    services.update_person(
        actor=world.province_admin,
        person=person,
        titles="Trưởng Ban Tuyên giáo Thành ủy",
    )
    entry = AuditEntry.objects.get(action="org.person.updated")
    assert entry.changes == {"titles": ["", "Trưởng Ban Tuyên giáo Thành ủy"]}
    assert entry.actor == world.province_admin


def test_successor_grant_reaches_pre_reform_units_but_not_siblings(world):
    from chidao.org.models import Committee
    from tests.conftest import make_unit

    old_province = make_unit(
        "OP49", "Tỉnh Quảng Nam", UnitKind.PROVINCE, world.root, valid_until=D(2025, 6, 30), successor=world.province_a
    )
    old_district = make_unit("OD502", "Thành phố Tam Kỳ", UnitKind.DISTRICT, old_province, valid_until=D(2025, 6, 30))
    committee = services.create_committee(
        actor=world.system_admin, unit=old_province, name="Ban Chỉ đạo 35 tỉnh Quảng Nam"
    )
    assert Committee.objects.visible_to(world.province_admin).filter(pk=committee.pk).exists()
    assert Unit.objects.visible_to(world.province_admin).filter(pk=old_district.pk).exists()
    assert not Committee.objects.visible_to(world.outsider).filter(pk=committee.pk).exists()
    assert not Committee.objects.visible_to(world.commune_officer).filter(pk=committee.pk).exists()
