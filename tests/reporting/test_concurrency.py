"""Concurrent approvals on PostgreSQL: real transactions in threads, each on its own connection.

Every approval of a period updates the same province and country aggregate rows and appends to
the audit trail; the approvals must queue, not deadlock, and lose nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from chidao.audit.queries import verify_chain
from chidao.reporting import services
from chidao.reporting.models import Aggregate, Report, Status
from chidao.reporting.queries import aggregate_of, verify_aggregates
from tests.conftest import _world
from tests.reporting.conftest import _setup

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approvals_queue_without_deadlock_or_lost_update():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL")
    world = _world()
    rp = _setup(world)
    periods = [rp.period, *(services.ensure_period("quarter", 2026, n, rp.form.calendar) for n in (2, 3, 4))]
    reports = []
    for period in periods:
        for unit, officer, registered in (
            (world.commune_a, world.commune_officer, 10),
            (world.commune_b, world.sibling_officer, 20),
        ):
            report = services.open_report(actor=officer, form=rp.form, unit=unit, period=period)
            services.save_values(actor=officer, report=report, values={rp.registered.pk: registered, rp.trained.pk: 5})
            services.submit_report(actor=officer, report=report)
            reports.append(report.pk)
    errors: list[str] = []
    barrier = threading.Barrier(4)

    def approve(ids: list[int]) -> None:
        try:
            barrier.wait()
            for pk in ids:
                services.approve_report(actor=world.province_admin, report=Report(pk=pk))
        except Exception as exc:  # collected and asserted below: a deadlock shows up here
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(reports[k::4],)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Report.objects.filter(pk__in=reports, status=Status.APPROVED).count() == len(reports)
    for period in periods:
        country = aggregate_of(rp.form, period, world.root, rp.registered)
        assert (country.total, country.count) == (30, 2)
    assert verify_aggregates().differences == []
    assert verify_chain().ok
    # verify on two connections at once (committed data, four periods) finds what one finds
    Aggregate.objects.filter(period=periods[2], unit=world.commune_b, indicator=rp.trained).update(count=7)
    alone, together = verify_aggregates(), verify_aggregates(workers=2)
    assert len(alone.differences) == 1 and "stored (Decimal('5'), 7" in alone.differences[0]
    assert sorted(together.differences) == sorted(alone.differences)
    assert together.checked == alone.checked == Aggregate.objects.count()
