"""Shared test personas and a small unit tree.

Tree:  VN ── P_A "Thành phố Đà Nẵng" ── commune A "Phường Hải Châu", commune B "Phường Thanh Khê"
          └─ P_B "Tỉnh Quảng Ninh"  ── commune C "Phường Hạ Long"

Personas: system_admin (superuser, system administrator on VN), province_admin (committee
administrator on P_A), commune_officer (secretariat on commune A), sibling_officer (secretariat on
commune B, same parent), outsider (secretariat on P_B), viewer (viewer on P_A).
Administrators have a confirmed TOTP device and log in verified through `login()`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from chidao.accounts.middleware import TOUCHED_KEY
from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.org.models import Unit, UnitKind
from chidao.org.services import add_closure_rows


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 unless they ask for the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


def make_unit(code: str, name: str, kind: str, parent: Unit | None = None, **extra: Any) -> Unit:
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        **extra,
    )
    unit.save()
    add_closure_rows(unit)
    return unit


def make_user(username: str, role: str | None = None, unit: Unit | None = None, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password="Mat-khau-2026!", full_name=username, **extra)
    if role and unit:
        RoleGrant.objects.create(user=user, unit=unit, role=role)
    if role in (AccessRole.SYSTEM_ADMIN, AccessRole.COMMITTEE_ADMIN) or extra.get("is_superuser"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def login(client: Client, user: User) -> Client:
    """Log in as `user`, with the second factor verified when the user has a device."""
    client.force_login(user)
    session = client.session
    session[TOUCHED_KEY] = int(time.time())  # as a login through the form leaves it
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@dataclass
class World:
    root: Unit
    province_a: Unit
    province_b: Unit
    commune_a: Unit
    commune_b: Unit
    commune_c: Unit
    system_admin: User
    province_admin: User
    commune_officer: User
    sibling_officer: User
    outsider: User
    viewer: User


@pytest.fixture
def world(db: Any) -> World:
    return _world()


def _world() -> World:
    root = make_unit("VN", "Việt Nam", UnitKind.NATIONAL)
    pa = make_unit(
        "P48",
        "Thành phố Đà Nẵng",
        UnitKind.PROVINCE,
        root,
        valid_from=dt.date(2025, 7, 1),
    )
    pb = make_unit(
        "P22",
        "Tỉnh Quảng Ninh",
        UnitKind.PROVINCE,
        root,
        valid_from=dt.date(2025, 7, 1),
    )
    ca = make_unit("W20242", "Phường Hải Châu", UnitKind.COMMUNE, pa)
    cb = make_unit("W20209", "Phường Thanh Khê", UnitKind.COMMUNE, pa)
    cc = make_unit("W06652", "Phường Hạ Long", UnitKind.COMMUNE, pb)
    return World(
        root=root,
        province_a=pa,
        province_b=pb,
        commune_a=ca,
        commune_b=cb,
        commune_c=cc,
        system_admin=make_user("sysadmin", AccessRole.SYSTEM_ADMIN, root, is_superuser=True, is_staff=True),
        province_admin=make_user("province_admin", AccessRole.COMMITTEE_ADMIN, pa),
        commune_officer=make_user("commune_officer", AccessRole.SECRETARIAT, ca),
        sibling_officer=make_user("sibling_officer", AccessRole.SECRETARIAT, cb),
        outsider=make_user("outsider", AccessRole.SECRETARIAT, pb),
        viewer=make_user("viewer", AccessRole.VIEWER, pa),
    )


@pytest.fixture
def as_user(client: Client) -> Any:
    """`as_user(user)` logs the test client in as `user` and returns it."""

    def _login(user: User) -> Client:
        return login(client, user)

    return _login
