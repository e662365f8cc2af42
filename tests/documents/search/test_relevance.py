"""Search relevance on real Vietnamese titles, with and without diacritics, đ/d, phrases, symbols,
filters and scope. The same suite runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from chidao.documents.search import queries
from chidao.documents.search.postgres import PostgresBackend
from chidao.documents.search.queries import Filters, naive_search, search_documents
from chidao.documents.search.query import Match
from chidao.documents.search.tokens import MAX_SCOPE_UNITS, token_filter
from chidao.org.models import UnitKind
from tests.conftest import make_unit
from tests.documents.search import make_document

pytestmark = pytest.mark.django_db

NQ35_TITLE = (
    "Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm "
    "sai trái, thù địch trong tình hình mới"
)


@pytest.fixture
def registry(world):
    """A small register across the tree: central documents (public), the province's plans
    (subtree), a commune's own rules (unit only) and a document of another province."""
    docs = {
        "nq35": make_document(
            world.root,
            NQ35_TITLE,
            kind="resolution",
            symbol="35-NQ/TW",
            issuer="Bộ Chính trị",
            issued_on=dt.date(2018, 10, 22),
            visibility="public",
            full_text="Bảo vệ nền tảng tư tưởng của Đảng là nhiệm vụ hệ trọng, sống còn của chế độ.",
        ),
        "ct35": make_document(
            world.root,
            "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
            kind="directive",
            symbol="35-CT/TW",
            issuer="Bộ Chính trị",
            issued_on=dt.date(2024, 6, 14),
            visibility="public",
        ),
        "plan": make_document(
            world.province_a,
            "Kế hoạch thực hiện Nghị quyết số 35-NQ/TW của Bộ Chính trị về bảo vệ nền tảng tư tưởng của Đảng",
            symbol="123-KH/TU",
            issuer="Ban Thường vụ Thành ủy Đà Nẵng",
            issued_on=dt.date(2024, 3, 1),
        ),
        "notice": make_document(
            world.province_a,
            "Thông báo kết luận của Thường trực Thành ủy tại buổi làm việc với Ban Tuyên giáo",
            kind="notice",
            symbol="45-TB/TU",
            issued_on=dt.date(2025, 1, 8),
            summary="Tiếp tục làm tốt công tác bảo vệ nền tảng tư tưởng của Đảng trên không gian mạng.",
        ),
        "rules": make_document(
            world.commune_a,
            "Quy chế làm việc của Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực phường Hải Châu",
            kind="rules",
            symbol="05-QC/ĐU",
            issuer="Đảng ủy phường Hải Châu",
            issued_on=dt.date(2025, 8, 1),
            visibility="unit",
        ),
        "quang_ninh": make_document(
            world.commune_c,
            "Báo cáo kết quả công tác của Đảng ủy phường Hạ Long về chuyển đổi số",
            kind="report",
            symbol="12-BC/ĐU",
            issuer="Đảng ủy phường Hạ Long",
            issued_on=dt.date(2025, 9, 30),
            visibility="unit",
        ),
    }
    return docs


def ids(page):
    return [hit.document.pk for hit in page.hits]


def test_dang_uy_without_diacritics_finds_dang_uy(world, registry):
    for text in ("dang uy", "Đảng ủy", "DANG UY", "đảng uỷ"):
        page = search_documents(world.outsider, text)
        assert ids(page)[0] == registry["quang_ninh"].pk, text
        assert page.hits[0].reason == "title_phrase"
    hit = search_documents(world.outsider, "dang uy").hits[0]
    assert "<mark>Đảng ủy</mark>" in hit.title_html


def test_the_issuer_is_searched_too(world, registry):
    page = search_documents(world.commune_officer, "dang uy phuong hai chau")
    assert ids(page) == [registry["rules"].pk]


def test_bao_ve_nen_tang_finds_bao_ve_nen_tang(world, registry):
    page = search_documents(world.commune_officer, "bao ve nen tang")
    assert set(ids(page)) == {registry["nq35"].pk, registry["plan"].pk, registry["notice"].pk}


