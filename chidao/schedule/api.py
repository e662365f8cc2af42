"""Calendar API: a unit's meetings and task deadlines over a range of days, with the public
holidays, under the same scope rules as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Router

from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404
from chidao.schedule import grid, queries
from chidao.schedule.schemas import CalendarOut

router = Router(tags=["calendar"])


@router.get("/entries", response=CalendarOut)
def entries(request: HttpRequest, unit: int, start: dt.date, end: dt.date, subtree: bool = False) -> dict[str, Any]:
    """Meetings (host or visiting committee in the unit) and due dates of tasks (led or coordinated
    by the unit) from `start` to `end` inclusive, at most 100 days."""
    queries.check_range(start, end)
    chosen: Unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit)
    found, truncated = queries.unit_entries(
        request.user, chosen, start, end, subtree=subtree, today=timezone.localdate()
    )
    holidays = grid.holiday_names(start, end, get_language() or "vi")
    return {
        "unit_id": chosen.pk,
        "start": start,
        "end": end,
        "subtree": subtree,
        "truncated": truncated,
        "holidays": [{"date": day, "name": name} for day, name in sorted(holidays.items())],
        "entries": [
            {**entry.__dict__, "id": entry.pk, "all_day": entry.all_day}
            for entry in sorted(found, key=queries.Entry.sort_key)
        ],
    }
