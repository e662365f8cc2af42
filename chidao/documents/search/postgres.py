"""PostgreSQL backend: the tsvector columns `title_tsv` and `document_tsv` (title and body) with
their GIN indexes (migration 0002), over text folded in Python and written in tsvector's binary
format (tsvector_binary, lexemes_binary).

`title_tsv` keeps word positions (a title's phrase is matched in the index). `document_tsv` keeps
only the words (migration 0004): positions made each entry's literal four times longer and its
reading the larger part of a reindex. A phrase anywhere in a document is checked on the entry's
folded text instead (`strpos`), on the rows that hold all its words.

A page is "newest first among the matches, LIMIT n": for a common word the planner walks the
recency_key index and stops after n matches; for a rare one it reads the GIN index and sorts the
few matches. Nothing ranks every match of a common word.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from psycopg import pq
from psycopg.adapt import Dumper
from psycopg.errors import UniqueViolation
from psycopg.postgres import types as postgres_types

from chidao.documents.search.backends import Writer
from chidao.documents.search.query import Match
from chidao.documents.search.tokens import TokenFilter
from chidao.lib.text import CACHE_LIMIT

ENTRY = "documents_searchentry"
# Session-private staging table of large upserts (emptied at commit).
_UPSERT = "search_entry_upsert"
GIN_INDEXES = {
    "search_entry_title_tsv": f"CREATE INDEX search_entry_title_tsv ON {ENTRY} USING gin (title_tsv)",
    "search_entry_document_tsv": f"CREATE INDEX search_entry_document_tsv ON {ENTRY} USING gin (document_tsv)",
}
_SCOPES = {"title": "title_tsv", "any": "document_tsv"}
# The entry's columns as written by the indexer (chidao.documents.search.index.COLUMNS).
_COLUMN_TYPES = {
    "document_id": "bigint",
    "unit_id": "bigint",
    "kind": "text",
    "visibility": "text",
    "issuer_folded": "text",
    "issued_on": "date",
    "recency_key": "bigint",
    "symbol_key": "text",
    "symbol_number": "integer",
    "symbol_type": "text",
    "symbol_issuer": "text",
    "title_folded": "text",
    "body_folded": "text",
    "tags": "text",
    "digest": "bigint",
    "title_tsv": "tsvector",
    "document_tsv": "tsvector",
}


_TSVECTOR_COLUMNS = frozenset({"title_tsv", "document_tsv"})

# to_tsvector keeps positions up to 16383 (later words share the last one) and 255 per word.
_MAX_POSITION = 16383
_MAX_POSITIONS = 255
# The parser drops a word over 2047 bytes; one of at most 2047 // 4 characters cannot be that long.
_MAX_WORD_BYTES = 2047
_MAX_WORD = _MAX_WORD_BYTES // 4


def _indexable(word: str) -> bool:
    """Whether the parser keeps `word` (it drops one over 2,047 bytes)."""
    return len(word) <= _MAX_WORD or len(word.encode()) <= _MAX_WORD_BYTES


# A tsvector in PostgreSQL's binary format (tsvectorsend): the number of lexemes (int32), then
# each lexeme's UTF-8 bytes, a zero byte, the number of its positions (uint16) and the positions
# (uint16 each, weight D: the top two bits clear). What follows a word found once, at position n:
_ONE_POSITION = tuple(b"\0" + struct.pack("!HH", 1, n) for n in range(_MAX_POSITION + 1))
_ONE_POSITION_TEXT = tuple(suffix.decode("latin-1") for suffix in _ONE_POSITION)
# What follows each word of a tsvector without positions (strip()'s): its zero byte, no positions.
_NO_POSITIONS = "\0\0\0"


def tsvector_binary(words: Sequence[str]) -> bytes:
    """to_tsvector('simple', " ".join(words)) in the binary format, which COPY … (FORMAT BINARY)
    hands to the server as it is: the server neither tokenises nor sorts it (a COPY of 5,000
    entries took the server 0.26 s of CPU against 0.64 s with the same tsvectors as text literals,
    which tsvectorin tokenises and sorts). Words come from index_fold (lower-case letters and
    digits), so the 'simple' parser would keep each one as it is, at positions 1, 2... (a word
    over 2,047 bytes dropped without a position; past 16383 every word at 16383; at most 255
    positions per word). Lexemes in byte order, which is PostgreSQL's (memcmp, then length)."""
    count = len(words)
    joined = "\t".join(words)
    if (
        count < _MAX_POSITION
        and len(set(words)) == count
        and (len(joined) <= _MAX_WORD or max(map(len, words)) <= _MAX_WORD)
    ):
        # Each word once (most titles): each word's UTF-8 bytes (one latin-1 character a byte)
        # followed by its zero byte and its one position. Sorting these sorts the words: the zero
        # byte sorts before every byte of a longer word that shares the prefix.
        utf8 = joined.encode().decode("latin-1").split("\t") if count else []
        lexemes = list(map(operator.add, utf8, _ONE_POSITION_TEXT[1 : count + 1]))
        lexemes.sort()
        return struct.pack("!i", count) + "".join(lexemes).encode("latin-1")
    positions: dict[str, list[int]] = {}
    position = 0
    for word in words:
        if not _indexable(word):
            continue  # the parser drops such words too ("word is too long to be indexed")
        position += 1
        at = position if position < _MAX_POSITION else _MAX_POSITION
        found = positions.get(word)
        if found is None:
            positions[word] = [at]
        elif len(found) < _MAX_POSITIONS and found[-1] != at:
            found.append(at)
    parts = [struct.pack("!i", len(positions))]
    for word in sorted(positions):
        found = positions[word]
        parts.append(word.encode())
        if len(found) == 1:
            parts.append(_ONE_POSITION[found[0]])
        else:
            parts.append(b"\0" + struct.pack(f"!{len(found) + 1}H", len(found), *found))
    return b"".join(parts)


