"""The one rule of who sees what.

A role granted on a unit reaches that unit's whole subtree. Every scoped model's QuerySet derives
from `ScopedQuerySet` and names the path to its unit in `scope_field`; `.visible_to(user)` keeps
the rows under the user's grants. Objects outside the scope answer 404, exactly like missing ones,
so a user cannot learn what exists elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from chidao.accounts.models import User
    from chidao.org.models import Unit

    AnyUser = User | AnonymousUser


class ScopeDenied(PermissionDenied):
    """The object is visible but the user's role on its unit does not allow the action."""


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    scope_field: ClassVar[str]

    def visible_to(self, user: AnyUser, *, minimum_role: str | None = None) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(**{f"{self.scope_field}__in": visible_unit_ids(user, minimum_role=minimum_role)})


def grant_unit_ids(user: AnyUser, *, minimum_role: str | None = None) -> models.QuerySet[Any]:
    """Ids of the units on which the user holds a role (at least `minimum_role`)."""
    from chidao.accounts.models import ROLE_LEVEL, RoleGrant

    grants = RoleGrant.objects.filter(user__pk=user.pk or 0)
    if minimum_role is not None:
        grants = grants.filter(role__in=[r for r, level in ROLE_LEVEL.items() if level >= ROLE_LEVEL[minimum_role]])
    return grants.values("unit_id")


def visible_unit_ids(user: AnyUser, *, minimum_role: str | None = None) -> models.QuerySet[Any]:
    """A subquery of every unit id under the user's grants.

    Units that ended in a reorganisation stay readable to those who now hold their successor: a
    grant on Đà Nẵng also reaches the former Quảng Nam province and everything under it, and a
    commune's officer reaches the pre-2025 communes merged into it.
    """
    from chidao.org.models import Unit, UnitClosure

    granted = grant_unit_ids(user, minimum_role=minimum_role)
    under_grants = UnitClosure.objects.filter(ancestor_id__in=granted).values("descendant_id")
    predecessors = Unit.objects.filter(successor_id__in=under_grants).values("id")
    # One IN over both lists: the closure is read through its index on ancestor_id (an OR of two
    # IN subqueries scanned the whole closure table, 1.4 ms against 0.1 ms on the current tree's
    # 10,000 links, in every scoped query).
    return UnitClosure.objects.filter(ancestor_id__in=granted.union(predecessors, all=True)).values("descendant_id")


def get_visible_or_404[M: models.Model](queryset: ScopedQuerySet[M], user: AnyUser, **lookup: Any) -> M:
    """The object matching `lookup` if the user may see it; 404 for missing and out of scope alike."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy.")) from exc


def role_level_on(user: AnyUser, unit: Unit) -> int:
    """The highest role level the user holds on `unit` through it or any ancestor (0: none)."""
    from chidao.accounts.models import ROLE_LEVEL, AccessRole, RoleGrant

    if not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return ROLE_LEVEL[AccessRole.SYSTEM_ADMIN]
    roles = RoleGrant.objects.filter(user_id=user.pk, unit__descendant_links__descendant=unit).values_list(
        "role", flat=True
    )
    return max((ROLE_LEVEL[r] for r in roles), default=0)


def has_role(user: AnyUser, unit: Unit, minimum_role: str) -> bool:
    from chidao.accounts.models import ROLE_LEVEL

    return role_level_on(user, unit) >= ROLE_LEVEL[minimum_role]


def require_role(user: AnyUser, unit: Unit, minimum_role: str) -> None:
    """Raise `ScopeDenied` unless the user holds `minimum_role` or higher on `unit`."""
    from chidao.accounts.models import AccessRole

    if not has_role(user, unit, minimum_role):
        raise ScopeDenied(
            _("Bạn cần vai trò “%(role)s” trở lên tại %(unit)s để làm việc này.")
            % {"role": AccessRole(minimum_role).label, "unit": unit.name}
        )
