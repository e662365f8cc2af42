"""The demo data: what `chidao demo` creates, and that running it again creates nothing."""

from __future__ import annotations

import base64
import datetime as dt
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from chidao.accounts.models import RoleGrant, User
from chidao.audit.models import AuditEntry
from chidao.org.demo import (
    DEMO_PASSWORD,
    RESHUFFLE_DATE,
    RESHUFFLE_DECISION,
    SAMPLE_MARK,
    load_demo,
)
from chidao.org.models import (
    Committee,
    CommitteeGroup,
    Membership,
    Person,
    Unit,
    UnitClosure,
)

pytestmark = pytest.mark.django_db

MODELS = (Unit, UnitClosure, Committee, CommitteeGroup, Person, Membership, User, RoleGrant, TOTPDevice, AuditEntry)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 takes most of a demo load's time; the hash algorithm is not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_without_units_creates_article_committees_under_pre_reform_provinces() -> None:
    summary = load_demo(with_units=False)

    assert summary.units is None
    assert Unit.objects.count() < 40
    by_short_name = {str(c): c.unit.code for c in Committee.objects.select_related("unit")}
    assert by_short_name["Ban Chỉ đạo 35 TP Đà Nẵng"] == "OP48"
    assert by_short_name["Ban Chỉ đạo 35 tỉnh Quảng Ninh"] == "OP22"
    assert by_short_name["Ban Chỉ đạo 35 tỉnh Thanh Hóa"] == "OP38"
    assert by_short_name["Ban Chỉ đạo 35 tỉnh Sơn La"] == "OP14"
    assert by_short_name["Ban Chỉ đạo 35 phường Hải Châu"] == "W20242"
    assert all(c.kind == "party" for c in Committee.objects.all())
    lan = Membership.objects.get(person__full_name="Nguyễn Thị Thu Lan")
    assert lan.get_role_display() == "Phó Trưởng ban"
    assert "không ghi năm" in lan.note


def test_second_load_creates_nothing_and_writes_no_audit_entry() -> None:
    load_demo(with_units=False)
    before = row_counts()

    summary = load_demo(with_units=False)

    assert summary.is_empty
    assert "(nothing new)" in str(summary)
    assert row_counts() == before


def test_quang_nam_committee_belongs_to_historical_unit_succeeded_by_da_nang() -> None:
    load_demo(with_units=False)

    committee = Committee.objects.select_related("unit__successor", "standing_agency").get(
        name="Ban Chỉ đạo 35 tỉnh Quảng Nam"
    )

    assert committee.unit.code == "OP49"
    assert committee.unit.valid_until == dt.date(2025, 6, 30)
    assert committee.unit.successor is not None
    assert committee.unit.successor.code == "P48"
    assert committee.unit.successor.name == "Thành phố Đà Nẵng"
    assert committee.standing_agency is not None
    assert committee.standing_agency.name == "Ban Tuyên giáo Tỉnh ủy Quảng Nam"
    assert committee.standing_agency.successor is not None
    assert committee.standing_agency.successor.name == "Ban Tuyên giáo và Dân vận Thành ủy Đà Nẵng"
    assert committee.dissolved_on == dt.date(2025, 7, 1)
    assert not Committee.objects.active().filter(pk=committee.pk).exists()
    assert not committee.memberships.current().exists()
    assert set(committee.groups.values_list("name", flat=True)) == {"Nhóm chuyên gia", "Cộng tác viên"}


def test_reshuffle_shows_ended_and_new_memberships_under_one_decision() -> None:
    load_demo(with_units=False)
    committee = Committee.objects.get(name="Ban Chỉ đạo 35 phường Hải Châu")

    ended = committee.memberships.filter(end_decision=RESHUFFLE_DECISION)
    opened = committee.memberships.filter(decision=RESHUFFLE_DECISION)

    assert {m.person.full_name for m in ended} == {f"Lê Văn C {SAMPLE_MARK}", f"Phạm Thị D {SAMPLE_MARK}"}
    assert {m.end_date for m in ended} == {RESHUFFLE_DATE - dt.timedelta(days=1)}
    assert {(m.person.full_name, m.role) for m in opened} == {
        (f"Phạm Thị D {SAMPLE_MARK}", "deputy"),
        (f"Đặng Văn H {SAMPLE_MARK}", "member"),
    }
    assert {m.start_date for m in opened} == {RESHUFFLE_DATE}
    before = {m.person.full_name for m in committee.memberships.active_on(RESHUFFLE_DATE - dt.timedelta(days=1))}
    after = {m.person.full_name for m in committee.memberships.active_on(RESHUFFLE_DATE)}
    assert f"Lê Văn C {SAMPLE_MARK}" in before - after
    assert f"Đặng Văn H {SAMPLE_MARK}" in after - before
    assert AuditEntry.objects.filter(action="org.committee.reshuffled", target_id=str(committee.pk)).count() == 1


