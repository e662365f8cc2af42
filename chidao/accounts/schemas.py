"""API shapes for accounts."""

import datetime as dt

from ninja import Schema


class UnitRef(Schema):
    id: int
    name: str


class GrantOut(Schema):
    id: int
    user_id: int
    unit: UnitRef
    role: str
    role_label: str
    created_at: dt.datetime

    @staticmethod
    def resolve_role_label(obj: object) -> str:
        return str(obj.get_role_display())  # type: ignore[attr-defined]  # RoleGrant


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    two_factor_enabled: bool
    roles: list[GrantOut]


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    grants: list[GrantOut]

    @staticmethod
    def resolve_grants(obj: object) -> list[object]:
        return list(obj.visible_grants)  # type: ignore[attr-defined]  # prefetched by queries.managed_users


class GrantIn(Schema):
    user_id: int
    unit_id: int
    role: str
