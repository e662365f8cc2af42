"""Writes to accounts: users, role grants, passwords and second factors.

Rules enforced here (for the pages and the API alike):
- only a committee_admin (or higher) on a unit creates users there and grants or revokes roles on
  its subtree (`scope.require_role`); nobody hands out or takes away a role above their own level
  on that unit, so system_admin is granted only by system administrators;
- a system_admin grant on the national root makes the user a Django superuser and staff member
  (the Django admin is theirs alone); revoking the last such grant of a user takes both away, and
  the last system administrator on the root cannot be revoked;
- roles are one of `AccessRole`, a grant is unique per (user, unit, role), grants go on current units;
- a new password lifts a login lockout (django-axes) on the account;
- TOTP enrolment is confirmed with a real code and yields ten single-use backup codes; only
  users who are not administrators may turn two-factor authentication off, with their password;
- every change writes an audit entry in the same transaction; e-mail leaves after commit.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from typing import TYPE_CHECKING

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chidao.accounts.models import ADMIN_ROLES, ROLE_LEVEL, AccessRole, ApiToken, RoleGrant, User
from chidao.audit import services as audit
from chidao.org.scope import ScopeDenied, require_role, role_level_on

if TYPE_CHECKING:
    from chidao.org.models import Unit

ADMIN = AccessRole.COMMITTEE_ADMIN
BACKUP_CODE_COUNT = 10
MAX_API_TOKENS = 10
USER_FIELDS = [
    "username",
    "full_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
]


def _grant_changes(grant: RoleGrant) -> dict[str, object]:
    return {
        "user": grant.user_id,
        "username": grant.user.username,
        "unit": grant.unit_id,
        "role": grant.role,
    }


def _check_role(role: str) -> None:
    if role not in AccessRole.values:
        raise ValidationError({"role": _("Vai trò “%(role)s” không hợp lệ.") % {"role": role}})


def _check_level(actor: User, unit: Unit, role: str) -> None:
    if ROLE_LEVEL[role] > role_level_on(actor, unit):
        raise ScopeDenied(
            _("Bạn không thể cấp hoặc thu hồi vai trò “%(role)s” tại %(unit)s: vai trò này cao hơn vai trò của bạn.")
            % {"role": AccessRole(role).label, "unit": unit.name}
        )


def _is_root_system_admin(grant: RoleGrant) -> bool:
    return grant.role == AccessRole.SYSTEM_ADMIN and grant.unit.parent_id is None


# --- users and roles ---------------------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    full_name: str,
    email: str,
    password: str | None = None,
    unit: Unit | None = None,
    role: str | None = None,
    site_domain: str = "",
    use_https: bool = False,
) -> User:
    """Create an account, with its first role when `unit` and `role` are given.

    Without a password the account gets an unusable one and the user receives a link (valid for
    PASSWORD_RESET_TIMEOUT) to choose their own, built on `site_domain`.
    """
    if (unit is None) != (role is None):
        raise ValidationError({"unit" if unit is None else "role": _("Hãy chọn cả đơn vị và vai trò.")})
    if unit is not None and role is not None:
        _check_role(role)
        require_role(actor, unit, ADMIN)
        _check_level(actor, unit, role)
    elif not (actor.is_superuser or RoleGrant.objects.filter(user_id=actor.pk, role__in=ADMIN_ROLES).exists()):
        raise ScopeDenied(_("Chỉ quản trị viên mới được tạo tài khoản."))
    email = email.strip()
    if not password and not email:
        raise ValidationError(
            {"email": _("Cần thư điện tử để gửi liên kết đặt mật khẩu, hoặc hãy nhập mật khẩu ban đầu.")}
        )
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Thư điện tử này đã được dùng cho một tài khoản khác.")})
    user = User(username=username.strip(), full_name=full_name.strip(), email=email)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.error_list}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user.created",
        target=user,
        unit=unit,
        changes={**audit.snapshot(user, USER_FIELDS), "invited": not password},
    )
    if unit is not None and role is not None:
        grant_role(actor=actor, user=user, unit=unit, role=role)
    if not password:
        _send_invitation(user, site_domain=site_domain, use_https=use_https)
    return user


def _send_invitation(user: User, *, site_domain: str, use_https: bool) -> None:
    context = {
        "email": user.email,
        "domain": site_domain or "localhost",
        "site_name": "chidao",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    subject = "".join(render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/invitation_body.txt", context)
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient]))


@transaction.atomic
def grant_role(*, actor: User, user: User, unit: Unit, role: str) -> RoleGrant:
    """Give `user` the role `role` on `unit` (and so on its subtree)."""
    _check_role(role)
    require_role(actor, unit, ADMIN)
    _check_level(actor, unit, role)
    if not unit.is_current():
        raise ValidationError({"unit": _("Đơn vị %(unit)s đã hết hiệu lực.") % {"unit": unit.name}})
    if RoleGrant.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(
            {
                "role": _("%(user)s đã có vai trò “%(role)s” tại %(unit)s.")
                % {"user": user, "role": AccessRole(role).label, "unit": unit.name}
            }
        )
    grant = RoleGrant(user=user, unit=unit, role=role, granted_by=actor)
    grant.full_clean()
    grant.save()
    if _is_root_system_admin(grant) and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    audit.record(
        actor=actor,
        action="accounts.role.granted",
        target=grant,
        unit=unit,
        changes=_grant_changes(grant),
    )
    return grant


@transaction.atomic
def revoke_role(*, actor: User, grant: RoleGrant) -> None:
    """Take a role back; the user keeps their other grants."""
    unit, user = grant.unit, grant.user
    require_role(actor, unit, ADMIN)
    _check_level(actor, unit, grant.role)
    was_root_admin = _is_root_system_admin(grant)
    if was_root_admin:
        others = RoleGrant.objects.filter(role=AccessRole.SYSTEM_ADMIN, unit__parent__isnull=True).exclude(pk=grant.pk)
        if not others.exists():
            raise ValidationError(_("Không thể thu hồi quyền của quản trị hệ thống cuối cùng."))
    audit.record(
        actor=actor,
        action="accounts.role.revoked",
        target=grant,
        unit=unit,
        changes=_grant_changes(grant),
    )
    grant.delete()
    if (
        was_root_admin
        and not RoleGrant.objects.filter(user=user, role=AccessRole.SYSTEM_ADMIN, unit__parent__isnull=True).exists()
    ):
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])


# --- passwords ---------------------------------------------------------------------------------


@transaction.atomic
def change_password(*, actor: User, password: str) -> None:
    """The user sets a new password for themselves (after giving the old one, or from a reset link)."""
    password_validation.validate_password(password, actor)
    actor.set_password(password)
    actor.save(update_fields=["password"])
    # Failures counted against the old password say nothing about the new one: lift the lockout,
    # so that the e-mailed reset link (proof of the mailbox) also unlocks the account.
    axes_reset(username=actor.get_username())
    audit.record(actor=actor, action="accounts.password.changed", target=actor, unit=None)


# --- second factor -----------------------------------------------------------------------------


@transaction.atomic
def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """The unconfirmed TOTP device to show as a QR code; reused while the enrolment is pending."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=_("Ứng dụng xác thực"), confirmed=False)
    return device