def test_no_real_person_has_email_or_phone() -> None:
    load_demo(with_units=False)

    real = Person.objects.exclude(full_name__contains=SAMPLE_MARK)

    assert set(real.values_list("full_name", flat=True)) == {
        "Đoàn Ngọc Hùng Anh",
        "Phạm Văn Tuấn",
        "Nguyễn Thị Thu Lan",
        "Nguyễn Hữu Sáng",
        "Lò Minh Hùng",
        "Đinh Thị Bích Thảo",
    }
    assert not real.exclude(email="", phone="").exists()
    assert all("Không lưu thông tin liên lạc" in p.note for p in real)
    assert not Person.objects.exclude(email="", phone="").exists()


def test_demo_users_have_one_password_and_only_administrators_have_an_authenticator() -> None:
    summary = load_demo(with_units=False)

    logins = {login.username: login for login in summary.logins}
    assert summary.logins[0].username == "thuky.haichau"
    assert set(logins) == {"quantri", "bcd.danang", "thuky.danang", "thuky.haichau", "xem.quangninh"}
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="quantri").is_superuser
    assert not User.objects.get(username="bcd.danang").is_superuser
    assert RoleGrant.objects.get(user__username="xem.quangninh").unit.code == "P22"
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
    assert with_device == {"quantri", "bcd.danang"}
    assert not logins["thuky.haichau"].totp_secret
    # Enrolment spent the current code, so sign in with the next one (within the device's tolerance).
    next_code = TOTP(base64.b32decode(logins["bcd.danang"].totp_secret))
    next_code.time = time.time() + 30
    assert TOTPDevice.objects.get(user__username="bcd.danang").verify_token(f"{next_code.token():06d}")


def test_commune_secretary_sees_own_committee_but_not_other_provinces() -> None:
    load_demo(with_units=False)
    secretary = User.objects.get(username="thuky.haichau")

    visible = set(Committee.objects.visible_to(secretary).values_list("name", flat=True))

    assert visible == {"Ban Chỉ đạo 35 phường Hải Châu"}


def test_full_load_after_quick_load_fills_units_without_duplicating_demo_rows() -> None:
    load_demo(with_units=False)
    demo_rows = {model.__name__: model.objects.count() for model in (Committee, Person, Membership, User)}

    summary = load_demo(with_units=True)

    assert summary.units is not None
    assert summary.units.created > 10_000
    assert summary.is_empty
    assert {model.__name__: model.objects.count() for model in (Committee, Person, Membership, User)} == demo_rows
    assert Unit.objects.get(code="OP49").official_code == 49
    parent = Unit.objects.get(code="W20242").parent
    assert parent is not None and parent.code == "P48"
    agency = Unit.objects.get(code="W20242-dang-uy-phuong-hai-chau")
    assert list(Unit.objects.ancestors_of(agency).values_list("code", flat=True)) == [
        "VN",
        "P48",
        "W20242",
        agency.code,
    ]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-units", *args, stdout=out)
    return out.getvalue()


def test_demo_command_prints_summary_and_secretariat_login_first() -> None:
    output = run_demo()

    first_line = output.splitlines()[0]
    assert first_line.startswith("demo: ")
    assert "8 committees" in first_line
    assert DEMO_PASSWORD in output
    assert "Bắt đầu với: thuky.haichau" in output
    assert "khóa " in output and "quantri" in output
    assert Committee.objects.count() == 8


def test_demo_command_dry_run_rolls_everything_back() -> None:
    before = row_counts()

    output = run_demo("--dry-run")

    assert "dry run, rolled back" in output
    assert row_counts() == before


@override_settings(PRODUCTION=True)
def test_demo_command_refuses_to_run_in_production(settings: Any) -> None:
    with pytest.raises(CommandError, match="CHIDAO_PRODUCTION"):
        run_demo()
    assert not User.objects.exists()
