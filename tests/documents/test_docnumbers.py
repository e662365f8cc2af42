import pytest

from chidao.lib.docnumbers import PARTY_TYPES, STATE_TYPES, ParsedSymbol, parse_symbol, symbol_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35-NQ/TW", ParsedSymbol(35, None, "NQ", "TW", party=True)),
        ("123-KH/TU", ParsedSymbol(123, None, "KH", "TU", party=True)),
        ("08-QĐi/TW", ParsedSymbol(8, None, "QĐi", "TW", party=True)),
        ("05-CV/BCĐ", ParsedSymbol(5, None, "CV", "BCĐ", party=True)),
        ("01-TB/VPTU", ParsedSymbol(1, None, "TB", "VPTU", party=True)),
        ("45/KH-UBND", ParsedSymbol(45, None, "KH", "UBND", party=False)),
        ("12/2020/NĐ-CP", ParsedSymbol(12, 2020, "NĐ", "CP", party=False)),
        ("1234/BNV-CCVC", ParsedSymbol(1234, None, "", "BNV-CCVC", party=False)),
        ("125/QĐ-BCĐ", ParsedSymbol(125, None, "QĐ", "BCĐ", party=False)),
        ("15/QyĐ-UBND", ParsedSymbol(15, None, "QyĐ", "UBND", party=False)),
    ],
)
def test_official_forms_parse_into_their_parts(text, expected):
    assert parse_symbol(text) == expected


def test_typing_variations_give_the_official_spelling():
    parsed = parse_symbol("  Số: 35 - nq / tw ")
    assert parsed == ParsedSymbol(35, None, "NQ", "TW", party=True)
    assert parsed.text == "35-NQ/TW"
    assert parse_symbol("8-qđi/tw").text == "08-QĐi/TW"
    assert parse_symbol("45/kh-ubnd").text == "45/KH-UBND"
    assert parse_symbol("12/2020/nđ-cp").text == "12/2020/NĐ-CP"
    assert parse_symbol("1234/BNV-CCVC").text == "1234/BNV-CCVC"


def test_type_codes_name_the_document_kind():
    assert parse_symbol("35-NQ/TW").kind == "resolution"
    assert parse_symbol("08-QĐi/TW").kind == "regulation"  # Party quy định
    assert parse_symbol("15/QyĐ-UBND").kind == "regulation"  # state quy định
    assert parse_symbol("125/QĐ-BCĐ").kind == "decision"
    assert parse_symbol("05-CV/BCĐ").kind == "letter"
    assert parse_symbol("1234/BNV-CCVC").kind == "letter"  # state công văn: no type code
    assert parse_symbol("12/2020/NĐ-CP").kind == "other"
    assert parse_symbol("03-CTr/TU").kind == "programme"
    assert parse_symbol("10/TTr-UBND").kind == "submission"


def test_the_tables_follow_the_two_guides():
    assert PARTY_TYPES["QĐi"] == "regulation" and "QyĐ" not in PARTY_TYPES
    assert STATE_TYPES["QyĐ"] == "regulation" and "QĐi" not in STATE_TYPES
    assert "CV" in PARTY_TYPES and "CV" not in STATE_TYPES
    for code in ("NQ", "CT", "KL", "QĐ", "KH", "CTr", "ĐA", "HD", "TB", "BC", "TTr", "BB", "QC"):
        assert code in PARTY_TYPES and code in STATE_TYPES, code


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Hãy nhập số, ký hiệu văn bản"),
        ("NQ/TW", "phải bắt đầu bằng số văn bản"),
        ("35-XY/TW", "“XY” không phải ký hiệu loại văn bản của Đảng theo Hướng dẫn 36-HD/VPTW"),
        ("35-NQ/", "thiếu ký hiệu cơ quan ban hành"),
        ("35-/TW", "thiếu ký hiệu loại văn bản"),
        ("0-NQ/TW", "phải lớn hơn 0"),
        ("45/", "thiếu ký hiệu loại văn bản và cơ quan ban hành"),
        ("45/KH-", "thiếu ký hiệu cơ quan ban hành"),
        ("12/20/NĐ-CP", "phải có 4 chữ số"),
        ("12/1800/NĐ-CP", "Năm ban hành 1800"),
        ("12/2020/XYZ-CP", "“XYZ” không phải ký hiệu loại văn bản theo Nghị định 30/2020/NĐ-CP"),
        ("35-NQ/T W", "không được có khoảng trắng"),
        ("45/KH-UB<ND>", "chỉ gồm chữ, số và dấu gạch nối"),
        ("35", "không đúng mẫu"),
        ("45/KH/UBND", "không đúng mẫu của cơ quan nhà nước"),
    ],
)
def test_malformed_symbols_are_refused_with_a_vietnamese_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_symbol(text)


def test_symbol_key_is_unchanged():
    assert symbol_key("35 - nq/tw") == "35-NQ/TW"
    assert symbol_key("12/2020/NĐ-CP") == "12/2020/ND-CP"
