"""Parsing the search box and folding text for the index: pure functions, no database."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from chidao.documents.search.query import Symbol, parse_query, parse_symbol
from chidao.documents.search.text import index_fold, mark, match_pattern, snippet
from chidao.lib.text import fold


def test_words_are_folded_without_diacritics_and_d_stroke():
    assert parse_query("Đảng ủy").terms == ("dang", "uy")
    assert parse_query("dang uy").terms == ("dang", "uy")
    assert parse_query("BẢO VỆ nền tảng").terms == ("bao", "ve", "nen", "tang")


def test_quoted_text_is_a_phrase_and_the_rest_are_words():
    parsed = parse_query('"bảo vệ nền tảng" Đảng')
    assert parsed.phrases == (("bao", "ve", "nen", "tang"),)
    assert parsed.terms == ("dang",)


def test_an_unclosed_quote_still_makes_a_phrase():
    assert parse_query('"ban chỉ đạo').phrases == (("ban", "chi", "dao"),)


def test_party_and_state_symbols_are_recognised():
    assert parse_symbol("35-NQ/TW") == Symbol(35, "NQ", "TW")
    assert parse_symbol("45/KH-UBND") == Symbol(45, "KH", "UBND")
    assert parse_symbol("12/2020/NĐ-CP") == Symbol(12, "ND", "CP", year=2020)
    assert parse_symbol("123-KH/TU") == Symbol(123, "KH", "TU")


def test_a_symbol_written_the_other_way_round_is_the_same_symbol():
    assert parse_symbol("35/NQ-TW") == parse_symbol("35-NQ/TW")
    assert parse_symbol("35 - nq / tw") == parse_symbol("35-NQ/TW")


def test_a_symbol_query_also_searches_its_words_as_a_phrase():
    parsed = parse_query("35-NQ/TW")
    assert parsed.symbol == Symbol(35, "NQ", "TW")
    assert parsed.phrases == (("35", "nq", "tw"),)


def test_kind_and_number_name_a_document():
    assert parse_query("nq 35").symbol == Symbol(35, "NQ")
    assert parse_query("35 NQ").symbol == Symbol(35, "NQ")
    assert parse_query("nghị quyết 35").symbol == Symbol(35, "NQ")
    assert parse_query("kế hoạch 123").symbol == Symbol(123, "KH")


def test_a_number_alone_is_a_number_query_but_words_with_a_number_are_not():
    assert parse_query("35").symbol == Symbol(35)
    assert parse_query("phong chong lut 2024").symbol is None


def test_empty_and_one_letter_queries_are_too_short():
    assert parse_query("").too_short and parse_query("").is_empty
    assert parse_query("  a ").too_short
    assert parse_query('"').too_short
    assert not parse_query("uy").too_short


def test_index_fold_turns_symbols_and_punctuation_into_words():
    assert index_fold("Nghị quyết số 35-NQ/TW, “Đảng ủy”") == "nghi quyet so 35 nq tw dang uy"
    assert index_fold("Quảng\u00a0Ninh\t\u2013  ĐÀ NẴNG") == "quang ninh da nang"


def test_index_fold_handles_decomposed_text():
    decomposed = "Đa\u0309ng u\u0309y"  # "Đảng ủy" typed with combining marks
    assert index_fold(decomposed) == "dang uy"


def _fold_whole_text(text):
    """`fold` by its definition: the whole text decomposed at once, marks dropped, lower-cased."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", stripped).strip().lower()


@given(st.text())
def test_index_fold_is_fold_reduced_to_words(text):
    assert index_fold(text) == " ".join(re.sub(r"[\W_]+", " ", _fold_whole_text(text)).split())


@given(st.text())
def test_fold_word_by_word_is_fold_of_the_whole_text(text):
    assert fold(text) == _fold_whole_text(text)


def test_fold_keeps_what_depends_on_the_neighbouring_letters():
    # Greek capital sigma lowers to final sigma at the end of a word only; marks alone vanish.
    for text in ("ΟΔΟΣ ΣΟΦΙΑ Σ", "Đảng\u0301 \u0301 ủy", "\x1cQuảng\x1fNinh\u2028"):
        assert fold(text) == _fold_whole_text(text)
        assert fold(text) == fold(text)  # the second time from the remembered words


def test_marks_are_placed_on_the_original_text_with_diacritics():
    pattern = match_pattern([("dang",), ("uy",)])
    assert mark("Ban Thường vụ Đảng ủy phường", pattern) == "Ban Thường vụ <mark>Đảng</mark> <mark>ủy</mark> phường"


def test_marks_match_whole_words_only():
    pattern = match_pattern([("dan",)])
    assert mark("Đảng và nhân dân", pattern) == "Đảng và nhân <mark>dân</mark>"


def test_a_phrase_is_marked_across_punctuation():
    pattern = match_pattern([("35", "nq", "tw")])
    assert mark("theo Nghị quyết 35-NQ/TW.", pattern) == "theo Nghị quyết <mark>35-NQ/TW</mark>."


def test_snippets_escape_html_around_the_marks():
    pattern = match_pattern([("nen", "tang")])
    html = snippet(["<script>alert(1)</script> bảo vệ nền tảng tư tưởng"], pattern)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "<mark>nền tảng</mark>" in html


def test_a_snippet_is_cut_around_the_first_match():
    pattern = match_pattern([("chuyen", "doi", "so")])
    text = "Mở đầu. " * 100 + "Đẩy mạnh chuyển đổi số trong cơ quan Đảng. " + "Kết thúc. " * 100
    html = snippet([text], pattern, width=120)
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>chuyển đổi số</mark>" in html and len(html) < 250
