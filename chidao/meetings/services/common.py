"""Who may change a meeting: the secretariat (or higher) of the host committee's unit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from chidao.accounts.models import AccessRole
from chidao.org.scope import has_role, require_role

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.meetings.models import Meeting

EDITOR = AccessRole.SECRETARIAT.value


def can_edit(user: Any, meeting: Meeting) -> bool:
    """The host edits; the visiting side reads."""
    return has_role(user, meeting.host_committee.unit, EDITOR)


def require_host_editor(actor: User, meeting: Meeting) -> None:
    require_role(actor, meeting.host_committee.unit, EDITOR)


def full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Model validation: messages keyed by field, as the forms and the API show them."""
    instance.full_clean(exclude=exclude)


def required_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text
