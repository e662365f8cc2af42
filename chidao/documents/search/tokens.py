"""Scope and filter tokens: what a search entry is, written as words of the full-text index, so a
filtered or scoped query intersects posting lists instead of walking every match of its words.

Each entry carries, in a column of its own (`SearchEntry.tags`; the FTS5 column `tags` on
SQLite), one word per fact, each starting with the letter of its kind:
  v<visibility>  "vpublic", "vsubtree", "vunit"
  k<kind>        "kplan"
  y<year>        "y2024" (issued_on)
  a<unit id>     the owning unit and every ancestor of it (UnitClosure, self included)
  s<unit id>     the owning unit, only for "subtree" documents
  i<word>        the words of the folded issuer, in order ("ithanh iuy da nang" → "ithanh iuy ida inang")
User text never reaches that column (queries name the text columns), so a user typing "kplan"
matches nothing of it.

`token_filter(user, filters)` gives the same set as `visible_document_q` and the filters of
`queries._scope_sql`:
  unit__in visible_unit_ids(user)  = OR a<g> for g in the grants and the predecessors of units
                                     under them (each unit's closure holds all its ancestors);
  subtree, unit above a grant      = OR s<x> for x among the ancestors of the grants;
  public                           = vpublic;
  unit filter u                    = a<u>;  kind / year = k<kind> / y<year>;
  issuer "tinh uy"                 = the phrase "itinh iuy" (whole words, the last one a prefix).
The search still applies the ORM condition to the page's rows (`queries._scope_sql`), so a stale
token can never show a document out of scope.

Staleness: `a` tokens copy the unit tree. Moving a unit (a new parent, then
`org.services.rebuild_closure`) leaves the documents of its subtree with the old ancestors until
`reindex_units([moved unit ids])` rewrites them: the unit loader sends `org.signals.units_moved`
after rebuilding the closure and `documents.signals` reindexes on commit (by hand:
`chidao reindex_documents --units ID…`); meanwhile they are missed by the token query, never shown
wrongly. Successor links are read at query time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F

if TYPE_CHECKING:
    from chidao.documents.models import DocumentScope
    from chidao.org.scope import AnyUser

# Past this many alternatives in one scope the token query is left out (the ORM condition alone
# then decides, as before); a user holding that many grants is an administrator in practice.
MAX_ALTERNATIVES = 200
# A scope of at most this many units (its own and those above whose "subtree" entries it reads)
# is also given as `TokenFilter.scope_units`: a commune's officer, not a province's.
MAX_SCOPE_UNITS = 8
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class TokenFilter:
    """Every clause must match; a clause is a tuple of alternatives, each a tuple of tokens (a
    phrase, its last token a prefix when `prefix_last`)."""

    clauses: tuple[tuple[tuple[str, ...], ...], ...] = ()
    prefix_last: frozenset[int] = frozenset()  # indexes of clauses whose phrases end in a prefix
    # A small scope as the units whose entries it holds: (every entry of these units, the
    # "subtree" entries of these), with every public entry besides; for engines that read the
    # newest entries of each by index (postgres.PostgresBackend._scope_newest). None: no scope,
    # or too many units for that.
    scope_units: tuple[tuple[int, ...], tuple[int, ...]] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def dense(self) -> bool:
        """Only kind and year clauses: each holds a sizeable share of the registry (a year is a
        range of the recency index), so a common word's newest matches are found near the top of
        it, as without filters."""
        return all(len(c) == 1 and len(c[0]) == 1 and c[0][0][:1] in {"k", "y"} for c in self.clauses)

    @property
    def narrow(self) -> bool:
        """A unit or issuer filter: one unit's subtree, one issuer, a small share of the registry.
        (A user's scope is an OR that usually includes every public document: not narrow.)"""
        return any(len(c) == 1 and all(t[:1] in {"a", "i"} for t in c[0]) for c in self.clauses)


def entry_tags(
    *,
    unit_ancestors: Iterable[int],
    unit_id: int,
    kind: str,
    visibility: str,
    issued_on: dt.date,
    issuer_words: Sequence[str],
) -> str:
    """The tags of one entry (see the module docstring), separated by single spaces."""
    tags = [f"v{visibility}", f"k{kind}", f"y{issued_on.year}"]
    tags.extend(f"a{ancestor}" for ancestor in sorted(set(unit_ancestors)))
    if visibility == "subtree":
        tags.append(f"s{unit_id}")
    tags.extend(f"i{word}" for word in issuer_words)
    return " ".join(tags)


def ancestors_by_unit(unit_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """For each unit (all of them when `unit_ids` is None), its ancestors, itself included."""
    from chidao.org.models import UnitClosure

    links = UnitClosure.objects.all()
    if unit_ids is not None:
        links = links.filter(descendant_id__in=set(unit_ids))
    ancestors: dict[int, list[int]] = {}
    for descendant, ancestor in links.values_list("descendant_id", "ancestor_id").iterator(chunk_size=20_000):
        ancestors.setdefault(descendant, []).append(ancestor)
    return ancestors


def _scope_clause(scope: DocumentScope) -> tuple[tuple[str, ...], ...] | None:
    """The alternatives of the user's scope; None when too many to be worth it."""
    from chidao.org.models import Unit, UnitClosure

    granted = set(scope.granted)
    alternatives: list[tuple[str, ...]] = [("vpublic",)]
    if not granted:
        return tuple(alternatives)
    under = UnitClosure.objects.filter(ancestor_id__in=granted).values("descendant_id")
    roots = granted | set(Unit.objects.filter(successor_id__in=under).values_list("id", flat=True))
    # A root under another root adds nothing: the other's token already covers its documents.
    covered = set(
        UnitClosure.objects.filter(descendant_id__in=roots, ancestor_id__in=roots)
        .exclude(ancestor_id=F("descendant_id"))
        .values_list("descendant_id", flat=True)
    )
    alternatives.extend((f"a{unit}",) for unit in sorted(roots - covered))
    alternatives.extend((f"s{unit}",) for unit in sorted(scope.above))
    if len(alternatives) > MAX_ALTERNATIVES:
        return None
    return tuple(alternatives)


def token_filter(
    user: AnyUser,
    *,
    kind: str = "",
    year: int | None = None,
    unit_id: int | None = None,
    issuer_words: Sequence[str] = (),
    scope: DocumentScope | None = None,
) -> TokenFilter:
    """The token form of the user's scope and the filters (see the module docstring); parts that
    cannot be written as tokens are left out (the ORM condition still applies them). `scope`:
    the user's, when the caller has read it already."""
    from chidao.documents.models import document_scope

    clauses: list[tuple[tuple[str, ...], ...]] = []
    prefix_last: set[int] = set()
    scope_units = None
    if not user.is_superuser:
        scope = scope if scope is not None else document_scope(user)
        alternatives = _scope_clause(scope) if scope is not None else (("vpublic",),)
        if alternatives is not None:
            clauses.append(alternatives)
        scope_units = _scope_units(scope)
    if kind and _TOKEN.fullmatch(kind):
        clauses.append(((f"k{kind}",),))
    if year is not None:
        clauses.append(((f"y{year}",),))
    if unit_id is not None:
        clauses.append(((f"a{unit_id}",),))
    if issuer_words and all(_TOKEN.fullmatch(w) for w in issuer_words):
        prefix_last.add(len(clauses))
        clauses.append((tuple(f"i{w}" for w in issuer_words),))
    return TokenFilter(tuple(clauses), frozenset(prefix_last), scope_units)


def _scope_units(scope: DocumentScope | None) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """`TokenFilter.scope_units` of a scope."""
    if scope is None or scope.units is None:
        return None
    # The "subtree" entries of a unit of the scope are among its own.
    subtree = scope.above - scope.units
    if len(scope.units) + len(subtree) > MAX_SCOPE_UNITS:
        return None
    return tuple(sorted(scope.units)), tuple(sorted(subtree))
