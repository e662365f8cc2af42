"""Task follow-up benchmark: a unit's task list (first page, filtered, with counts by status over
its subtree) through a real HTTP server, and the daily reminder run.

Limits (from issue #5):
- national (PostgreSQL; 34 provinces, 3,321 communes, 1,000,000 tasks): the largest province's
  task list p95 <= 30 ms (also reported as a ratio to B0); the reminder run over all tasks
  <= 15 s; a second run the same day sends nothing (checked: any reminder is an error);
- small (SQLite, one province's 94 communes, 50,000 tasks) and province (the same on PostgreSQL):
  the lists p95 <= 10 x B0; the second run sends nothing.
A list page counts the whole subtree by status; the same counts split by child unit arrive with a
second request (htmx on load), measured as the full page with `by_unit=1`, for information, like
the national root's list (all 1,000,000 tasks counted by status) and a catch-up reminder run three
days later.

Data: bench/tasks_data.py. Method: docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core import mail
from django.test.utils import override_settings
from django.urls import reverse

from bench import harness
from bench.harness import Bench, BenchError, Endpoint, Record, login_headers
from bench.tasks_data import TODAY, Dataset, build
from chidao.accounts.models import User
from chidao.tasks.services.reminders import ReminderResult, send_reminders

TASKS = {"small": 50_000, "province": 50_000, "national": 1_000_000}
LIST_LIMIT_MS = 30.0
LIST_LIMIT_B0 = 10.0
REMINDER_LIMIT_S = 15.0
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def run(bench: Bench) -> list[Record]:
    national = bench.scale == "national"
    built: list[Dataset] = []
    load = bench.wall_clock(
        "load_task_data",
        lambda: built.append(build(national=national, tasks=TASKS[bench.scale])),
        runs=1,
        prepare=bench.fresh_database,
    )
    data = built[0]
    bench.dataset.update(data.facts)
    with bench.serve() as server:
        pages = _lists(bench, server, data, national=national)
    reminders = _reminders(bench, national=national)
    return [load, *pages, *reminders]


def _unit_list(unit: int, query: str = "") -> str:
    return f"{reverse('tasks:unit')}?unit={unit}{'&' + query if query else ''}"


def _lists(bench: Bench, server: harness.Server, data: Dataset, *, national: bool) -> list[Record]:
    """Three groups, one account each, every group with its own B0 in the same interleaved rounds."""
    limit = None if national else LIST_LIMIT_B0
    groups: list[tuple[User, list[Endpoint]]] = [
        (
            data.province_user,
            [
                Endpoint("b0_constant", "/bench/b0/", contains=("ok",)),
                Endpoint(
                    "page_province_tasks_overdue",
                    _unit_list(data.province.pk, "status=overdue"),
                    contains=(data.province.name, "Quá hạn"),
                    baseline="b0_constant",
                    limit=limit,
                ),
                Endpoint(
                    "page_province_tasks_overdue_with_split_by_commune_info",
                    _unit_list(data.province.pk, "status=overdue&by_unit=1"),
                    contains=(data.province.name, 'id="by-unit"'),
                    baseline="b0_constant",
                ),
                Endpoint(
                    "page_province_tasks_open_from_meetings",
                    _unit_list(data.province.pk, "status=open&source=meeting"),
                    contains=(data.province.name,),
                    baseline="b0_constant",
                    limit=limit,
                ),
            ],
        ),
        (
            data.commune_user,
            [
                Endpoint("b0_constant_commune_account", "/bench/b0/", contains=("ok",)),
                Endpoint(
                    "page_commune_tasks_overdue",
                    _unit_list(data.commune.pk, "status=overdue"),
                    contains=(data.commune.name,),
                    baseline="b0_constant_commune_account",
                    limit=limit,
                ),
                Endpoint(
                    "page_my_tasks_open",
                    f"{reverse('tasks:mine')}?status=open",
                    baseline="b0_constant_commune_account",
                    limit=limit,
                ),
            ],
        ),
    ]
    if national:
        groups.append(
            (
                data.admin,
                [
                    Endpoint("b0_constant_national_account", "/bench/b0/", contains=("ok",)),
                    Endpoint(
                        "page_national_tasks_overdue_info",
                        _unit_list(data.scope.pk, "status=overdue"),
                        contains=(data.scope.name,),
                        baseline="b0_constant_national_account",
                    ),
                ],
            )
        )
    records: list[Record] = []
    for user, endpoints in groups:
        headers = login_headers(user)
        for endpoint in endpoints:
            harness.verify(server.client(headers), endpoint)
        records.extend(bench.measure(server, endpoints, headers=headers))
    if national:
        for record in records:
            if record.metric.startswith("page_") and not record.metric.endswith("_info"):
                record.limit, record.limit_on, record.passed = LIST_LIMIT_MS, "p95", record.p95 <= LIST_LIMIT_MS
    return records


def _reminders(bench: Bench, *, national: bool) -> list[Record]:
    results: list[ReminderResult] = []

    def reminder_run(day: dt.date) -> Callable[[], None]:
        def step() -> None:
            with override_settings(MAILERS=MAILERS):
                mail.outbox = []
                results.append(send_reminders(today=day))
                mail.outbox = []

        return step

    def nothing() -> None:
        return None

    first = bench.wall_clock(
        "reminder_run_first", reminder_run(TODAY), runs=1, prepare=nothing, limit=REMINDER_LIMIT_S if national else None
    )
    second = bench.wall_clock("reminder_run_again_same_day", reminder_run(TODAY), runs=1, prepare=nothing)
    if results[0].reminders == 0:
        raise BenchError("the first reminder run sent nothing: the data set has no task to remind")
    if results[1].reminders or results[1].notifications or results[1].emails:
        raise BenchError(f"the second run the same day sent something: {results[1]}")
    later = bench.wall_clock(
        "reminder_run_catch_up_3_days_later_info", reminder_run(TODAY + dt.timedelta(days=3)), runs=1, prepare=nothing
    )
    bench.dataset["reminder_runs"] = [str(r) for r in results]
    return [first, second, later]
