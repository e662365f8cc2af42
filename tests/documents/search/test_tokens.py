"""Scope and filter tokens: the index's token query reaches exactly the documents the ORM rule
(`Document.objects.visible_to` and the filters) does, on random registries, on both databases."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from chidao.accounts.models import RoleGrant
from chidao.documents import models
from chidao.documents.models import Document, SearchEntry, document_scope
from chidao.documents.search import reindex_units
from chidao.documents.search.backends import backend
from chidao.documents.search.queries import Filters, search_documents
from chidao.documents.search.query import parse_query
from chidao.documents.search.tokens import entry_tags, token_filter
from chidao.org.models import Unit, UnitClosure, UnitKind
from chidao.org.services import rebuild_closure
from tests.conftest import make_unit, make_user
from tests.documents.search import make_document

pytestmark = pytest.mark.django_db

KINDS = ("plan", "report", "resolution")
ISSUERS = ("Ban Thường vụ Tỉnh ủy", "Đảng ủy phường Hải Châu", "Ủy ban nhân dân thành phố", "Tỉnh ủy Quảng Ninh")


def _reorganised(world):
    """A former province merged into province_a and a former commune merged into commune_a, with a
    commune of the former province under it."""
    former_province = make_unit("P49", "Tỉnh Quảng Nam", UnitKind.PROVINCE, world.root, successor=world.province_a)
    former_commune = make_unit("W20245", "Phường Thạch Thang", UnitKind.COMMUNE, world.province_a)
    Unit.objects.filter(pk=former_commune.pk).update(successor=world.commune_a)
    old_commune = make_unit("W20300", "Xã Tam Kỳ", UnitKind.COMMUNE, former_province)
    return [former_province, former_commune, old_commune]


def _random_registry(world, extra_units, seed):
    rng = random.Random(seed)
    units = [
        world.root,
        world.province_a,
        world.province_b,
        world.commune_a,
        world.commune_b,
        world.commune_c,
        *extra_units,
    ]
    for n in range(90):
        make_document(
            rng.choice(units),
            f"Văn bản chung số {n}",
            kind=rng.choice(KINDS),
            visibility=rng.choice(("unit", "subtree", "public")),
            issuer=rng.choice(ISSUERS),
            issued_on=dt.date(rng.choice((2023, 2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)),
        )


def _token_only(user, **filters):
    """The documents matching "chung" through the tokens alone (no ORM condition)."""
    tokens = token_filter(user, **filters)
    return set(backend().hits(parse_query("chung").match("any"), "1=1", [], 10_000, tokens))


def _orm(user, *, kind="", year=None, unit_id=None, issuer_words=()):
    documents = Document.objects.visible_to(user)
    if kind:
        documents = documents.filter(kind=kind)
    if year is not None:
        documents = documents.filter(issued_on__year=year)
    if unit_id is not None:
        documents = documents.filter(unit__in=UnitClosure.objects.filter(ancestor_id=unit_id).values("descendant_id"))
    if issuer_words:
        documents = documents.filter(search_entry__issuer_folded__contains=" ".join(issuer_words))
    return set(documents.values_list("pk", flat=True))


def _users(world, extra):
    """The test tree's users, one without any grant and one on a commune merged away."""
    return [
        world.province_admin,
        world.commune_officer,
        world.sibling_officer,
        world.outsider,
        world.viewer,
        world.system_admin,
        make_user("nobody"),
        make_user("former_officer", "secretariat", extra[2]),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_token_scope_is_the_visibility_rule(world, seed):
    extra = _reorganised(world)
    _random_registry(world, extra, seed)
    users = _users(world, extra)
    rng = random.Random(seed)
    for user in users:
        assert _token_only(user) == _orm(user), user.username
        for _ in range(6):
            filters = {
                "kind": rng.choice(("", *KINDS)),
                "year": rng.choice((None, 2023, 2024, 2025)),
                "unit_id": rng.choice((None, world.province_a.pk, world.commune_a.pk, extra[0].pk, world.root.pk)),
                "issuer_words": rng.choice(((), ("tinh", "uy"), ("dang", "uy", "phuong"), ("uy", "ban"))),
            }
            if filters["issuer_words"] and connection.vendor == "postgresql":
                # PostgreSQL leaves the issuer to the SQL condition (postgres.token_expression).
                assert _token_only(user, **filters) >= _orm(user, **filters), (user.username, filters)
            else:
                assert _token_only(user, **filters) == _orm(user, **filters), (user.username, filters)


@pytest.mark.parametrize("cap", [1000, 2])
def test_the_scope_read_once_is_the_visibility_rule(world, monkeypatch, cap):
    """A search reads the user's scope once, as lists of units (`document_scope`); past
    SCOPE_LIST_MAX units it keeps the rule's subqueries. Either way: the same documents."""
    monkeypatch.setattr(models, "SCOPE_LIST_MAX", cap)
    extra = _reorganised(world)
    _random_registry(world, extra, 4)
    inactive = make_user("inactive", "secretariat", world.commune_a)
    inactive.is_active = False
    inactive.save()
    users = [*_users(world, extra), make_user("two_grants", "secretariat", world.commune_a), inactive]
    RoleGrant.objects.create(user=users[-2], unit=world.province_a, role="viewer")
    for user in users:
        scope = document_scope(user)
        read = set() if scope is None else set(Document.objects.filter(scope.q()).values_list("pk", flat=True))
        assert read == set(Document.objects.visible_to(user).values_list("pk", flat=True)), user.username
        if scope is not None and (scope.everything or scope.units is not None):
            rows = Document.objects.values_list("pk", "unit_id", "visibility")
            assert {pk for pk, unit_id, visibility in rows if scope.reads(unit_id, visibility)} == read
        elif scope is not None:
            with pytest.raises(ValueError):
                scope.reads(world.commune_a.pk, "public")
        ids = [h.document.pk for h in search_documents(user, "chung", page=1).hits]
        assert set(ids) <= read
    assert document_scope(inactive) is None
    province_scope = document_scope(world.province_admin)
    assert province_scope is not None
    # Đà Nẵng, its three communes and the former Quảng Nam with its commune.
    assert (province_scope.units is None) == (cap == 2)
    officer_scope = document_scope(world.commune_officer)
    assert officer_scope is not None
    assert officer_scope.granted == {world.commune_a.pk}
    assert officer_scope.above == {world.commune_a.pk, world.province_a.pk, world.root.pk}
    if cap == 1000:
        # Phường Hải Châu and the former Phường Thạch Thang merged into it.
        assert officer_scope.units == {world.commune_a.pk, extra[1].pk}


def test_issuer_tokens_are_whole_words_in_order_the_last_one_a_prefix(world):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL leaves the issuer to the SQL condition")
    document = make_document(world.province_a, "Văn bản chung", issuer="Ban Thường vụ Tỉnh ủy Quảng Nam")
    admin = world.province_admin
    assert _token_only(admin, issuer_words=("tinh", "uy", "quang")) == {document.pk}
    assert _token_only(admin, issuer_words=("thuong", "vu", "tinh", "u")) == {document.pk}
    assert _token_only(admin, issuer_words=("uy", "tinh")) == set()


def test_user_text_never_matches_a_token(world):
    make_document(world.province_a, "Kế hoạch công tác", kind="plan", visibility="public")
    assert search_documents(world.province_admin, "kplan").hits == []
    assert search_documents(world.province_admin, "vpublic").hits == []
    assert search_documents(world.province_admin, f"a{world.province_a.pk}").hits == []


def test_filters_find_through_tokens(world):
    kept = make_document(world.commune_a, "Báo cáo chung", kind="report", issued_on=dt.date(2024, 3, 1))
    make_document(world.commune_a, "Báo cáo chung", kind="report", issued_on=dt.date(2023, 3, 1))
    make_document(world.commune_b, "Báo cáo chung", kind="report", issued_on=dt.date(2024, 3, 1))
    make_document(world.commune_a, "Kế hoạch chung", kind="plan", issued_on=dt.date(2024, 3, 1))
    found = search_documents(
        world.province_admin, "chung", filters=Filters(kind="report", year=2024, unit_id=world.commune_a.pk)
    )
    assert [h.document.pk for h in found.hits] == [kept.pk] and found.total == 1


def test_kind_and_year_filters_are_dense_scopes_and_units_are_not(world):
    superuser = make_user("super-dense", is_superuser=True)
    assert token_filter(superuser, kind="plan", year=2024).dense
    assert token_filter(superuser).dense  # nothing to intersect
    assert not token_filter(superuser, kind="plan", unit_id=world.province_a.pk).dense
    assert not token_filter(superuser, issuer_words=["tinh", "uy"]).dense
    assert not token_filter(world.commune_officer, year=2024).dense  # the officer's scope
    # A unit or issuer filter is narrow; a user's scope (which holds every public document) is not.
    assert token_filter(superuser, unit_id=world.province_a.pk).narrow
    assert token_filter(superuser, issuer_words=["tinh", "uy"]).narrow
    assert not token_filter(superuser, kind="plan", year=2024).narrow
    assert not token_filter(world.commune_officer).narrow


def test_kind_and_year_filters_list_the_newest_matches_of_that_kind_and_year(world):
    """Through the dense path on PostgreSQL (the newest rows of the filters checked first) and the
    token path on SQLite: the same page, newest first, nothing of another kind or year."""
    superuser = make_user("super-filters", is_superuser=True)
    wanted = [
        make_document(world.commune_a, f"Kế hoạch tuyên truyền số {n}", kind="plan", issued_on=dt.date(2024, 1, n + 1))
        for n in range(25)
    ]
    make_document(world.commune_a, "Kế hoạch tuyên truyền", kind="plan", issued_on=dt.date(2025, 1, 1))
    make_document(world.commune_a, "Báo cáo tuyên truyền", kind="report", issued_on=dt.date(2024, 12, 1))
    found = search_documents(superuser, "tuyen truyen", filters=Filters(kind="plan", year=2024))
    assert [h.document.pk for h in found.hits] == [d.pk for d in reversed(wanted)][:20]
    assert found.total == 25 and found.total_exact


def test_entry_tags_name_every_fact():
    tags = entry_tags(
        unit_ancestors=[7, 1, 3],
        unit_id=7,
        kind="plan",
        visibility="subtree",
        issued_on=dt.date(2024, 5, 1),
        issuer_words=["tinh", "uy"],
    )
    assert tags == "vsubtree kplan y2024 a1 a3 a7 s7 itinh iuy"


def test_a_moved_unit_is_found_under_its_new_parent_after_reindex_units(world):
    document = make_document(world.commune_c, "Văn bản chung", visibility="unit")
    assert _token_only(world.province_admin) == set()
    Unit.objects.filter(pk=world.commune_c.pk).update(parent=world.province_a, depth=world.province_a.depth + 1)
    rebuild_closure()
    # Before the entries are rewritten the stale tokens miss it; the ORM check never shows it
    # to the former province either.
    assert search_documents(world.outsider, "chung").hits == []
    reindex_units([world.commune_c.pk])
    assert _token_only(world.province_admin) == {document.pk}
    assert [h.document.pk for h in search_documents(world.province_admin, "chung").hits] == [document.pk]
    assert f"a{world.province_a.pk}" in SearchEntry.objects.get(pk=document.pk).tags.split()


def test_the_units_moved_signal_reindexes_their_documents_on_commit(world, django_capture_on_commit_callbacks):
    from chidao.org.signals import units_moved

    document = make_document(world.commune_c, "Văn bản chung", visibility="unit")
    Unit.objects.filter(pk=world.commune_c.pk).update(parent=world.province_a, depth=world.province_a.depth + 1)
    rebuild_closure()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        units_moved.send(sender=Unit, unit_ids=[world.commune_c.pk])
        assert _token_only(world.province_admin) == set()  # not before the move is committed
    assert len(callbacks) == 1
    assert _token_only(world.province_admin) == {document.pk}


def test_the_migration_sql_writes_the_same_tags_as_the_indexer(world):
    from importlib import import_module

    migration = import_module("chidao.documents.migrations.0003_search_tags")
    make_document(world.commune_a, "Văn bản chung", visibility="subtree", issuer="Đảng ủy phường Hải Châu")
    make_document(world.province_b, "Văn bản chung", visibility="public", issuer="Tỉnh ủy")
    written = dict(SearchEntry.objects.values_list("pk", "tags"))
    sql = migration.POSTGRES_TAGS if connection.vendor == "postgresql" else migration.SQLITE_TAGS
    SearchEntry.objects.update(tags="")
    with connection.cursor() as cursor:
        cursor.execute(sql)
    assert dict(SearchEntry.objects.values_list("pk", "tags")) == written


def test_reindex_documents_units_rewrites_only_that_subtree(world):
    moved = make_document(world.commune_c, "Văn bản chung", visibility="unit")
    other = make_document(world.province_b, "Văn bản chung", visibility="unit")
    Unit.objects.filter(pk=world.commune_c.pk).update(parent=world.province_a, depth=world.province_a.depth + 1)
    rebuild_closure()
    out = StringIO()
    call_command("reindex_documents", "--units", str(world.commune_c.pk), stdout=out)
    assert out.getvalue().startswith("Reindexed 1 documents")
    assert _token_only(world.province_admin) == {moved.pk}
    assert other.pk in _token_only(world.outsider)
