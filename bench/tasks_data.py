"""The task benchmark's data set (bench/tasks.py): the unit tree, one secretariat account per
province and commune, and tasks assigned by each province to its communes and by the centre to
the provinces over three years, some done on time, some late, some still open or overdue.

Accounts and grants are written with bulk_create; tasks with COPY on PostgreSQL and `executemany`
on SQLite (bench/reporting_data.bulk_insert). Every run builds the same data: the random
generator is seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from bench.harness import Laps
from bench.reporting_data import PROVINCE, bulk_insert
from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.org.loader import ROOT_CODE, load_administrative_units
from chidao.org.models import Unit, UnitKind
from chidao.tasks.models import Priority, Source, Task
from chidao.tasks.services import rebuild_tallies

if TYPE_CHECKING:
    from collections.abc import Iterator

# The day the list pages and the reminder run are measured on: every task is dated around it.
TODAY = dt.date(2026, 11, 16)
FIRST_ASSIGNED = dt.date(2023, 11, 1)
SEED = 35
ACTIONS = [
    "Tổ chức tuyên truyền, phổ biến",
    "Rà soát, đánh giá kết quả thực hiện",
    "Xây dựng kế hoạch triển khai",
    "Báo cáo sơ kết",
    "Tổ chức hội nghị quán triệt",
    "Kiện toàn tổ giúp việc",
    "Tập huấn nghiệp vụ cho cán bộ",
    "Tổng hợp, báo cáo tình hình",
]
SUBJECTS = [
    "Nghị quyết số 35-NQ/TW của Bộ Chính trị",
    "Kết luận của Ban Chỉ đạo tại hội nghị quý",
    "chương trình công tác năm",
    "công tác bảo vệ nền tảng tư tưởng của Đảng",
    "kế hoạch chuyển đổi số",
    "phong trào thi đua",
]


@dataclass
class Dataset:
    admin: User
    scope: Unit
    province: Unit  # the largest province in scope: its list is the one judged
    province_user: User
    commune: Unit
    commune_user: User
    facts: dict[str, Any] = field(default_factory=dict)


def build(*, national: bool, tasks: int) -> Dataset:
    lap = Laps()
    steps = lap.steps

    load_administrative_units(include_history=False)
    lap("units")
    root = Unit.objects.get(code=ROOT_CODE)
    scope = root if national else Unit.objects.get(code=PROVINCE)
    provinces = list(Unit.objects.filter(parent=root, kind=UnitKind.PROVINCE).order_by("code"))
    if not national:
        provinces = [scope]
    communes: dict[int, list[int]] = {
        p.pk: list(Unit.objects.filter(parent=p, kind=UnitKind.COMMUNE).order_by("code").values_list("pk", flat=True))
        for p in provinces
    }
    admin = User.objects.create_superuser(username="bench-admin", email="", password=None, full_name="Bench Admin")
    accounts = _accounts(root, provinces, communes)
    lap("accounts")
    with transaction.atomic():
        count = _tasks(root, provinces, communes, accounts, tasks)
    lap("tasks")
    # The tasks were loaded around `complete_task`: count their completions as it would have.
    tallies = rebuild_tallies()
    lap("done_tallies")
    if connection.vendor == "postgresql":
        # What autovacuum does to a table after a large insert (autovacuum_vacuum_insert_threshold):
        # without the visibility map it sets, every index-only scan of the counts visits the heap.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Task._meta.db_table}")
        lap("vacuum")
    largest = max(provinces, key=lambda p: len(communes[p.pk]))
    commune = Unit.objects.get(pk=communes[largest.pk][0])
    data = Dataset(
        admin=admin,
        scope=scope,
        province=largest,
        province_user=User.objects.get(pk=accounts[largest.pk]),
        commune=commune,
        commune_user=User.objects.get(pk=accounts[commune.pk]),
    )
    open_tasks = Task.objects.filter(completed_on__isnull=True)
    data.facts.update(
        {
            "scope": f"{scope.code} {scope.name}",
            "provinces": len(provinces),
            "communes": sum(len(c) for c in communes.values()),
            "accounts": len(accounts) + 1,
            "tasks": count,
            "open_tasks": open_tasks.count(),
            "overdue_open_tasks": open_tasks.filter(due_date__lt=TODAY).count(),
            "measured_province": f"{largest.code} {largest.name} ({len(communes[largest.pk])} communes)",
            "measured_commune": f"{commune.code} {commune.name}",
            "today": TODAY.isoformat(),
            "done_tallies": tallies.rows,
            "load_steps_s": steps,
        }
    )
    return data


def _accounts(root: Unit, provinces: list[Unit], communes: dict[int, list[int]]) -> dict[int, int]:
    """One secretariat account per unit (the centre, each province, each commune): unit id → user id."""
    units = [root.pk] + [p.pk for p in provinces] + [c for ids in communes.values() for c in ids]
    users = User.objects.bulk_create(
        [
            User(username=f"bench-{unit}", email=f"bench-{unit}@example.invalid", full_name=f"Thư ký {unit}")
            for unit in units
        ],
        batch_size=2000,
    )
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=user, unit_id=unit, role=AccessRole.SECRETARIAT)
            for user, unit in zip(users, units, strict=True)
        ],
        batch_size=2000,
    )
    return {unit: user.pk for user, unit in zip(users, units, strict=True)}


def _tasks(
    root: Unit, provinces: list[Unit], communes: dict[int, list[int]], accounts: dict[int, int], total: int
) -> int:
    """`total` tasks: 10 % assigned by the centre to provinces, the rest by provinces to their
    communes, in proportion to the number of communes."""
    rng = random.Random(SEED)
    span = (TODAY + dt.timedelta(days=30) - FIRST_ASSIGNED).days
    now = timezone.now()
    pairs: list[tuple[int, int]] = []  # (assigning unit, lead unit)
    for province in provinces:
        pairs.append((root.pk, province.pk))
        pairs.extend((province.pk, c) for c in communes[province.pk])
    # A tenth of the tasks go from the centre to the provinces, nine tenths from provinces to communes.
    commune_count = sum(len(ids) for ids in communes.values())
    province_weight = commune_count / (9 * len(provinces))
    weights = [province_weight if assigning == root.pk else 1.0 for assigning, _lead in pairs]

    def rows() -> Iterator[tuple[Any, ...]]:
        chosen = rng.choices(pairs, weights=weights, k=total)
        for index, (assigning, lead) in enumerate(chosen, start=1):
            assigned_on = FIRST_ASSIGNED + dt.timedelta(days=rng.randrange(span))
            due = assigned_on + dt.timedelta(days=rng.choice((7, 15, 30, 45, 60, 90, 120)))
            completed_on = None
            progress = rng.choice((0, 20, 50, 80))
            if due < TODAY:
                if rng.random() < 0.93:
                    late = rng.random() < 0.2
                    completed_on = (
                        due + dt.timedelta(days=rng.randrange(1, 20))
                        if late
                        else due - dt.timedelta(days=rng.randrange(0, 10))
                    )
            elif rng.random() < 0.3:
                completed_on = min(TODAY, assigned_on + dt.timedelta(days=rng.randrange(1, 10)))
            if completed_on is not None:
                completed_on = max(completed_on, assigned_on)
                progress = 100
            title = f"{ACTIONS[index % len(ACTIONS)]} {SUBJECTS[(index // 8) % len(SUBJECTS)]} (việc {index})"
            yield (
                index,
                title,
                "",
                (Source.MEETING, Source.DOCUMENT, Source.PLAN, Source.DIRECT)[index % 4].value,
                assigning,
                accounts[assigning],
                assigned_on,
                lead,
                due,
                due,
                "",
                Priority.NORMAL.value if index % 5 else Priority.HIGH.value,
                progress,
                completed_on,
                "",
                "",
                "",
                "",
                "",
                now,
                now,
            )

    columns = [
        "id",
        "title",
        "description",
        "source",
        "assigning_unit_id",
        "assigned_by_id",
        "assigned_on",
        "lead_unit_id",
        "due_date",
        "original_due_date",
        "recurrence",
        "priority",
        "progress",
        "completed_on",
        "completion_report",
        "rating",
        "evaluation_comment",
        "document_reference",
        "document_title",
        "created_at",
        "updated_at",
    ]
    bulk_insert(Task._meta.db_table, columns, rows())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('tasks_task', 'id'), {total})")
    return total