# Pieces of folded text seen so far: those that are one lexeme as they are ("dang"), and the
# others ("35 nq tw", "", a word too long) with the lexemes they hold. Set operations on these
# sort a document's pieces without a Python loop over them.
_PLAIN: set[str] = set()
_SPECIAL: dict[str, tuple[str, ...]] = {}


def _learn(pieces: set[str]) -> None:
    for piece in pieces:
        if piece and " " not in piece and _indexable(piece):
            _PLAIN.add(piece)
        else:
            _SPECIAL[piece] = tuple(filter(_indexable, piece.split()))


def lexemes_binary(pieces: Iterable[str]) -> bytes:
    """strip(to_tsvector('simple', " ".join(pieces))): `pieces` come from index_fold (one or more
    words each, or ""). Each distinct word once, in byte order, without positions."""
    words = set(pieces)
    unknown = words - _PLAIN
    if unknown:
        # (difference, not difference_update: it looks up the few pieces in the large dict
        # instead of walking the dict.)
        unknown = unknown.difference(_SPECIAL)
        if unknown:
            if len(_PLAIN) + len(_SPECIAL) + len(unknown) > CACHE_LIMIT:
                _PLAIN.clear()
                _SPECIAL.clear()
                unknown = set(words)
            _learn(unknown)
        special = words - _PLAIN
        if special:
            words -= special
            words.update(itertools.chain.from_iterable(_SPECIAL[piece] for piece in special))
    if not words:
        return b"\0\0\0\0"
    ordered = sorted(words)
    return struct.pack("!i", len(ordered)) + (_NO_POSITIONS.join(ordered) + _NO_POSITIONS).encode()


def tsvector_text(value: bytes) -> str:
    """The text literal of a binary tsvector (tsvector_binary, lexemes_binary), for the
    statements that bind it as a parameter."""
    (count,) = struct.unpack_from("!i", value)
    at = 4
    items = []
    for _ in range(count):
        end = value.index(b"\0", at)
        word = value[at:end].decode().replace("\\", "\\\\").replace("'", "''")
        (npos,) = struct.unpack_from("!H", value, end + 1)
        at = end + 3
        if npos:
            found = struct.unpack_from(f"!{npos}H", value, at)
            at += 2 * npos
            items.append(f"'{word}':{','.join(str(p & 0x3FFF) for p in found)}")
        else:
            items.append(f"'{word}'")
    return " ".join(items)


def _phrase(words: Sequence[str], prefix_last: bool = False) -> str:
    # Words come from index_fold (letters and digits only), tokens from search/tokens.py: quoted,
    # each is one lexeme as the index holds it.
    quoted = [f"'{w}'" for w in words]
    if prefix_last:
        quoted[-1] += ":*"
    return quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")"


def match_expression(match: Match) -> str:
    """The tsquery of every word and phrase (as text, cast with ::tsquery: the words are already
    what the index holds)."""
    return " & ".join(_phrase(group) for group in match.groups)


def token_expression(tokens: TokenFilter) -> str:
    """The tsquery of the token clauses: lexemes "_" + token, which no folded word can be.

    The issuer's phrase is left to the SQL condition: a phrase makes the GIN index recheck every
    candidate row's document_tsv, which costs more than it saves."""
    clauses = []
    for n, clause in enumerate(tokens.clauses):
        if n in tokens.prefix_last:
            continue
        alternatives = [_phrase([f"_{t}" for t in alternative], n in tokens.prefix_last) for alternative in clause]
        clauses.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
    return " & ".join(clauses)


def tag_words(tags: str) -> list[str]:
    """The lexemes of an entry's tags, written first in both tsvectors."""
    return [f"_{t}" for t in tags.split()]


@dataclass(frozen=True)
class _Terms:
    """How one match reads: `words`, the tsquery of every word and token clause without word order
    (what the GIN index can answer, and what the planner estimates); `condition`, the whole test
    of a row, word order included, with its parameters."""

    column: str  # the tsvector column: title_tsv or document_tsv
    words: str
    condition: str
    params: tuple[Any, ...]
    ordered: bool  # the match has a phrase: `condition` says more than `words`
    # Of an ordered match, the test of word order alone, for rows known to hold every word.
    order: str = ""
    order_params: tuple[Any, ...] = ()

    def on(self, table: str) -> str:
        """`condition` with its columns read from `table` (the entry table or an alias of it)."""
        return self.condition.format(t=table)

    def order_on(self, table: str) -> tuple[str, tuple[Any, ...]]:
        """The test of word order with its parameters, for rows that hold every word: the
        phrases in the folded text without reading the document's tsvector from TOAST again."""
        return (self.order.format(t=table), self.order_params) if self.order else (self.on(table), self.params)


