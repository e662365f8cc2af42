"""Organisation benchmark: loading the administrative units, tree reads through the API, and a
province committee's org chart.

Limits (from the issue):
- `load_units`: loading the 3,356 current units and the 10,810 pre-2025 units with their
  successor links into an empty database takes at most 10 s;
- the ancestors of a commune and the first 50 units of a province's subtree, through the API as a
  system administrator: p95 at most 2 x B1 (one row by primary key);
- the org chart page of a province committee of realistic size: p95 at most 20 x B0.

The data set is the full unit set at every scale, so `province` and `national` measure the same
thing here (on PostgreSQL); `small` measures it on SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from bench.harness import Bench, BenchError, Endpoint, Record, b0, b1, login_headers
from chidao.accounts.models import User
from chidao.org import services
from chidao.org.loader import ROOT_CODE, commune_code, load_administrative_units, province_code
from chidao.org.models import AgencyType, Committee, CommitteeKind, GroupKind, Role, Unit, UnitClosure, UnitKind

LOAD_LIMIT_S = 10.0
TREE_LIMIT = 2.0
ORG_CHART_LIMIT = 20.0

PROVINCE = province_code(48)  # Thành phố Đà Nẵng
COMMUNE = commune_code(20242)  # Phường Hải Châu, Đà Nẵng

# Fictional people: Vietnamese name parts combined deterministically.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Đức", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai"]
AGENCIES = [
    ("Ban Tuyên giáo và Dân vận Thành ủy", AgencyType.PARTY_BOARD),
    ("Ban Tổ chức Thành ủy", AgencyType.PARTY_BOARD),
    ("Ủy ban nhân dân thành phố", AgencyType.PEOPLES_COMMITTEE),
    ("Sở Văn hóa, Thể thao và Du lịch", AgencyType.DEPARTMENT),
    ("Công an thành phố", AgencyType.ARMED_FORCES),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", AgencyType.MASS_ORGANISATION),
    ("Báo và Phát thanh, Truyền hình Đà Nẵng", AgencyType.PRESS),
    ("Trường Chính trị thành phố", AgencyType.SCHOOL),
]
# (role, group kind or None, seats): 1 head, 2 deputies, 25 members, Tổ thư ký 10, experts 8.
COMPOSITION = [
    (Role.HEAD, None, 1),
    (Role.STANDING_DEPUTY, None, 1),
    (Role.DEPUTY, None, 1),
    (Role.MEMBER, None, 25),
    (Role.SECRETARIAT, GroupKind.SECRETARIAT, 10),
    (Role.EXPERT, GroupKind.EXPERTS, 8),
]
GROUP_NAMES = {GroupKind.SECRETARIAT: "Tổ thư ký", GroupKind.EXPERTS: "Nhóm chuyên gia"}
# Members replaced in one "kiện toàn", so the page also has ended seats to filter out.
RESHUFFLED = 3


def run(bench: Bench) -> list[Record]:
    load = bench.wall_clock(
        "load_units",
        load_administrative_units,
        runs=1 if bench.postgres else 3,
        prepare=bench.fresh_database,
        limit=LOAD_LIMIT_S,
    )
    world = _seed()
    bench.dataset.update(world.facts)
    endpoints = [
        b0(),
        b1(world.commune.pk, world.commune.name),
        b0(anonymous=True),
        b1(world.commune.pk, world.commune.name, anonymous=True),
        # The issue's target: the tree query itself, served like B1's one-row query.
        Endpoint(
            "query_ancestors_commune",
            f"/bench/ancestors/{world.commune.pk}/",
            contains=(world.commune.name,),
            baseline="b1_unit_by_pk",
            limit=TREE_LIMIT,
            also=("b1_unit_by_pk_anonymous",),
        ),
        Endpoint(
            "query_subtree_province",
            f"/bench/subtree/{world.province.pk}/",
            contains=(world.commune.name,),
            baseline="b1_unit_by_pk",
            limit=TREE_LIMIT,
            also=("b1_unit_by_pk_anonymous",),
        ),
        # The same trees through the API (scope check, pagination count, serialisation).
        Endpoint(
            "api_ancestors_commune",
            f"/api/units/{world.commune.pk}/ancestors",
            check=_expect_ancestors([ROOT_CODE, PROVINCE, COMMUNE]),
            baseline="b1_unit_by_pk",
            limit=TREE_LIMIT,
            also=("b1_unit_by_pk_anonymous",),
        ),
        Endpoint(
            "api_subtree_province_50",
            f"/api/units/{world.province.pk}/subtree?limit=50",
            check=_expect_page(50, world.facts["province_subtree_current"]),
            baseline="b1_unit_by_pk",
            limit=TREE_LIMIT,
            also=("b1_unit_by_pk_anonymous",),
        ),
        Endpoint(
            "page_committee_org_chart",
            f"/committees/{world.committee.pk}/",
            contains=(world.committee.name, world.head_name, f"{world.facts['committee_seats_current']} người"),
            baseline="b0_constant",
            limit=ORG_CHART_LIMIT,
            also=("b0_constant_anonymous",),
        ),
    ]
    with bench.serve() as server:
        http = bench.measure(server, endpoints, headers=world.login)
    return [load, *http]


@dataclass
class World:
    province: Unit
    commune: Unit
    committee: Committee
    head_name: str
    login: dict[str, str]
    facts: dict[str, object]


def _seed() -> World:
    """A system administrator and a province committee, written through the services."""
    admin = User.objects.create_superuser(username="bench-admin", email="", password=None, full_name="Bench Admin")
    try:
        province = Unit.objects.get(code=PROVINCE)
        commune = Unit.objects.get(code=COMMUNE, parent=province)
    except Unit.DoesNotExist as exc:
        raise BenchError(f"the loader did not create {PROVINCE} with {COMMUNE} under it") from exc

    loaded = {
        "units_loaded": Unit.objects.count(),
        "units_loaded_current": Unit.objects.current().count(),
        "units_loaded_historical": Unit.objects.historical().count(),
        "closure_rows": UnitClosure.objects.count(),
    }
    today = timezone.localdate()
    founded = today - dt.timedelta(days=300)
    agencies = [
        services.create_unit(
            actor=admin, parent=province, name=name, kind=UnitKind.AGENCY, agency_type=kind, valid_from=founded
        )
        for name, kind in AGENCIES
    ]
    committee = services.create_committee(
        actor=admin,
        unit=province,
        name="Ban Chỉ đạo 35 Thành phố Đà Nẵng",
        short_name="BCĐ 35 TP Đà Nẵng",
        kind=CommitteeKind.PARTY,
        founding_decision="Quyết định số 101-QĐ/TU",
        founded_on=founded,
        standing_agency=agencies[0],
        description="Bảo vệ nền tảng tư tưởng của Đảng (dữ liệu benchmark, nhân sự hư cấu).",
    )
    groups = {
        kind: services.create_group(actor=admin, committee=committee, kind=kind, name=name)
        for kind, name in GROUP_NAMES.items()
    }
    seats = []
    index = 0
    for role, group_kind, count in COMPOSITION:
        for _ in range(count):
            agency = agencies[index % len(agencies)]
            person = services.create_person(
                actor=admin, unit=province, full_name=_name(index), titles=f"Cán bộ {agency.name}", agency=agency
            )
            seats.append(
                services.appoint_member(
                    actor=admin,
                    committee=committee,
                    person=person,
                    role=role,
                    group=groups[group_kind] if group_kind else None,
                    start_date=founded,
                    decision="Quyết định số 101-QĐ/TU",
                )
            )
            index += 1
    leaving = [m for m in seats if m.role == Role.MEMBER][:RESHUFFLED]
    newcomers = [
        services.create_person(
            actor=admin, unit=province, full_name=_name(index + i), titles="Cán bộ", agency=agencies[i]
        )
        for i in range(RESHUFFLED)
    ]
    services.reshuffle_committee(
        actor=admin,
        committee=committee,
        decision="Quyết định số 245-QĐ/TU",
        effective_date=today - dt.timedelta(days=60),
        ending=leaving,
        appointments=[services.Appointment(person=p, role=Role.MEMBER) for p in newcomers],
    )
    facts: dict[str, object] = {
        **loaded,
        "agencies_added": len(agencies),
        "province": f"{province.code} {province.name}",
        "province_subtree_current": Unit.objects.subtree_of(province).current().count(),
        "commune": f"{commune.code} {commune.name}",
        "committee_seats_current": committee.memberships.current().count(),
        "committee_seats_all": committee.memberships.count(),
        "committee_groups": len(groups),
    }
    return World(province, commune, committee, seats[0].person.full_name, login_headers(admin), facts)


def _name(index: int) -> str:
    return f"{FAMILY[index % len(FAMILY)]} {MIDDLE[(index * 7) % len(MIDDLE)]} {GIVEN[(index * 3) % len(GIVEN)]}"


def _expect_ancestors(codes: list[str]) -> Callable[[bytes], None]:
    def check(body: bytes) -> None:
        got = [unit["code"] for unit in json.loads(body)]
        if got != codes:
            raise BenchError(f"ancestors answered {got}, expected {codes}")

    return check


def _expect_page(size: int, count: object) -> Callable[[bytes], None]:
    def check(body: bytes) -> None:
        page = json.loads(body)
        if len(page["items"]) != size or page["count"] != count:
            raise BenchError(
                f"subtree answered {len(page['items'])} items of {page['count']}, expected {size} of {count}"
            )

    return check