def test_a_symbol_is_rank_one_however_it_is_typed(world, registry):
    # The plan is newer and cites "35-NQ/TW" in its title; the resolution itself still comes first.
    for text in ("35-NQ/TW", "35/NQ-TW", "35-nq/tw", "nq 35", "nghị quyết 35"):
        page = search_documents(world.commune_officer, text)
        assert page.hits[0].document.pk == registry["nq35"].pk, text
        assert page.hits[0].reason == "symbol"
    assert registry["plan"].pk in ids(search_documents(world.commune_officer, "35-NQ/TW"))


def test_a_symbol_with_its_year_finds_that_years_document_first(world):
    """Councils number their resolutions anew each year: 15/2024 and 15/2026 of one council differ."""
    older = make_document(
        world.province_a,
        "Nghị quyết về kế hoạch đầu tư công năm 2025",
        kind="resolution",
        symbol="15/2024/NQ-HĐND",
        issuer="Hội đồng nhân dân thành phố Đà Nẵng",
        issued_on=dt.date(2024, 12, 10),
    )
    newer = make_document(
        world.province_a,
        "Nghị quyết về chương trình giám sát năm 2027",
        kind="resolution",
        symbol="15/2026/NQ-HĐND",
        issuer="Hội đồng nhân dân thành phố Đà Nẵng",
        issued_on=dt.date(2026, 7, 2),
    )
    for text, first in (("15/2024/NQ-HĐND", older), ("15/2026/NQ-HDND", newer)):
        page = search_documents(world.province_admin, text)
        assert [hit.document.pk for hit in page.hits[:2]] == [first.pk, ({older.pk, newer.pk} - {first.pk}).pop()]


def test_a_number_written_with_its_leading_zero_finds_the_document_written_so(world):
    """ "08-CT/TU" of one city and "8-CT/TU" of another province reduce to the same symbol; the
    one written as the user typed it comes first, the newer one otherwise."""
    zero = make_document(
        world.province_a,
        "Chỉ thị về tăng cường công tác bảo vệ nền tảng tư tưởng",
        kind="directive",
        symbol="08-CT/TU",
        issuer="Thành ủy Đà Nẵng",
        issued_on=dt.date(2021, 9, 1),
        visibility="public",
    )
    plain = make_document(
        world.province_b,
        "Chỉ thị về công tác dân vận",
        kind="directive",
        symbol="8-CT/TU",
        issuer="Tỉnh ủy Quảng Ninh",
        issued_on=dt.date(2026, 9, 19),
        visibility="public",
    )
    for text, first in (("08-CT/TU", zero), ("08/CT-TU", zero), ("8-CT/TU", plain)):
        page = search_documents(world.province_admin, text)
        assert [hit.document.pk for hit in page.hits[:2]] == [first.pk, ({zero.pk, plain.pk} - {first.pk}).pop()], text


def test_a_number_and_kind_pick_the_right_kind(world, registry):
    assert search_documents(world.commune_officer, "ct 35").hits[0].document.pk == registry["ct35"].pk
    assert search_documents(world.commune_officer, "nq 35").hits[0].document.pk == registry["nq35"].pk


def test_title_matches_come_before_body_matches(world, registry):
    page = search_documents(world.commune_officer, "nen tang tu tuong")
    reasons = {hit.document.pk: hit.reason for hit in page.hits}
    assert reasons[registry["notice"].pk] == "body"
    assert ids(page)[-1] == registry["notice"].pk  # the newest, but only its summary matches
    assert ids(page)[:2] == [registry["plan"].pk, registry["nq35"].pk]  # titles, newest first


def test_a_title_holding_the_whole_query_comes_before_one_holding_its_words(world):
    scattered = make_document(
        world.province_a, "Về nền tảng số và công tác bảo vệ dữ liệu", issued_on=dt.date(2025, 5, 1)
    )
    exact = make_document(world.province_a, "Bảo vệ nền tảng tư tưởng", issued_on=dt.date(2020, 1, 1))
    page = search_documents(world.province_admin, "bao ve nen tang")
    assert ids(page) == [exact.pk, scattered.pk]
    assert [hit.reason for hit in page.hits] == ["title_phrase", "title"]


def test_quoted_phrase_needs_the_words_in_order(world):
    in_order = make_document(world.province_a, "Về bảo vệ nền tảng tư tưởng")
    make_document(world.province_a, "Nền tảng vững chắc, bảo vệ tư tưởng")
    assert ids(search_documents(world.province_admin, '"bao ve nen tang"')) == [in_order.pk]
    assert len(search_documents(world.province_admin, "bao ve nen tang").hits) == 2


