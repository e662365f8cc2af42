"""Completed tasks are counted from their tallies; the tallies always equal a live count."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from chidao.tasks import queries, services
from chidao.tasks.models import DoneTally, Status, Task
from tests.tasks.conftest import make_task

D = dt.timedelta


def _both_ways(tw, unit, **filters):
    """Counts through the tallies, and through the tasks themselves: a due-date filter that every
    task passes takes the live path over the same rows."""
    today = timezone.localdate()
    fast = queries.subtree_counts(tw.province_admin, unit, queries.TaskFilters(**filters), today)
    live_filters = queries.TaskFilters(due_from=dt.date(2000, 1, 1), **filters)
    live = queries.subtree_counts(tw.province_admin, unit, live_filters, today)
    return fast, live


def _world_of_tasks(tw):
    today = timezone.localdate()
    open_task = make_task(tw, title="Đang làm", due_date=today + D(days=5))
    overdue = make_task(tw, title="Quá hạn", assigned_on=today - D(days=30), due_date=today - D(days=2))
    on_time = make_task(tw, title="Xong đúng hạn", assigned_on=today - D(days=30), due_date=today - D(days=2))
    late = make_task(
        tw,
        title="Xong muộn",
        assigned_on=today - D(days=30),
        due_date=today - D(days=9),
        source="plan",
        document_reference="12-KH/TU",
        document_title="Kế hoạch",
    )
    province_task = make_task(tw, title="Thành phố tự làm", lead_unit=tw.province_a, due_date=today + D(days=1))
    services.complete_task(actor=tw.commune_officer, task=on_time, report="Đã xong", completed_on=today - D(days=3))
    services.complete_task(actor=tw.commune_officer, task=late, report="Đã xong", completed_on=today - D(days=1))
    services.complete_task(actor=tw.province_admin, task=province_task, report="Đã xong")
    return open_task, overdue


def test_completing_a_task_counts_it_once_in_its_tally(tw):
    _world_of_tasks(tw)
    tallies = {(t.lead_unit_id, t.source, t.late): t.count for t in DoneTally.objects.all()}
    assert tallies == {
        (tw.commune_a.pk, "direct", False): 1,
        (tw.commune_a.pk, "plan", True): 1,
        (tw.province_a.pk, "direct", False): 1,
    }


def test_counts_from_tallies_equal_counts_from_the_tasks(tw):
    _world_of_tasks(tw)
    fast, live = _both_ways(tw, tw.province_a)
    total, rows = fast
    assert total.by_status == live[0].by_status
    assert total.by_status == {
        Status.IN_PROGRESS: 1,
        Status.OVERDUE: 1,
        Status.DONE_ON_TIME: 2,
        Status.DONE_LATE: 1,
    }
    assert [(r.unit, r.direct, r.counts.by_status) for r in rows] == [
        (r.unit, r.direct, r.counts.by_status) for r in live[1]
    ]
    for source in ("direct", "plan", "meeting"):
        (fast_total, _rows), (live_total, _live_rows) = _both_ways(tw, tw.province_a, source=source)
        assert fast_total.by_status == live_total.by_status, source


def test_rebuild_finds_and_fixes_a_tally_that_drifted(tw, capsys):
    _world_of_tasks(tw)
    assert services.rebuild_tallies().differences == 0
    # A completion written around the service (a bulk load, a restore) is not counted...
    stray = Task.objects.get(title="Quá hạn")
    Task.objects.filter(pk=stray.pk).update(completed_on=timezone.localdate())
    assert services.rebuild_tallies(dry_run=True).differences == 1
    assert DoneTally.objects.filter(lead_unit=tw.commune_a, source="direct", late=True).count() == 0  # rolled back
    # ...until the command recounts.
    call_command("rebuild_task_tallies")
    assert "1 differed" in capsys.readouterr().out
    assert DoneTally.objects.get(lead_unit=tw.commune_a, source="direct", late=True).count == 1
    assert services.rebuild_tallies().differences == 0
