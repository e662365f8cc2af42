"""The addresses of the header's links (base.html), reversed once per process, script prefix and
language instead of some twenty-five times on every page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

NAMES = (
    "accounts:logout",
    "accounts:profile",
    "accounts:user_list",
    "admin:index",
    "audit:entry_list",
    "documents:list",
    "home",
    "meetings:list",
    "org:committee_list",
    "org:person_list",
    "org:switch_unit",
    "org:unit_list",
    "reporting:dashboard",
    "reporting:form_list",
    "reporting:indicator_list",
    "reporting:owed",
    "reporting:report_list",
    "schedule:feed",
    "schedule:month",
    "set_language",
    "tasks:assigned",
    "tasks:mine",
    "tasks:notifications",
    "tasks:unit",
)


@lru_cache(maxsize=16)
def _urls(urlconf: str, prefix: str, language: str | None) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name, urlconf=urlconf) for name in NAMES}


def nav_urls(request: HttpRequest) -> dict[str, Any]:
    """`nav.<name>`: `nav.tasks_mine` is `{% url 'tasks:mine' %}`."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return {"nav": _urls(str(urlconf), get_script_prefix(), get_language())}
