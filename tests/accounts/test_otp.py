"""Two-factor authentication with real TOTP codes: enrolment, sign-in, backup codes, turning off."""

from __future__ import annotations

import re

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chidao.accounts import services
from chidao.accounts.models import AccessRole, User
from chidao.audit.models import AuditEntry
from tests.accounts.conftest import PASSWORD, code_for, text_of
from tests.conftest import login

LOGIN = "/account/login/"
SETUP = "/account/otp/setup/"
VERIFY = "/account/otp/verify/"


def _new_admin(world) -> User:
    """A committee administrator who has never enrolled a device."""
    user = User.objects.create_user(username="new_admin", password=PASSWORD, full_name="Quản trị mới")
    services.grant_role(
        actor=world.system_admin,
        user=user,
        unit=world.commune_a,
        role=AccessRole.COMMITTEE_ADMIN,
    )
    return user


def test_admin_without_device_is_sent_to_setup_and_enrols_with_a_real_code(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting after the deliberate wrong code below
    admin = _new_admin(world)
    response = client.post(LOGIN, {"username": "new_admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get("/").status_code == 302  # nothing else until enrolled

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert " style=" not in html  # strict CSP: the QR code is inline SVG without style attributes
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32

    response = client.post(
        response["Location"],
        {"token": "000000" if code_for(device) != "000000" else "111111"},
    )
    assert response.status_code == 200 and "Mã xác thực không đúng" in text_of(response)

    response = client.post(SETUP + "?next=/", {"token": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_backup_codes"))
    device.refresh_from_db()
    assert device.confirmed

    codes_page = client.get(response["Location"])
    codes = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", codes_page.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert re.findall(r"<li class=\"col\">", client.get(response["Location"]).content.decode()) == []  # shown once

    assert client.get("/").status_code == 200  # the session is verified
    entry = AuditEntry.objects.get(action="accounts.otp.enabled")
    assert entry.actor == admin and entry.changes["backup_codes"] == 10


def test_middleware_sends_an_unenrolled_admin_to_setup(client, world):
    admin = _new_admin(world)
    client.force_login(admin)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"] == SETUP


def test_admin_with_device_signs_in_with_password_then_code(client, world):
    device = world.province_admin.totpdevice_set.get()
    response = client.post(LOGIN + "?next=/account/", {"username": "province_admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=%2Faccount%2F"
    assert client.get("/account/").status_code == 302  # password alone is not enough

    response = client.post(VERIFY, {"token": "12345", "next": "/account/"})
    assert response.status_code == 200 and "Mã xác thực không đúng" in text_of(response)

    response = client.post(VERIFY, {"token": code_for(device), "next": "/account/"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_a_right_code_right_after_a_wrong_one_asks_to_wait(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = world.province_admin.totpdevice_set.get()
    client.force_login(world.province_admin)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    assert "Mã xác thực không đúng" in text_of(client.post(VERIFY, {"token": wrong}))
    response = client.post(VERIFY, {"token": code_for(device)})
    assert response.status_code == 200
    assert re.search(r"Đã nhập sai nhiều lần\. Hãy đợi (59|60) giây rồi thử lại\.", text_of(response))


def test_a_used_code_cannot_be_replayed(client, world):
    device = world.province_admin.totpdevice_set.get()
    code = code_for(device)
    client.force_login(world.province_admin)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.logout()
    client.force_login(world.province_admin)
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200


def test_backup_code_signs_in_once_and_is_audited(client, world):
    codes = services.regenerate_backup_codes(actor=world.province_admin)
    client.force_login(world.province_admin)
    response = client.post(VERIFY, {"token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert AuditEntry.objects.get(action="accounts.otp.backup_code_used").changes == {"codes_left": 9}
    client.logout()
    client.force_login(world.province_admin)
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 200


def test_unverified_session_cannot_enrol_a_replacement_device(client, world):
    client.force_login(world.province_admin)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=world.province_admin, confirmed=False).exists()


def test_verified_admin_replaces_their_device(client, world):
    login(client, world.province_admin)
    old = world.province_admin.totpdevice_set.get()
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=world.province_admin, confirmed=False)
    response = client.post(SETUP, {"token": code_for(new)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=world.province_admin).values_list("pk", flat=True)) == [new.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get("/account/").status_code == 200


def test_officer_enables_from_profile_and_disables_with_password(client, world):
    login(client, world.commune_officer)
    assert "Bật xác thực hai lớp" in text_of(client.get("/account/"))
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.commune_officer)
    client.post(SETUP, {"token": code_for(device)})
    assert "Đang bật" in text_of(client.get("/account/"))

    response = client.post(reverse("accounts:otp_disable"), {"password": "sai"})
    assert response.status_code == 200 and "Mật khẩu không đúng" in text_of(response)
    assert TOTPDevice.objects.filter(user=world.commune_officer).exists()

    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.commune_officer).exists()
    assert not StaticToken.objects.filter(device__user=world.commune_officer).exists()
    assert AuditEntry.objects.filter(action="accounts.otp.disabled", actor=world.commune_officer).exists()
    assert client.get("/account/").status_code == 200  # no second factor asked any more


def test_admin_cannot_disable_two_factor(client, world):
    login(client, world.province_admin)
    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "bắt buộc dùng xác thực hai lớp" in text_of(response)
    assert TOTPDevice.objects.filter(user=world.province_admin, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action="accounts.otp.disabled").exists()


def test_regenerated_backup_codes_replace_the_old_ones(client, world):
    old = services.regenerate_backup_codes(actor=world.province_admin)
    login(client, world.province_admin)
    response = client.post(reverse("accounts:otp_backup_codes"))
    assert response.status_code == 302
    new = re.findall(
        r"<li class=\"col\">([a-z2-7]{8})</li>",
        client.get(response["Location"]).content.decode(),
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEntry.objects.filter(action="accounts.otp.backup_codes_renewed").count() == 2