def test_highlights_are_on_the_original_text(world, registry):
    hit = search_documents(world.commune_officer, "khong gian mang").hits[0]
    assert hit.document.pk == registry["notice"].pk
    assert "<mark>không gian mạng</mark>" in hit.snippet_html


def test_filters_by_kind_year_issuer_and_unit_subtree(world, registry):
    user = world.province_admin
    assert ids(search_documents(user, "dang", filters=Filters(kind="directive"))) == [registry["ct35"].pk]
    by_year = ids(search_documents(user, "dang", filters=Filters(year=2024)))
    assert set(by_year) == {registry["ct35"].pk, registry["plan"].pk}
    by_issuer = ids(search_documents(user, "dang", filters=Filters(issuer="bo chinh tri")))
    assert set(by_issuer) == {registry["nq35"].pk, registry["ct35"].pk}
    in_commune = ids(search_documents(user, "dang", filters=Filters(unit_id=world.commune_a.pk)))
    assert in_commune == [registry["rules"].pk]
    in_province = set(ids(search_documents(user, "dang", filters=Filters(unit_id=world.province_a.pk))))
    assert in_province == {registry["plan"].pk, registry["notice"].pk, registry["rules"].pk}


def test_nobody_sees_a_document_out_of_scope_in_results_counts_or_snippets(world, registry):
    quang_ninh = registry["quang_ninh"].pk
    for user in (world.commune_officer, world.sibling_officer, world.province_admin, world.viewer):
        page = search_documents(user, "chuyen doi so")
        assert page.hits == [] and page.total == 0
        assert quang_ninh not in ids(search_documents(user, "12-BC/ĐU"))
        assert quang_ninh not in ids(search_documents(user, "dang uy"))
    assert ids(search_documents(world.outsider, "chuyen doi so")) == [quang_ninh]
    assert ids(search_documents(world.system_admin, "chuyen doi so")) == [quang_ninh]


def test_a_units_own_documents_stay_with_the_unit_and_those_above(world, registry):
    rules = registry["rules"].pk
    assert rules in ids(search_documents(world.commune_officer, "tham nhung"))
    assert rules in ids(search_documents(world.province_admin, "tham nhung"))
    assert search_documents(world.sibling_officer, "tham nhung").total == 0
    assert search_documents(world.outsider, "tham nhung").total == 0


def test_subtree_and_public_documents_reach_the_units_below(world, registry):
    page = search_documents(world.sibling_officer, "nghi quyet")
    assert {registry["nq35"].pk, registry["plan"].pk} <= set(ids(page))
    outsider = ids(search_documents(world.outsider, "nghi quyet"))
    assert registry["nq35"].pk in outsider and registry["plan"].pk not in outsider


def test_too_short_and_empty_queries_say_so(world, registry):
    assert "quá ngắn" in search_documents(world.province_admin, "a").message
    assert "Nhập" in search_documents(world.province_admin, "  ").message
    assert "Không tìm thấy" in search_documents(world.province_admin, "xyzzy").message


def test_common_words_are_paged_newest_first(world):
    made = [
        make_document(
            world.province_a,
            f"Kế hoạch số {n} về công tác xây dựng Đảng",
            issued_on=dt.date(2024, 1, 1) + dt.timedelta(days=n),
        )
        for n in range(25)
    ]
    first = search_documents(world.province_admin, "xay dung dang")
    second = search_documents(world.province_admin, "xay dung dang", page=2)
    assert first.total == 25 and first.total_exact and first.has_next
    assert ids(first) == [d.pk for d in reversed(made)][:20]
    assert ids(second) == [d.pk for d in reversed(made)][20:]
    assert not second.has_next


def test_beyond_the_cap_the_total_is_an_estimate(world, monkeypatch):
    monkeypatch.setattr(queries, "TOTAL_CAP", 5)
    monkeypatch.setattr(PostgresBackend, "PROBE", 5)
    for n in range(12):
        make_document(world.province_a, f"Báo cáo tình hình Đảng bộ tháng {n + 1}", issued_on=dt.date(2024, n + 1, 1))
    page = search_documents(world.province_admin, "tinh hinh dang bo")
    assert not page.total_exact and page.total > 5
    assert len(page.hits) == 12


