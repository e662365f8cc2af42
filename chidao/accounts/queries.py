"""Reads of users, role grants and second factors for the account pages and the API.

Who administers whom follows `org.scope`: a user holding committee_admin (or higher) on a unit
manages the grants on that unit's subtree and the users who hold them. Grants elsewhere stay
invisible, and users or grants outside the subtree answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chidao.accounts.models import ADMIN_ROLES, ROLE_LEVEL, AccessRole, ApiToken, RoleGrant, User
from chidao.org.models import Unit, UnitKind, UnitQuerySet
from chidao.org.scope import grant_unit_ids, visible_unit_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    AnyUser = User | AnonymousUser

ADMIN = AccessRole.COMMITTEE_ADMIN
UNIT_SEARCH_LIMIT = 50


def can_manage_users(user: AnyUser) -> bool:
    """Whether the user administers at least one unit (and so sees the users page)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or RoleGrant.objects.filter(user_id=user.pk, role__in=ADMIN_ROLES).exists()


def managed_grants(user: AnyUser) -> QuerySet[RoleGrant]:
    """Grants on units in the subtrees the user administers."""
    if not user.is_authenticated or not user.is_active:
        return RoleGrant.objects.none()
    grants = RoleGrant.objects.select_related("unit", "unit__parent")
    if user.is_superuser:
        return grants.order_by("unit__depth", "unit__name", "role")
    return grants.filter(unit_id__in=visible_unit_ids(user, minimum_role=ADMIN)).order_by(
        "unit__depth", "unit__name", "role"
    )


def managed_users(user: AnyUser, *, search: str = "") -> QuerySet[User]:
    """Users holding a grant in the user's administered subtrees, each with `visible_grants`
    (only the grants inside those subtrees)."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    users = (
        User.objects.all() if user.is_superuser else User.objects.filter(pk__in=managed_grants(user).values("user_id"))
    )
    if search.strip():
        text = search.strip()
        users = users.filter(Q(username__icontains=text) | Q(full_name__icontains=text) | Q(email__icontains=text))
    return users.order_by("username").prefetch_related(
        Prefetch("role_grants", queryset=managed_grants(user), to_attr="visible_grants")
    )


def get_managed_user_or_404(user: AnyUser, pk: Any) -> User:
    try:
        return managed_users(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy.")) from exc


def get_managed_grant_or_404(user: AnyUser, pk: Any) -> RoleGrant:
    try:
        return managed_grants(user).select_related("user").get(pk=pk)
    except (RoleGrant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy.")) from exc


def assignable_roles(user: AnyUser) -> list[str]:
    """Roles the user may hand out somewhere: none above their highest administrative role."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(ROLE_LEVEL)
    held = RoleGrant.objects.filter(user_id=user.pk, role__in=ADMIN_ROLES).values_list("role", flat=True)
    top = max((ROLE_LEVEL[r] for r in held), default=0)
    return [role for role, level in ROLE_LEVEL.items() if level <= top] if top else []


def grantable_units(user: AnyUser) -> UnitQuerySet:
    """Current units (national, provinces, communes, agencies) in the subtrees the user administers."""
    return (
        Unit.objects.visible_to(user, minimum_role=ADMIN)
        .current()
        .exclude(kind=UnitKind.DISTRICT)
        .select_related("parent")
    )


def unit_shortlist(user: AnyUser, *, search: str = "", selected: Any = None) -> list[Unit]:
    """The units offered in the picker: search results when searching, otherwise the units the
    user administers and their direct children (a whole country of communes is too long a list)."""
    units = grantable_units(user)
    if search.strip():
        found = list(units.search(search).order_by("depth", "name")[:UNIT_SEARCH_LIMIT])
    else:
        roots: QuerySet[Any, Any]
        if user.is_superuser:
            roots = Unit.objects.filter(parent__isnull=True).values("pk")
        else:
            roots = grant_unit_ids(user, minimum_role=ADMIN)
        found = list(units.filter(Q(pk__in=roots) | Q(parent_id__in=roots)).order_by("depth", "name"))
    if selected not in (None, "") and all(str(u.pk) != str(selected) for u in found):
        extra = units.filter(pk=selected).first() if str(selected).isdigit() else None
        if extra is not None:
            found.insert(0, extra)
    return found


def grants_of(user: User) -> QuerySet[RoleGrant]:
    """The user's own grants, for the profile page and /me."""
    return RoleGrant.objects.filter(user_id=user.pk).select_related("unit").order_by("unit__depth", "unit__name")


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    required: bool
    backup_codes_left: int


def two_factor_status(user: User) -> TwoFactorStatus:
    return TwoFactorStatus(
        enabled=TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists(),
        required=user.requires_two_factor(),
        backup_codes_left=StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count(),
    )


def pending_totp_device(user: User) -> TOTPDevice | None:
    """The unconfirmed device of an enrolment in progress."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_or_404(user: User, pk: int) -> ApiToken:
    """Only the owner reaches a token; anyone else gets 404."""
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404(_("Không tìm thấy."))
    return token
