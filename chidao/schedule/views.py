"""Calendar pages: a unit's month and week (meetings and task deadlines, public holidays), the
page that gives a user their secret calendar address, and the iCalendar feed behind that address.

The feed needs no session: the secret in its address is the credential, and a revoked or unknown
address answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chidao.http import AuthedRequest
from chidao.org import queries as org_queries
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404
from chidao.schedule import grid, ics, queries, services
from chidao.schedule.forms import CalendarQueryForm

MONTH, WEEK = "month", "week"
NEW_FEED_SESSION_KEY = "schedule_new_feed"


def _url(view: str, unit: Unit | None, day: dt.date, subtree: bool) -> str:
    params: dict[str, Any] = {}
    if unit is not None:
        params["unit"] = unit.pk
    params["date"] = day.isoformat()
    if subtree:
        params["subtree"] = 1
    return f"{reverse(f'schedule:{view}')}?{urlencode(params)}"


def _page(request: AuthedRequest, view: str) -> HttpResponse:
    today = timezone.localdate()
    unit_id, day, subtree = CalendarQueryForm(request.GET).values(today)
    unit: Unit | None = (
        get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
        if unit_id is not None
        else org_queries.current_unit_for(request)
    )
    language = get_language() or settings.LANGUAGE_CODE
    if view == MONTH:
        cal = queries.month_calendar(request.user, unit, day, subtree=subtree, today=today, language=language)
        first = grid.first_of_month(day)
        previous, following = grid.add_months(first, -1), grid.add_months(first, 1)
        title = _("Tháng %(month)s năm %(year)s") % {"month": day.month, "year": day.year}
    else:
        cal = queries.week_calendar(request.user, unit, day, subtree=subtree, today=today, language=language)
        previous, following = day - dt.timedelta(days=7), day + dt.timedelta(days=7)
        start, end = cal.days[0].date, cal.days[-1].date
        title = _("Tuần %(week)s: %(start)s đến %(end)s") % {
            "week": start.isocalendar().week,
            "start": f"{start:%d/%m}",
            "end": f"{end:%d/%m/%Y}",
        }
    context = {
        "view": view,
        "cal": cal,
        "title": title,
        "unit": unit,
        "subtree": subtree,
        "day": day,
        "unit_options": queries.unit_options(request.user, unit),
        "weekdays": grid.WEEKDAYS,
        "previous_url": _url(view, unit, previous, subtree),
        "next_url": _url(view, unit, following, subtree),
        "today_url": _url(view, unit, today, subtree),
        "month_url": _url(MONTH, unit, day, subtree),
        "week_url": _url(WEEK, unit, day, subtree),
        "page_url": reverse(f"schedule:{view}"),
        "max_entries": queries.MAX_ENTRIES,
    }
    template = f"schedule/{view}.html"
    return render(request, f"{template}#calendar" if request.htmx else template, context)


@login_required
def month(request: AuthedRequest) -> HttpResponse:
    return _page(request, MONTH)


@login_required
def week(request: AuthedRequest) -> HttpResponse:
    return _page(request, WEEK)


# --- the feed ---------------------------------------------------------------------------------


@login_required
def feed(request: AuthedRequest) -> HttpResponse:
    """Lịch của tôi trên điện thoại/Outlook: create the address (shown once), see it, revoke it.

    The new address goes through the session to the page the POST redirects to, and is removed
    from it there: a reload neither shows it again nor creates another one."""
    if request.method == "POST":
        _feed, secret = services.create_feed(actor=request.user)
        request.session[NEW_FEED_SESSION_KEY] = secret
        messages.success(request, _("Đã tạo địa chỉ lịch mới. Địa chỉ cũ (nếu có) không còn dùng được."))
        return redirect("schedule:feed")
    secret = request.session.pop(NEW_FEED_SESSION_KEY, "")
    feed_url = request.build_absolute_uri(reverse("schedule:ics", args=[secret])) if secret else ""
    context = {
        "feed_url": feed_url,
        "webcal_url": feed_url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
        "active": queries.active_feed(request.user),
        "feeds": queries.feeds_of(request.user),
        "days_back": queries.FEED_DAYS_BACK,
        "days_ahead": queries.FEED_DAYS_AHEAD,
    }
    return render(request, "schedule/feed.html", context)


@login_required
@require_POST
def feed_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    feed = queries.feed_or_404(request.user, pk)
    services.revoke_feed(actor=request.user, feed=feed)
    messages.success(request, _("Đã thu hồi địa chỉ lịch. Ứng dụng lịch đang dùng địa chỉ này sẽ không cập nhật nữa."))
    return redirect("schedule:feed")


@require_http_methods(["GET", "HEAD"])
def ics_feed(request: HttpRequest, secret: str) -> HttpResponse:
    user = services.user_for_feed(secret)
    if user is None:
        raise Http404(_("Không tìm thấy."))
    today = timezone.localdate()
    text = ics.calendar(
        queries.feed_entries(user, today),
        name=_("Lịch công tác — %(user)s") % {"user": user},
        absolute_url=request.build_absolute_uri,
        now=timezone.now(),
        time_zone=settings.TIME_ZONE,
    )
    response = HttpResponse(text, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="chidao.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
