import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chidao.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load in each web process, before its first request, what its first requests would
    otherwise load: every URLconf and view module, and the public holidays around this year (the
    `holidays` package takes ~0.6 s to import and build Vietnam's calendar, which a due date or a
    report's deadline needs)."""
    from django.urls import get_resolver
    from django.utils import timezone

    from chidao.lib.workdays import public_holidays

    get_resolver().url_patterns  # noqa: B018  # imports every urls and views module
    year = timezone.localdate().year
    for each in (year - 1, year, year + 1):
        public_holidays(each)


warm_up()