def _terms(match: Match, tokens: TokenFilter | None = None) -> _Terms:
    column = _SCOPES[match.scope]
    words = " & ".join(f"'{w}'" for group in match.groups for w in group)
    extra = token_expression(tokens) if tokens is not None else ""
    if extra:
        words = f"{words} & {extra}"
    phrases = [group for group in match.groups if len(group) > 1]
    if not phrases:
        return _Terms(column, words, f"{{t}}.{column} @@ %s::tsquery", (words,), ordered=False)
    if column == "title_tsv":
        tsquery = match_expression(match)
        if extra:
            tsquery = f"{tsquery} & {extra}"
        return _Terms(column, words, "{t}.title_tsv @@ %s::tsquery", (tsquery,), ordered=True)
    # document_tsv has no positions: each phrase, between spaces, in the folded title or body (as
    # on SQLite, whose FTS5 columns a phrase does not cross).
    check = "(strpos(' ' || {t}.title_folded || ' ', %s) > 0 OR strpos(' ' || {t}.body_folded || ' ', %s) > 0)"
    spaced = [f" {' '.join(group)} " for group in phrases]
    order = " AND ".join(check for _ in phrases)
    order_params = tuple(p for phrase in spaced for p in (phrase, phrase))
    return _Terms(
        column,
        words,
        "{t}.document_tsv @@ %s::tsquery AND " + order,
        (words, *order_params),
        ordered=True,
        order=order,
        order_params=order_params,
    )


