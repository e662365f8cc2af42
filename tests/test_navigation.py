"""The header's links are reversed once, not on every page."""

from django.urls import reverse

from chidao.navigation import NAMES, _urls
from tests.conftest import login


def test_the_header_links_every_section_and_reverses_them_once(client, world):
    login(client, world.province_admin)
    _urls.cache_clear()
    page = client.get(reverse("home")).content.decode()
    for name in (n for n in NAMES if n != "admin:index"):  # the admin link shows to staff only
        assert f'"{reverse(name)}"' in page, name
    misses = _urls.cache_info().misses
    client.get(reverse("tasks:mine"))
    assert _urls.cache_info().misses == misses  # the second page read them from the cache
