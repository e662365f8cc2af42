"""The web entry point loads, before the first request, what the first requests would load."""

from django.utils import timezone


def test_the_wsgi_module_warms_the_urlconf_and_this_years_holidays():
    from chidao.lib.workdays import public_holidays

    public_holidays.cache_clear()
    import chidao.wsgi

    chidao.wsgi.warm_up()
    assert public_holidays.cache_info().currsize >= 3
    before = public_holidays.cache_info().hits
    public_holidays(timezone.localdate().year)
    assert public_holidays.cache_info().hits == before + 1
    assert callable(chidao.wsgi.application)