class PostgresBackend(Writer):
    """A page is found in at most three bounded steps, cheapest first, so the planner never has
    to guess (a rare word it takes for a common one would walk the whole table):
    0. within a small scope (a commune's officer: `TokenFilter.scope_units`), the SCOPE_WINDOW
       newest entries of the scope, read unit by unit through their indexes and merged, are
       checked first when the words are common (`_scope_newest`);
    1. without scope or filter tokens, the WINDOW newest rows are checked: a common word fills
       its page there (skipped when the planner counts the query's rarest word too rare to);
       a few matches there are a sample that may send the search further down the recency index
       before any probe (`_sampled_walk`);
    2. otherwise the GIN index alone (bitmap scans only, at most PROBE rows) lists every match,
       sorted in memory;
    3. more than PROBE matches: they are dense enough that walking the recency_key index newest
       first finds a page within a few thousand rows."""

    vendor = "postgresql"
    writes_tsvectors = True
    WINDOW = 1000
    # The same with kind or year filters, whose rows are spread down the index.
    DENSE_WINDOW = 300
    PROBE = 3000
    # A phrase is checked on at most this many of the newest rows holding all its words.
    PHRASE_WINDOW = 5000
    # An estimate above this skips the probe: the newest WALK rows in scope are checked first.
    COMMON = 10 * PROBE
    WALK = 20_000
    # Documents expected to match at most this many: one probe of document_tsv serves the titles too.
    SHARED_PROBE = PROBE
    # Titles: walked when a page is expected within half this many rows (~3 µs a row).
    TITLE_WALK = 8_000
    # The fewest matches among the WINDOW newest rows that are a sample worth walking on.
    SAMPLED = 3
    # The newest entries of a small scope checked first (`_scope_newest`).
    SCOPE_WINDOW = 1000

    def __init__(self) -> None:
        super().__init__()
        # The foreign keys a full reindex dropped: (name, definition), added back at its end.
        self._foreign_keys: list[tuple[str, str]] = []
        self._probes: dict[tuple[Any, ...], list[tuple[int, int]] | None] = {}
        self._estimates: dict[tuple[Any, ...], int] = {}
        self._word_probes: dict[tuple[Any, ...], list[tuple[int, int]] | None] = {}
        self._phrase_rows: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
        self._rows: int | None = None  # the entry table's size, as the planner knows it
        self._scope_fell_short = False  # a `_scope_newest` of this search found less than a page

    def _newest(
        self,
        match: Match,
        where: str,
        params: Sequence[Any],
        limit: int,
        tokens: TokenFilter | None,
        window: int,
        walk: bool = False,
        skip: int = 0,
    ) -> list[int]:
        """The newest matches among the newest `window` rows in scope after the newest `skip`
        (which are read, not checked); `walk`: a window large enough that the planner must be
        told to read it down the recency index."""
        terms = _terms(match, tokens)
        sql = (
            f"SELECT document_id FROM (SELECT * FROM {ENTRY} "  # noqa: S608  # our table; values are parameters
            f"WHERE ({where}) ORDER BY recency_key DESC LIMIT %s OFFSET %s) AS newest "
            f"WHERE {terms.on('newest')} ORDER BY recency_key DESC LIMIT %s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if walk:
                _planner(cursor, seqscan=False, bitmapscan=False)
            cursor.execute(sql, [*params, window, skip, *terms.params, limit])
            ids = [row[0] for row in cursor.fetchall()]
            if walk:
                _planner(cursor)
        return ids

    def _scope_newest(
        self,
        match: Match,
        where: str,
        params: Sequence[Any],
        limit: int,
        scope_units: tuple[tuple[int, ...], tuple[int, ...]],
    ) -> list[int]:
        """The newest matches among the SCOPE_WINDOW newest entries of a small scope: those of its
        units, the "subtree" entries of the units above them and the public entries, each read
        newest first through an index (search_entry_unit_recency on unit, visibility and recency;
        search_entry_public_recency) and merged. A commune's scope is about 2 % of the registry:
        walking the recency index would pass ~50 rows for each one in scope, and a GIN probe of
        common words reads their long posting lists; here a page of a common word costs a few
        hundred rows."""
        units, subtree = scope_units
        parts: list[str] = []
        values: list[Any] = []

        def part(condition: str, *condition_values: Any) -> None:
            parts.append(
                f"(SELECT * FROM {ENTRY} WHERE {condition} AND ({where}) "  # noqa: S608  # our table; values are parameters
                "ORDER BY recency_key DESC LIMIT %s)"
            )
            values.extend((*condition_values, *params, self.SCOPE_WINDOW))

        # Each part a range of one index, newest first; visibilities written out, not bound: the
        # planner must see the public index's own condition. The parts do not overlap.
        for unit in units:
            part("unit_id = %s AND visibility = 'unit'", unit)
            part("unit_id = %s AND visibility = 'subtree'", unit)
        for unit in subtree:
            part("unit_id = %s AND visibility = 'subtree'", unit)
        part("visibility = 'public'")
        # The scope and the filters are `where`: the words alone are checked here.
        terms = _terms(match)
        sql = (
            f"SELECT document_id FROM (SELECT * FROM ({' UNION ALL '.join(parts)}) AS scoped "  # noqa: S608  # our table; values are parameters
            f"ORDER BY recency_key DESC LIMIT %s) AS newest WHERE {terms.on('newest')} "
            "ORDER BY recency_key DESC LIMIT %s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            _planner(cursor, seqscan=False, bitmapscan=False)
            cursor.execute(sql, [*values, self.SCOPE_WINDOW, *terms.params, limit])
            ids = [row[0] for row in cursor.fetchall()]
            _planner(cursor)
        return ids

    def _matches(
        self, match: Match, where: str, params: Sequence[Any], tokens: TokenFilter | None
    ) -> list[tuple[int, int]] | None:
        """(document_id, recency_key) of every match, or None when there are more than PROBE.
        The GIN probe of the words is shared by the matches that have the same words (a title's
        phrase and its words in any order); word order is checked on its rows after."""
        key = (match, where, tuple(params), tokens)
        if key in self._probes:
            return self._probes[key]
        terms = _terms(match, tokens)
        column = terms.column
        probe_key = (column, terms.words, where, tuple(params))
        # A title's phrase is checked in the same pass (its tsvector is in the row); a phrase of
        # the body needs the body's text, read only for the rows that hold its words.
        flagged = terms.ordered and column == "title_tsv"
        if column == "title_tsv" and probe_key not in self._word_probes:
            self._titles_from_document_probe(match, where, params, tokens)
        with transaction.atomic(), connection.cursor() as cursor:
            if probe_key not in self._word_probes:
                flag = f", {terms.on(ENTRY)}" if flagged else ""
                _planner(cursor, seqscan=False, indexscan=False)
                cursor.execute(
                    f"SELECT document_id, recency_key{flag} FROM {ENTRY} "  # noqa: S608  # our table; values are parameters
                    f"WHERE {column} @@ %s::tsquery AND ({where}) LIMIT %s",
                    [*(terms.params if flagged else ()), terms.words, *params, self.PROBE + 1],
                )
                found = cursor.fetchall()
                _planner(cursor)
                if len(found) > self.PROBE:
                    self._word_probes[probe_key] = None
                else:
                    self._word_probes[probe_key] = [(r[0], r[1]) for r in found]
                    if flagged:
                        self._phrase_rows[(probe_key, terms.params)] = [(r[0], r[1]) for r in found if r[2]]
            rows = self._word_probes[probe_key]
            if rows and terms.ordered:
                if (probe_key, terms.params) in self._phrase_rows:
                    rows = self._phrase_rows[(probe_key, terms.params)]
                else:
                    # Phrases: check word order on these rows only (they hold every word).
                    order, order_params = terms.order_on(ENTRY)
                    cursor.execute(
                        f"SELECT document_id, recency_key FROM {ENTRY} "  # noqa: S608  # our table; values are parameters
                        f"WHERE document_id = ANY(%s) AND {order}",
                        [[r[0] for r in rows], *order_params],
                    )
                    rows = cursor.fetchall()
        if rows is not None:
            rows = sorted(rows, key=lambda r: -r[1])
        self._probes[key] = rows
        return rows

    def _titles_from_document_probe(
        self, match: Match, where: str, params: Sequence[Any], tokens: TokenFilter | None
    ) -> bool:
        """When the planner expects the words anywhere in at most SHARED_PROBE documents, one GIN
        probe of document_tsv (which holds the title's words too) answers the title tiers, the
        body tier and the count: each row is flagged with whether its title holds the words (and
        the title's phrase). Filters and a user's scope make this common: probing titles, then
        documents, intersected the same long posting lists of the scope and filter tokens twice.
        False, leaving the title to its own probe, when more are expected or found."""
        whole = Match("any", match.groups)
        if self._estimate(whole, where, params, tokens) > self.SHARED_PROBE:
            return False
        terms, whole_terms = _terms(match, tokens), _terms(whole, tokens)
        document_key = (whole_terms.column, whole_terms.words, where, tuple(params))
        if document_key in self._word_probes:
            return False
        phrase = terms.on(ENTRY) if terms.ordered else "false"
        with transaction.atomic(), connection.cursor() as cursor:
            _planner(cursor, seqscan=False, indexscan=False)
            cursor.execute(
                f"SELECT document_id, recency_key, {ENTRY}.title_tsv @@ %s::tsquery, {phrase} "  # noqa: S608  # our table; values are parameters
                f"FROM {ENTRY} WHERE document_tsv @@ %s::tsquery AND ({where}) LIMIT %s",
                [terms.words, *(terms.params if terms.ordered else ()), whole_terms.words, *params, self.PROBE + 1],
            )
            found = cursor.fetchall()
            _planner(cursor)
        if len(found) > self.PROBE:
            self._word_probes[document_key] = None
            return False
        self._word_probes[document_key] = [(r[0], r[1]) for r in found]
        title_key = (terms.column, terms.words, where, tuple(params))
        self._word_probes[title_key] = [(r[0], r[1]) for r in found if r[2]]
        if terms.ordered:
            self._phrase_rows[(title_key, terms.params)] = [(r[0], r[1]) for r in found if r[3]]
        return True

    def hits(
        self, match: Match, where: str, params: Sequence[Any], limit: int, tokens: TokenFilter | None = None
    ) -> list[int]:
        """Ids of entries matching `match` and `where`, newest first."""
        key = (match, where, tuple(params), tokens)
        # With scope or unit tokens the GIN probe is selective: checking the newest rows in scope
        # first would cost more (the condition is evaluated row by row down the index). Kind and
        # year filters are not (a common word's probe lists tens of thousands of rows): the
        # newest rows of that kind or year are checked first, fewer of them.
        tokened = tokens is not None and bool(token_expression(tokens))
        if (
            tokens is not None
            and tokens.scope_units is not None
            and not tokens.narrow
            and key not in self._probes
            and not self._scope_fell_short
            and self.SCOPE_WINDOW * self._upper_bound(match) >= limit * self._table_rows()
        ):
            # A small scope (a commune's officer): its newest entries, read unit by unit through
            # the indexes, hold a page of a common word's matches. The words' frequency in the
            # whole registry is all the planner knows; once the scope's newest entries fall short
            # (a title's words that its units seldom write), the next tiers go the other ways.
            ids = self._scope_newest(match, where, params, limit, tokens.scope_units)
            if len(ids) >= limit:
                return ids
            self._scope_fell_short = True
        if key not in self._probes and (not tokened or (tokens is not None and tokens.dense)):
            window = self.DENSE_WINDOW if tokened else self.WINDOW
            # Unless even the rarest word is too rare to fill a page there.
            if tokened or window * self._upper_bound(match) >= limit * self._table_rows():
                ids = self._newest(match, where, params, limit, tokens, window)
                if len(ids) >= limit:
                    return ids
                further = 0 if tokened else self._sampled_walk(match, limit, len(ids), window)
                if further:
                    # The window's matches, then the next rows' (those of the window are not
                    # checked twice).
                    ids += self._newest(match, where, params, limit - len(ids), tokens, further, True, window)
                    if len(ids) >= limit:
                        return ids
        walk = self._walk_length(match, where, params, limit, tokens) if key not in self._probes else 0
        if walk:
            # The planner expects tens of thousands of matches (or, in titles, enough that a page
            # of them lies within the newest few thousand rows): the probe would read the long
            # posting lists of common words to learn "more than PROBE". The newest WALK rows in
            # scope hold a page of them unless the words are far rarer together than apart; then
            # the probe decides after all.
            ids = self._newest(match, where, params, limit, tokens, walk, walk=True)
            if len(ids) >= limit:
                return ids
        # Under a unit or issuer filter the last step reads the GIN index as a bitmap too, sorted:
        # the probe would only repeat it (its count is the count's business).
        selective = tokens is not None and tokens.narrow
        rows = self._probes.get(key) if selective else self._matches(match, where, params, tokens)
        if rows is not None:
            return [r[0] for r in rows[:limit]]
        terms = _terms(match, tokens)
        column = terms.column
        if not terms.ordered:
            sql = (
                f"SELECT document_id FROM {ENTRY} WHERE {terms.on(ENTRY)} AND ({where}) "  # noqa: S608  # our table; values are parameters
                "ORDER BY recency_key DESC LIMIT %s"
            )
            values = [*terms.params, *params, limit]
        else:
            # The inner query holds every word: the outer one checks their order.
            order, order_params = terms.order_on("newest")
            sql = (
                f"SELECT document_id FROM (SELECT * FROM {ENTRY} "  # noqa: S608  # our table; values are parameters
                f"WHERE {column} @@ %s::tsquery AND ({where}) ORDER BY recency_key DESC LIMIT %s) AS newest "
                f"WHERE {order} ORDER BY recency_key DESC LIMIT %s"
            )
            values = [terms.words, *params, self.PHRASE_WINDOW, *order_params, limit]
        # Without tokens, with kind and year, or within a user's scope (which holds every public
        # document), matches this many are spread down the recency index: walking it newest first
        # finds a page soon. Under a unit or an issuer filter the walk would pass every row outside
        # it, one by one; the GIN index lists exactly the matches inside it instead, read as a
        # bitmap and sorted (a few thousand to tens of thousands of rows).
        with transaction.atomic(), connection.cursor() as cursor:
            if selective:
                _planner(cursor, seqscan=False, indexscan=False)
            else:
                _planner(cursor, seqscan=False, bitmapscan=False)
            cursor.execute(sql, values)
            ids = [row[0] for row in cursor.fetchall()]
            _planner(cursor)
        return ids

    def count(
        self, match: Match, where: str, params: Sequence[Any], cap: int, tokens: TokenFilter | None = None
    ) -> tuple[int, bool]:
        """(number of matches, exact?): exact up to PROBE, beyond it the planner's estimate."""
        key = (match, where, tuple(params), tokens)
        estimate = None
        if key not in self._probes:
            # The planner's statistics are good for common words, which are the costly ones to
            # count; what it thinks rare is counted exactly by the GIN probe.
            estimate = self._estimate(match, where, params, tokens)
        # A rare word is often thought rarer than it is: probed up to three times PROBE. Several
        # words are thought rarer together than they are (the planner takes them as independent),
        # as are kind and year tokens with them: a probe above PROBE would cost tens of
        # milliseconds to learn only "more than PROBE".
        words = sum(len(group) for group in match.groups)
        margin = 1 if words > 1 or (tokens is not None and bool(token_expression(tokens))) else 3
        if estimate is None or estimate <= margin * self.PROBE:
            rows = self._matches(match, where, params, tokens)
            if rows is not None:
                return len(rows), True
            estimate = estimate or self._estimate(match, where, params, tokens)
        return max(self.PROBE + 1, estimate), False

    def _walk_length(
        self, match: Match, where: str, params: Sequence[Any], limit: int, tokens: TokenFilter | None
    ) -> int:
        """How many of the newest rows to check before probing: WALK when the planner expects a
        common match, TITLE_WALK for a title match expected within half of that, else none."""
        estimate = self._estimate(match, where, params, tokens)
        if estimate > self.COMMON:
            return self.WALK
        if match.scope != "title" or estimate <= 0:
            return 0
        # A title's tsvector is in its row, cheap to check; a document's is read from TOAST.
        return self.TITLE_WALK if 0 < limit * self._table_rows() / estimate <= self.TITLE_WALK / 2 else 0

    def _sampled_walk(self, match: Match, limit: int, found: int, window: int) -> int:
        """How many rows past the newest `window` to check next, now that those held `found`
        matches, fewer than `limit` (0: none, probe). The planner's estimates take the words as
        independent and miss the common ones that go together ("35 nq tw" in titles: 43
        expected, 18,839 found), so its probe reads their long posting lists (10-20 ms) only to
        learn "more than PROBE" before the walk finds the page anyway; the window is a sample of
        the very rows a walk reads. Walked: when the sample puts the matches beyond what the
        probe may return, or, in titles (cheap to check: the row holds their tsvector), when a
        page is due within TITLE_WALK rows and the rarest word is common (its probe is costly).
        Up to twice the rows the sample expects a page in (thrice in titles): if the words grow
        rarer down the index, the probe decides after all."""
        rows = self._table_rows()
        if found < self.SAMPLED or rows <= 0:
            return 0
        due = -(-limit * window // found)  # rows expected to hold a page, the window included
        beyond_probe = found * rows > 2 * self.PROBE * window
        if match.scope == "title":
            walked = beyond_probe or (due <= self.TITLE_WALK and self._upper_bound(match) > self.COMMON)
            return max(0, min(self.WALK, 3 * due) - window) if walked else 0
        return max(0, min(self.WALK, 2 * due) - window) if beyond_probe else 0

    def _upper_bound(self, match: Match) -> int:
        """At most how many entries hold every word of `match`, as the planner sees it: its count
        of the rarest word alone. (Its count of several words multiplies theirs as if they were
        independent: "khong gian mang" in titles, 53 expected, 32,726 found.)"""
        words = {w for group in match.groups for w in group}
        if not words:
            return self._table_rows()
        return min(self._estimate(Match("any", ((w,),)), "1=1", [], None) for w in words)

    def _table_rows(self) -> int:
        """The entry table's size as the planner knows it (-1: never analysed)."""
        if self._rows is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [ENTRY])
                self._rows = int(cursor.fetchone()[0])
        return self._rows

    def _estimate(self, match: Match, where: str, params: Sequence[Any], tokens: TokenFilter | None) -> int:
        """The planner's count of the match's words (cached: the tiers of one search share words)."""
        # The words alone: the planner reads a phrase's words as an AND anyway, and would take the
        # strpos checks of document_tsv's phrases for a third of the rows each.
        terms = _terms(match, tokens)
        words, column = terms.words, terms.column
        if tokens is not None and token_expression(tokens) and not tokens.prefix_last:
            # The scope and filters are in the tsquery as tokens and in `where` as columns: the
            # planner would count their selectivity twice (an estimate of 1,000 for 98,000 rows).
            # (An issuer's phrase is not among the tokens: `where` stays.)
            where, params = "1=1", []
        key = (column, words, where, tuple(params))
        if key not in self._estimates:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {ENTRY} WHERE {column} @@ %s::tsquery AND ({where})",  # noqa: S608  # our table; values are parameters
                    [words, *params],
                )
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            self._estimates[key] = int(plan[0]["Plan"]["Plan Rows"])
        return self._estimates[key]

    def naive(self, match: Match, limit: int) -> list[int]:
        """ts_rank over every match, then the best `limit`: the benchmark's comparison path."""
        terms = _terms(match)
        column = terms.column
        sql = (
            f"SELECT document_id FROM {ENTRY}, to_tsquery('simple', %s) AS q WHERE {terms.on(ENTRY)} "  # noqa: S608  # our table; values are parameters
            f"ORDER BY ts_rank(setweight(title_tsv, 'A') || {column}, q) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [terms.words, *terms.params, limit])
            return [row[0] for row in cursor.fetchall()]

    # --- writing --------------------------------------------------------------------------------

    # From this many rows on, entries are written by COPY (`_replace`, else through a temporary
    # table); fewer are bound as one array parameter per column.
    COPY_UPSERT = 100

    def upsert(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert or replace the entries `rows`, leaving alone those whose digest is unchanged."""
        with connection.cursor() as cursor:
            rows, stored = self._changed(cursor, columns, rows)
            if rows:
                self._upsert(cursor, cursor.cursor, columns, rows, stored)

    def upsert_later(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The same, written in the helper thread. The stored digests are read here first: the
        helper would wait for the GIL behind the folding thread at every row it reads (0.7 s
        instead of 0.05 s for 5,000)."""
        self.flush()
        with connection.cursor() as cursor:
            rows, stored = self._changed(cursor, columns, rows)
        if not rows:
            return

        def write(raw: Any) -> None:
            with raw.cursor() as cursor:
                self._upsert(cursor, cursor, columns, rows, stored)

        self.later(write)

    def _changed(
        self, cursor: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> tuple[Sequence[Sequence[Any]], set[int] | None]:
        """For many rows: those whose digest differs from the stored entry's (or that have no
        entry), and the ids of the stored entries among them. For a few: all, and None (the
        upsert compares the digests itself)."""
        if len(rows) < self.COPY_UPSERT:
            return rows, None
        digest = columns.index("digest")
        cursor.execute(f"SELECT document_id, digest FROM {ENTRY} WHERE document_id = ANY(%s)", [[r[0] for r in rows]])  # noqa: S608  # our table
        stored = dict(cursor.fetchall())
        changed = [row for row in rows if row[0] not in stored or stored[row[0]] != row[digest]]
        return changed, {row[0] for row in changed if row[0] in stored}

    def _upsert(
        self,
        cursor: Any,
        raw: Any,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        stored: set[int] | None,
    ) -> None:
        """Write `rows` through `cursor` (Django's, which logs the statements, or in the helper
        thread psycopg's own) and `raw`, psycopg's cursor, for COPY. Many rows (`stored`: the ids
        among them that have an entry) by `_replace`, or when another transaction wrote one of
        them meanwhile by INSERT … ON CONFLICT from a temporary table filled by COPY; a few from
        arrays bound as parameters."""
        if stored is not None and _replace(cursor, raw, columns, rows, stored):
            return
        assignments = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        names = ", ".join(columns)
        if stored is not None:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_UPSERT} (LIKE {ENTRY} INCLUDING DEFAULTS) "
                "ON COMMIT DELETE ROWS"
            )
            cursor.execute(f"TRUNCATE {_UPSERT}")
            _copy(raw, _UPSERT, columns, rows)
            source = f"SELECT {names} FROM {_UPSERT}"  # noqa: S608  # our tables
            values: list[Any] = []
        else:
            arrays = ", ".join(f"%s::{_COLUMN_TYPES[c]}[]" for c in columns)
            source = f"SELECT * FROM unnest({arrays})"  # noqa: S608  # casts of our columns; values are parameters
            values = [
                [tsvector_text(v) for v in column] if name in _TSVECTOR_COLUMNS else list(column)
                for name, column in zip(columns, zip(*rows, strict=True), strict=True)
            ]
        # An entry that would not change is left alone: no new row version, no index entries.
        cursor.execute(
            f"INSERT INTO {ENTRY} ({names}) {source} ON CONFLICT (document_id) DO UPDATE SET {assignments} "
            f"WHERE {ENTRY}.digest IS DISTINCT FROM excluded.digest",
            values or None,
        )

    def before_large_write(self) -> None:
        """Nothing: the server's own checkpointer writes the pages, never the commit."""

    def begin_rebuild(self) -> None:
        """Before a full reindex: empty the table, drop the GIN indexes and the foreign keys.
        Building the indexes once at the end is several times faster than maintaining them row
        by row, and adding a foreign key back checks every row in one join instead of one
        deferred trigger call per row (the rows are read from the registry in this transaction)."""
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of rows written earlier in the transaction would block
            # TRUNCATE; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [ENTRY],
            )
            self._foreign_keys = cursor.fetchall()
            for name, _definition in self._foreign_keys:
                cursor.execute(f"ALTER TABLE {ENTRY} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            cursor.execute(f"TRUNCATE {ENTRY}")
            for name in GIN_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")

    def write_rebuilt(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """COPY the rows in a helper thread; the caller folds the next batch meanwhile and calls
        `flush` before its next query (psycopg serialises use of the connection anyway)."""
        self.flush()
        batch = list(rows)

        def copy(raw: Any) -> None:
            with raw.cursor() as cursor:
                _copy(cursor, ENTRY, columns, batch)

        self.later(copy)

    def end_rebuild(self) -> None:
        self.flush()
        with connection.cursor() as cursor:
            for name, definition in self._foreign_keys:
                cursor.execute(f"ALTER TABLE {ENTRY} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            self._foreign_keys = []
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in GIN_INDEXES.values():
                cursor.execute(sql)
            cursor.execute(f"ANALYZE {ENTRY}")


# --- the full rebuild beside the live table ---------------------------------------------------

SHADOW = "search_entry_rebuild"
# pg_get_indexdef's "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ...".
_INDEX_DEF = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .+)$")
# Serialises rebuilds (any constant both would take).
_REBUILD_LOCK = 0x63_68_69_64_61_6F


@dataclass(frozen=True)
class Rebuild:
    """A full reindex into the table SHADOW, then one swap. `create` and `indexes` run in other
    sessions (each statement commits on its own; the indexes one per session, largest first),
    `swap` in the caller's transaction; `drop` clears what a failed rebuild left. Each is a list of
    statements."""

    create: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...]
    analyze: tuple[str, ...]
    swap: tuple[str, ...]
    drop: tuple[str, ...]


def plan_rebuild() -> Rebuild | None:
    """In the caller's transaction, which will swap the tables: stop the registry and the entries
    from changing until it ends (searches go on; a document saved meanwhile waits, then writes its
    entry into the new table), and read how to build the new table exactly like the live one:
    its indexes and keys under their names, check constraints, storage and compression.

    None when the swap would lose something it does not recreate (another owner, granted
    privileges, a foreign key pointing at the entries, a deferrable or exclusion constraint):
    rebuild in place instead."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REBUILD_LOCK])
        # Registry first, as its writers take them: no writer can hold one and wait for another.
        cursor.execute(f"LOCK TABLE documents_document, documents_attachment, {ENTRY} IN SHARE MODE")
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) = current_user AND relacl IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = pg_class.oid) "
            "FROM pg_class WHERE oid = %s::regclass",
            [ENTRY],
        )
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), c.contype, coalesce(c.condeferrable, false) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "WHERE x.indrelid = %s::regclass ORDER BY pg_relation_size(i.oid) DESC, i.relname",
            [ENTRY],
        )
        found = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [ENTRY],
        )
        foreign_keys = cursor.fetchall()
    indexes: list[tuple[str, ...]] = []
    swap = [f"DROP TABLE {ENTRY}", f"ALTER TABLE {SHADOW} RENAME TO {ENTRY}"]
    for n, (name, definition, contype, deferrable) in enumerate(found):
        parsed = _INDEX_DEF.match(definition)
        if parsed is None or deferrable or contype not in (None, "p", "u"):
            return None
        temporary = f"{SHADOW}_{n}"
        indexes.append(
            (
                "SET maintenance_work_mem = '256MB'",
                f"CREATE {parsed[1] or ''}INDEX {temporary} ON {SHADOW} {parsed[2]}",
            )
        )
        if contype is None:
            swap.append(f"ALTER INDEX {temporary} RENAME TO {quote(name)}")
        else:
            # The index becomes the constraint's, under its name.
            key = "PRIMARY KEY" if contype == "p" else "UNIQUE"
            swap.append(f"ALTER TABLE {ENTRY} ADD CONSTRAINT {quote(name)} {key} USING INDEX {temporary}")
    swap += [f"ALTER TABLE {ENTRY} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in foreign_keys]
    return Rebuild(
        create=(
            f"DROP TABLE IF EXISTS {SHADOW}",
            f"CREATE TABLE {SHADOW} (LIKE {ENTRY} INCLUDING ALL EXCLUDING INDEXES)",
        ),
        indexes=tuple(indexes),
        analyze=(f"ANALYZE {SHADOW}",),
        swap=tuple(swap),
        drop=(f"DROP TABLE IF EXISTS {SHADOW}",),
    )


def copy_into(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `table` on this process's connection."""
    with connection.cursor() as cursor:
        _copy(cursor.cursor, table, columns, rows)


def _planner(cursor: Any, **allowed: bool) -> None:
    """Switch plan kinds off for the current transaction; no arguments: back to the defaults.

    Parallel workers are off too: a walk of the newest entries that stops after a page is
    estimated at the cost of the whole table, and starting two workers for it took ~50 ms of a
    query that runs in 20."""
    if not allowed:
        cursor.execute(
            "RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan; "
            "RESET max_parallel_workers_per_gather; RESET work_mem"
        )
        return
    # A probe's bitmap of ~100,000 entries stays exact: a lossy one rechecks whole pages, reading
    # every document_tsv on them.
    # One round trip for all of them.
    switches = "".join(f"; SET LOCAL enable_{kind} = {'on' if on else 'off'}" for kind, on in allowed.items())
    cursor.execute(f"SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '32MB'{switches}")


class _TsvectorDumper(Dumper):
    """tsvector_binary's and lexemes_binary's bytes, as they are, in a binary COPY."""

    format = pq.Format.BINARY
    oid = postgres_types["tsvector"].oid

    def dump(self, obj: Any) -> Any:
        return obj


def _replace(cursor: Any, raw: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], stored: set[int]) -> bool:
    """Delete the entries `stored` and COPY `rows` straight into the table (the statements
    through `cursor`, the COPY through psycopg's `raw`). False, having changed nothing, when
    another transaction inserted one of the rows' entries after the stored ones were read: the
    COPY then fails on the key (after waiting for that transaction) and is undone to a savepoint.

    Against INSERT … ON CONFLICT from a temporary table filled by COPY, this skips the temporary
    table and the conflict handling (docs/benchmarks.md, eleventh session). The foreign key to
    the document is checked for each inserted row at commit (an update does not check it)."""
    cursor.execute("SAVEPOINT search_entry_replace")
    try:
        if stored:
            cursor.execute(f"DELETE FROM {ENTRY} WHERE document_id = ANY(%s)", [sorted(stored)])  # noqa: S608  # our table
        _copy(raw, ENTRY, columns, rows)
    except UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT search_entry_replace")
        cursor.execute("RELEASE SAVEPOINT search_entry_replace")
        return False
    cursor.execute("RELEASE SAVEPOINT search_entry_replace")
    return True


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `table` through psycopg's `cursor`, in the binary format: each value goes
    as the column's type stores it (the tsvectors as tsvector_binary made them): the server
    neither tokenises text nor sorts lexemes."""
    cursor.adapters.register_dumper(None, _TsvectorDumper)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as writer:
        writer.set_types([_COLUMN_TYPES[c] for c in columns])
        for row in rows:
            writer.write_row(row)