def test_naive_search_ranks_every_match(world, registry):
    ranked = naive_search("bao ve nen tang tu tuong")
    assert set(ranked) == {registry["nq35"].pk, registry["plan"].pk, registry["notice"].pk}
    assert ranked[-1] == registry["notice"].pk


@pytest.mark.parametrize(
    ("window", "probe"),
    [(1000, 3000), (2, 3000), (2, 2)],
    ids=["newest-window", "probe", "recency-walk"],
)
def test_a_quoted_phrase_in_the_body_needs_its_words_in_order(world, monkeypatch, window, probe):
    """On PostgreSQL the document's tsvector has no positions: the phrase is checked on the folded
    text, in each of the backend's steps (the newest rows, the GIN probe, the walk past it)."""
    monkeypatch.setattr(PostgresBackend, "WINDOW", window)
    monkeypatch.setattr(PostgresBackend, "PROBE", probe)
    in_body = make_document(
        world.province_a,
        "Kế hoạch tuyên truyền năm 2025",
        full_text="Tăng cường bảo vệ nền tảng tư tưởng của Đảng trên không gian mạng.",
        issued_on=dt.date(2025, 3, 1),
    )
    # A phrase does not run from the title into the body (FTS5 columns are apart).
    across = make_document(
        world.province_a, "Về bảo vệ", full_text="Nền tảng tư tưởng của Đảng.", issued_on=dt.date(2025, 2, 1)
    )
    scattered = [
        make_document(
            world.province_a,
            f"Thông báo số {n}",
            full_text="Nền tảng số; bảo vệ dữ liệu, tư tưởng đổi mới.",
            issued_on=dt.date(2025, 4, n + 1),
        )
        for n in range(3)
    ]
    page = search_documents(world.province_admin, '"bao ve nen tang"')
    assert ids(page) == [in_body.pk]
    # Past PostgreSQL's probe the total is the planner's estimate of the words' matches.
    walked = connection.vendor == "postgresql" and probe == 2
    assert (page.total, page.total_exact) == ((3, False) if walked else (1, True))
    assert [hit.reason for hit in page.hits] == ["body"]
    assert "<mark>bảo vệ nền tảng</mark>" in page.hits[0].snippet_html
    # Without quotes the scattered words match too.
    unquoted = set(ids(search_documents(world.province_admin, "bao ve nen tang")))
    assert unquoted == {in_body.pk, across.pk, *(d.pk for d in scattered)}
    assert naive_search('"bao ve nen tang"') == [in_body.pk]


@pytest.mark.parametrize(
    ("common", "walk", "title_walk", "window"),
    [(-1, 2, 8000, 1), (-1, 20_000, 8000, 1), (10**9, 2, 10**9, 1), (-1, 20_000, 10**9, 3), (-1, 4, 10**9, 3)],
    ids=["walk-falls-back-to-probe", "walk-fills-page", "title-walk", "sampled-walk", "sampled-walk-falls-short"],
)
def test_every_postgres_path_gives_the_same_pages(world, registry, monkeypatch, common, walk, title_walk, window):
    """Whichever step answers (the newest rows, a walk further down the recency index on the
    newest rows' sample or on the planner's estimate, the GIN probe, the sorted bitmap), the
    pages are the same."""
    # The system administrator searches without scope tokens: the newest rows are checked first.
    users = [world.system_admin, world.province_admin, world.commune_officer]
    cases = [
        ("dang", Filters()),
        ("bao ve nen tang", Filters()),
        ('"bao ve nen tang"', Filters()),
        ("ban chi dao", Filters(unit_id=world.province_a.pk)),
        ("dang", Filters(year=2024)),
        ("tu tuong", Filters(kind="resolution")),
    ]

    def pages():
        return [ids(search_documents(user, text, filters=filters)) for user in users for text, filters in cases]

    if connection.vendor == "postgresql":
        # The planner's statistics: its estimates and the table's size decide the walks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_searchentry")
    # Pages of two, so that the newest rows seldom fill one.
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    expected = pages()
    assert sum(map(len, expected)) > len(expected)
    monkeypatch.setattr(PostgresBackend, "WINDOW", window)
    monkeypatch.setattr(PostgresBackend, "DENSE_WINDOW", 1)
    monkeypatch.setattr(PostgresBackend, "COMMON", common)
    monkeypatch.setattr(PostgresBackend, "WALK", walk)
    monkeypatch.setattr(PostgresBackend, "TITLE_WALK", title_walk)
    # One match among the newest rows is sample enough (a page is two).
    monkeypatch.setattr(PostgresBackend, "SAMPLED", 1)
    walks = []
    newest = PostgresBackend._newest

    def counted(self, *args, **kwargs):
        # (walked, rows skipped): a walk past the window names the rows it skips.
        walked = args[6] if len(args) > 6 else kwargs.get("walk", False)
        walks.append((walked, args[7] if len(args) > 7 else kwargs.get("skip", 0)))
        return newest(self, *args, **kwargs)

    monkeypatch.setattr(PostgresBackend, "_newest", counted)
    assert pages() == expected
    if connection.vendor == "postgresql":
        assert any(walked for walked, _skip in walks)
        # With a window of three rows, one match among them sends the search down the index.
        assert any(skip for _walked, skip in walks) == (window > 1)