def confirm_totp_device(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the device with a code it generated; return the new backup codes (shown once)."""
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied
    device.refresh_from_db()
    _check_not_throttled(device)
    # django-otp verifies in its own transaction so that failed attempts still count for throttling.
    if verify_token(actor, device.persistent_id, token) is None:
        raise ValidationError({"token": _wrong_code()})
    return _enable_two_factor(actor=actor, device=device)


def _wrong_code() -> str:
    return _("Mã xác thực không đúng hoặc đã hết hạn.")


def _check_not_throttled(device: Device) -> None:
    """After a wrong code django-otp refuses even right ones for 1, 2, 4... seconds: say so."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        locked_until = (data or {}).get("locked_until")
        seconds = math.ceil((locked_until - timezone.now()).total_seconds()) if locked_until else 1
        raise ValidationError(
            {"token": _("Đã nhập sai nhiều lần. Hãy đợi %(seconds)s giây rồi thử lại.") % {"seconds": max(seconds, 1)}}
        )


@transaction.atomic
def _enable_two_factor(*, actor: User, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    replaced = TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk)
    replaced_count = replaced.count()
    replaced.delete()
    codes = _new_backup_codes(actor)
    audit.record(
        actor=actor,
        action="accounts.otp.enabled",
        target=actor,
        unit=None,
        changes={
            "device": device.pk,
            "replaced_devices": replaced_count,
            "backup_codes": len(codes),
        },
    )
    return codes


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Mã dự phòng"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_backup_codes(*, actor: User) -> list[str]:
    """Replace the backup codes; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("Hãy bật xác thực hai lớp trước."))
    codes = _new_backup_codes(actor)
    audit.record(actor=actor, action="accounts.otp.backup_codes_renewed", target=actor, unit=None)
    return codes


def verify_second_factor(*, user: User, token: str) -> Device:
    """The device that accepts `token` (a 6-digit TOTP code or a backup code)."""
    token = "".join(token.split()).lower()
    is_totp_code = token.isdigit() and len(token) == 6
    candidates = [d for d in devices_for_user(user) if isinstance(d, TOTPDevice) == is_totp_code]
    for device in candidates:
        _check_not_throttled(device)
        # Each verification runs in django-otp's own transaction so that failures still throttle.
        matched = verify_token(user, device.persistent_id, token)
        if matched is not None:
            if isinstance(matched, StaticDevice):
                _record_backup_code_use(user=user, device=matched)
            return matched
    raise ValidationError({"token": _wrong_code()})


@transaction.atomic
def _record_backup_code_use(*, user: User, device: StaticDevice) -> None:
    audit.record(
        actor=user,
        action="accounts.otp.backup_code_used",
        target=user,
        unit=None,
        changes={"codes_left": device.token_set.count()},
    )


@transaction.atomic
def disable_two_factor(*, actor: User, password: str) -> None:
    """Turn two-factor authentication off; refused for administrators."""
    if not actor.check_password(password):
        raise ValidationError({"password": _("Mật khẩu không đúng.")})
    if actor.requires_two_factor():
        raise ValidationError(_("Tài khoản quản trị bắt buộc dùng xác thực hai lớp; không thể tắt."))
    removed = [d.persistent_id for d in devices_for_user(actor, confirmed=None)]
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    audit.record(
        actor=actor,
        action="accounts.otp.disabled",
        target=actor,
        unit=None,
        changes={"devices": removed},
    )


# --- API tokens ----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own use; returns it with the secret, which is never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Hãy đặt tên gợi nhớ cho khóa (ví dụ: hệ thống thống kê của Sở).")})
    if actor.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_API_TOKENS:
        raise ValidationError({"name": _("Mỗi tài khoản có tối đa %(n)s khóa đang dùng.") % {"n": MAX_API_TOKENS}})
    secret = "cd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip()[:100], prefix=secret[3:9], digest=_digest(secret))
    audit.record(
        actor=actor, action="accounts.api_token.created", target=token, unit=None, changes={"name": token.name}
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ScopeDenied(_("Chỉ chủ tài khoản được thu hồi khóa của mình."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.api_token.revoked", target=token, unit=None)


def user_for_api_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None; marks the token used (at most once a minute)."""
    if not secret.startswith("cd_"):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
