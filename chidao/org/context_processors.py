from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from chidao.org.queries import current_unit_for, switchable_units_for


def current_unit(request: HttpRequest) -> dict[str, Any]:
    """The unit the user is working in (unit switcher) and the units they may switch to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_unit": current_unit_for(request),
        # Evaluated once, and only by pages that render the switcher.
        "switchable_units": SimpleLazyObject(lambda: switchable_units_for(request)),
    }
