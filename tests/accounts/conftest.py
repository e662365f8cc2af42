"""Helpers for the account tests: real TOTP codes and a second province's administrator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chidao.accounts.models import AccessRole, User
from tests.conftest import World, make_user

PASSWORD = "Mat-khau-2026!"


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device` (RFC 6238 with the device's key)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def text_of(response: Any) -> str:
    """The page text without tags, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 costs half a second per hash by design; the rules under test do not depend on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_admin(world: World) -> User:
    """Committee administrator of the other province (P_B), with a confirmed device."""
    return make_user("other_admin", AccessRole.COMMITTEE_ADMIN, world.province_b)
