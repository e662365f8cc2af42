"""Rules of users and role grants, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from chidao.accounts import services
from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.audit.models import AuditEntry
from chidao.org.scope import ScopeDenied, has_role
from tests.conftest import make_unit


def test_province_admin_grants_role_on_a_commune_and_it_is_audited(world):
    grant = services.grant_role(
        actor=world.province_admin,
        user=world.sibling_officer,
        unit=world.commune_a,
        role=AccessRole.MEMBER,
    )
    assert grant.granted_by == world.province_admin
    assert has_role(world.sibling_officer, world.commune_a, AccessRole.MEMBER)
    entry = AuditEntry.objects.get(action="accounts.role.granted")
    assert entry.actor == world.province_admin
    assert entry.unit == world.commune_a
    assert entry.target_id == str(grant.pk)
    assert entry.changes == {
        "user": world.sibling_officer.pk,
        "username": "sibling_officer",
        "unit": world.commune_a.pk,
        "role": "member",
    }


def test_unknown_role_is_refused_with_a_message_on_role(world):
    with pytest.raises(ValidationError) as exc:
        services.grant_role(
            actor=world.province_admin,
            user=world.viewer,
            unit=world.commune_a,
            role="boss",
        )
    assert exc.value.message_dict["role"] == ["Vai trò “boss” không hợp lệ."]


def test_duplicate_grant_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationError) as exc:
        services.grant_role(
            actor=world.province_admin,
            user=world.commune_officer,
            unit=world.commune_a,
            role=AccessRole.SECRETARIAT,
        )
    assert exc.value.message_dict["role"] == ["commune_officer đã có vai trò “Thư ký, biên tập” tại Phường Hải Châu."]
    assert RoleGrant.objects.filter(user=world.commune_officer).count() == 1


def test_committee_admin_cannot_grant_system_admin(world):
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=world.province_admin,
            user=world.commune_officer,
            unit=world.commune_a,
            role=AccessRole.SYSTEM_ADMIN,
        )
    assert not RoleGrant.objects.filter(role=AccessRole.SYSTEM_ADMIN, user=world.commune_officer).exists()
    assert not AuditEntry.objects.filter(action="accounts.role.granted").exists()


def test_committee_admin_cannot_grant_outside_their_subtree(world):
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=world.province_admin,
            user=world.viewer,
            unit=world.commune_c,
            role=AccessRole.VIEWER,
        )
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=world.province_admin,
            user=world.viewer,
            unit=world.root,
            role=AccessRole.VIEWER,
        )


def test_officer_cannot_grant_roles(world):
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=world.commune_officer,
            user=world.viewer,
            unit=world.commune_a,
            role=AccessRole.VIEWER,
        )


def test_grant_on_a_historical_unit_is_refused(world):
    old = make_unit(
        "D490",
        "Quận Hải Châu (cũ)",
        "district",
        world.province_a,
        valid_until=dt.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError) as exc:
        services.grant_role(
            actor=world.province_admin,
            user=world.viewer,
            unit=old,
            role=AccessRole.VIEWER,
        )
    assert "unit" in exc.value.message_dict


def test_system_admin_grant_on_the_national_root_opens_the_django_admin_and_revoke_closes_it(
    world,
):
    grant = services.grant_role(
        actor=world.system_admin,
        user=world.viewer,
        unit=world.root,
        role=AccessRole.SYSTEM_ADMIN,
    )
    grant_id = grant.pk
    world.viewer.refresh_from_db()
    assert world.viewer.is_staff and world.viewer.is_superuser
    services.revoke_role(actor=world.system_admin, grant=grant)
    world.viewer.refresh_from_db()
    assert not world.viewer.is_staff and not world.viewer.is_superuser
    assert AuditEntry.objects.filter(action="accounts.role.revoked", target_id=str(grant_id)).exists()


def test_the_last_system_admin_on_the_root_cannot_be_revoked(world):
    grant = RoleGrant.objects.get(user=world.system_admin, role=AccessRole.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.revoke_role(actor=world.system_admin, grant=grant)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_committee_admin_cannot_revoke_a_system_admin_grant_in_their_subtree(world):
    grant = services.grant_role(
        actor=world.system_admin,
        user=world.viewer,
        unit=world.province_a,
        role=AccessRole.SYSTEM_ADMIN,
    )
    with pytest.raises(ScopeDenied):
        services.revoke_role(actor=world.province_admin, grant=grant)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_province_admin_revokes_a_commune_grant_and_it_is_audited(world):
    grant = RoleGrant.objects.get(user=world.commune_officer)
    services.revoke_role(actor=world.province_admin, grant=grant)
    assert not RoleGrant.objects.filter(user=world.commune_officer).exists()
    entry = AuditEntry.objects.get(action="accounts.role.revoked")
    assert entry.actor == world.province_admin and entry.unit == world.commune_a


def test_create_user_with_password_and_first_grant(world):
    user = services.create_user(
        actor=world.province_admin,
        username="nguyenvanb",
        full_name="Nguyễn Văn B",
        email="b@example.vn",
        password="Mot-mat-khau-du-dai-9",
        unit=world.commune_b,
        role=AccessRole.MEMBER,
    )
    assert user.check_password("Mot-mat-khau-du-dai-9")
    assert has_role(user, world.commune_b, AccessRole.MEMBER)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "accounts.user.created",
        "accounts.role.granted",
    ]


def test_create_user_without_password_mails_a_link_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.create_user(
            actor=world.province_admin,
            username="tranthic",
            full_name="Trần Thị C",
            email="c@example.vn",
            unit=world.commune_a,
            role=AccessRole.VIEWER,
            site_domain="chidao.example.vn",
            use_https=True,
        )
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["c@example.vn"]
    assert mail.outbox[0].subject == "chidao: tài khoản của bạn đã được tạo"
    assert "https://chidao.example.vn/account/password-reset/" in mail.outbox[0].body
    assert "tranthic" in mail.outbox[0].body


def test_create_user_refuses_weak_password_duplicate_email_and_missing_contact(world):
    common = {
        "actor": world.province_admin,
        "full_name": "X",
        "unit": world.commune_a,
        "role": AccessRole.VIEWER,
    }
    with pytest.raises(ValidationError) as exc:
        services.create_user(username="x1", email="x1@example.vn", password="123", **common)
    assert "password" in exc.value.message_dict
    User.objects.filter(pk=world.viewer.pk).update(email="viewer@example.vn")
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            username="x2",
            email="Viewer@Example.vn",
            password="Mot-mat-khau-du-dai-9",
            **common,
        )
    assert exc.value.message_dict["email"] == ["Thư điện tử này đã được dùng cho một tài khoản khác."]
    with pytest.raises(ValidationError) as exc:
        services.create_user(username="x3", email="", **common)
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            username="viewer",
            email="v2@example.vn",
            password="Mot-mat-khau-du-dai-9",
            **common,
        )
    assert "username" in exc.value.message_dict
    assert not User.objects.filter(username__in=["x1", "x2", "x3"]).exists()
    assert not AuditEntry.objects.exists()


def test_officer_cannot_create_users(world):
    with pytest.raises(ScopeDenied):
        services.create_user(
            actor=world.commune_officer,
            username="x",
            full_name="X",
            email="x@example.vn",
            password="Mot-mat-khau-du-dai-9",
        )
    with pytest.raises(ScopeDenied):
        services.create_user(
            actor=world.province_admin,
            username="y",
            full_name="Y",
            email="y@example.vn",
            password="Mot-mat-khau-du-dai-9",
            unit=world.commune_c,
            role=AccessRole.VIEWER,
        )
    assert not User.objects.filter(username__in=["x", "y"]).exists()


def test_change_password_is_audited(world):
    services.change_password(actor=world.viewer, password="Mat-khau-moi-2027!")
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("Mat-khau-moi-2027!")
    assert AuditEntry.objects.filter(action="accounts.password.changed", actor=world.viewer).exists()