@pytest.mark.parametrize("window", [10**6, 3])
def test_postgres_scope_walk_gives_the_same_pages(world, registry, monkeypatch, window):
    """A small scope's newest entries, read unit by unit through their indexes and merged
    (`_scope_newest`), give the pages the other paths give: each user's own units, the "subtree"
    entries of the units above and the public ones, in order, with and without filters; a window
    too small for a page falls back to the other paths."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's scope walk")
    units = [world.root, world.province_a, world.province_b, world.commune_a, world.commune_b, world.commune_c]
    for n in range(36):
        make_document(
            units[n % len(units)],
            f"Báo cáo công tác xây dựng Đảng số {n}" if n % 3 else f"Kế hoạch tuyên truyền về Đảng số {n}",
            kind="report" if n % 3 else "plan",
            visibility=("unit", "subtree", "public")[n % 4 % 3],
            issued_on=dt.date(2023 + n % 3, 1 + n % 12, 1 + n % 27),
        )
    users = [world.commune_officer, world.sibling_officer, world.outsider, world.province_admin, world.viewer]
    cases = [
        ("dang", Filters()),
        ("bao cao dang", Filters()),
        ('"xay dung dang"', Filters()),
        ("ke hoach", Filters(kind="plan")),
        ("dang", Filters(year=2024)),
        ("dang", Filters(unit_id=world.province_a.pk)),
    ]

    def pages():
        return [
            (ids(found), found.total)
            for user in users
            for text, filters in cases
            for found in [search_documents(user, text, filters=filters, page=page) for page in (1, 2, 3)]
        ]

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_searchentry")
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    # No scope walk: the other paths' pages.
    monkeypatch.setattr(PostgresBackend, "SCOPE_WINDOW", 0)
    expected = pages()
    assert sum(len(page) for page, _total in expected) > len(expected)
    monkeypatch.setattr(PostgresBackend, "SCOPE_WINDOW", window)
    # Every word counts as common: the walk is tried first whatever the statistics say.
    monkeypatch.setattr(PostgresBackend, "_upper_bound", lambda self, match: 10**9)
    answered = []
    scope_newest = PostgresBackend._scope_newest

    def counted(self, match, where, params, limit, scope_units):
        found = scope_newest(self, match, where, params, limit, scope_units)
        answered.append(len(found) >= limit)
        return found

    monkeypatch.setattr(PostgresBackend, "_scope_newest", counted)
    plans = []

    def explained(execute, sql, params, many, context):
        if ") AS scoped " in sql and not sql.startswith("EXPLAIN"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plans.append([row[0].strip() for row in cursor.fetchall()])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explained):
        assert pages() == expected
    # Each part is a range of one of the two indexes, merged newest first: nothing sorted.
    assert plans and all(any(line.startswith("->  Merge Append") for line in plan) for plan in plans)
    for plan in plans:
        text = "\n".join(plan)
        assert "search_entry_unit_recency" in text and "search_entry_public_recency" in text
        assert not any(line.startswith("->  Sort ") for line in plan), text
    # The walk answered some pages; with a window of three rows it fell short of others.
    assert any(answered)
    if window == 3:
        assert not all(answered)


def test_postgres_scope_units_of_small_scopes_only(world):
    """A commune's or a province's officer in the test tree: their units and those above; the
    superuser and a scope of more than MAX_SCOPE_UNITS units: none."""
    assert token_filter(world.commune_officer).scope_units == (
        (world.commune_a.pk,),
        tuple(sorted((world.root.pk, world.province_a.pk))),
    )
    assert token_filter(world.province_admin).scope_units == (
        tuple(sorted((world.province_a.pk, world.commune_a.pk, world.commune_b.pk))),
        (world.root.pk,),
    )
    assert token_filter(world.system_admin).scope_units is None
    for n in range(MAX_SCOPE_UNITS):
        make_unit(f"W9{n:04d}", f"Xã thử {n}", UnitKind.COMMUNE, world.province_a)
    assert token_filter(world.province_admin).scope_units is None
    assert token_filter(world.commune_officer).scope_units is not None


def test_postgres_scope_indexes_replace_the_unit_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'documents_searchentry'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("(unit_id, visibility, recency_key)" in d for d in definitions)
    assert any("(recency_key) WHERE ((visibility)::text = 'public'::text)" in d for d in definitions)
    assert not any(d.endswith("(unit_id)") for d in definitions)


@pytest.mark.parametrize(
    ("scope", "found", "rarest", "rows"),
    [
        ("title", 2, 500_000, 0),  # too few to go by
        ("title", 4, 500_000, 14_000),  # a page due in 5,000 rows; thrice that, less the window
        ("title", 4, 20_000, 0),  # the rarest word is not common: its probe is cheap
        ("title", 19, 20_000, 2_159),  # beyond what the probe may return: walked anyway
        ("any", 4, 500_000, 0),  # 4,000 expected: the probe, not a walk of the bodies
        ("any", 19, 500_000, 1_106),  # 19,000 expected: twice the 1,053 rows due, less the window
        ("any", 7, 500_000, 4_716),
    ],
)
def test_postgres_walks_on_the_sample_of_the_newest_rows(monkeypatch, scope, found, rarest, rows):
    """Matches among the WINDOW newest rows but fewer than a page: that sample of the rows a walk
    reads decides whether to walk on before the GIN probe (the planner's estimates take common
    words that go together for rare)."""
    engine = PostgresBackend()
    engine._rows = 1_000_000
    monkeypatch.setattr(PostgresBackend, "_upper_bound", lambda self, match: rarest)
    match = Match(scope, (("tinh", "uy"),))
    assert engine._sampled_walk(match, limit=20, found=found, window=1000) == rows


def test_postgres_one_probe_serves_the_titles_and_the_documents(world, registry, monkeypatch):
    """Few documents holding the words (a filter, a user's scope): one GIN probe of the documents
    flags which rows hold them in the title too, instead of probing titles, then documents. The
    pages and totals are those of probing each alone."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's probes")
    users = [world.province_admin, world.commune_officer]
    cases = [
        ("bao ve nen tang", Filters()),
        ('"bao ve nen tang"', Filters()),
        ("dang", Filters(year=2024)),
        ("tu tuong", Filters(kind="resolution")),
        ("ban chi dao", Filters(unit_id=world.province_a.pk)),
    ]

    def pages():
        found = []
        for user in users:
            for text, filters in cases:
                page = search_documents(user, text, filters=filters)
                found.append((ids(page), [hit.reason for hit in page.hits], page.total, page.total_exact))
        return found

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_searchentry")
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(PostgresBackend, "WINDOW", 1)
    monkeypatch.setattr(PostgresBackend, "DENSE_WINDOW", 1)
    shared = []
    original = PostgresBackend._titles_from_document_probe

    def recorded(self, *args):
        shared.append(original(self, *args))
        return shared[-1]

    monkeypatch.setattr(PostgresBackend, "_titles_from_document_probe", recorded)
    expected = pages()
    assert any(shared)
    assert any(reasons and reasons[0].startswith("title") for _ids, reasons, *_ in expected)
    monkeypatch.setattr(PostgresBackend, "SHARED_PROBE", -1)
    shared.clear()
    assert pages() == expected
    assert not any(shared)
