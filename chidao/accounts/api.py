"""Accounts API: who am I, the users an administrator manages, granting and revoking roles.

Same services and scope rules as the pages: users and grants outside the caller's administered
subtrees answer 404, a role too low answers 403, a rule broken answers 422.
"""

from typing import cast

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.accounts import queries, services
from chidao.accounts.models import RoleGrant, User
from chidao.accounts.schemas import GrantIn, GrantOut, MeOut, UserOut
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404

router = Router(tags=["accounts"])


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the API authenticates every route


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = _actor(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "two_factor_enabled": queries.two_factor_status(user).enabled,
        "roles": list(queries.grants_of(user)),
    }


@router.get("/users", response=list[UserOut])
@paginate(LimitOffsetPagination)
def list_users(request: HttpRequest, q: str = "") -> object:
    return queries.managed_users(_actor(request), search=q)


@router.post("/grants", response={201: GrantOut})
def create_grant(request: HttpRequest, payload: GrantIn) -> Status[RoleGrant]:
    actor = _actor(request)
    user = queries.get_managed_user_or_404(actor, payload.user_id)
    unit = get_visible_or_404(Unit.objects.all(), actor, pk=payload.unit_id)
    grant = services.grant_role(actor=actor, user=user, unit=unit, role=payload.role)
    return Status(201, grant)


@router.delete("/grants/{grant_id}", response={204: None})
def delete_grant(request: HttpRequest, grant_id: int) -> Status[None]:
    actor = _actor(request)
    services.revoke_role(actor=actor, grant=queries.get_managed_grant_or_404(actor, grant_id))
    return Status(204, None)
