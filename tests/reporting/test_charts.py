"""SVG charts: valid markup, one bar per row, gaps for missing periods, Vietnamese numbers, escaped labels."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chidao.reporting.charts import bar_chart, format_number, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own markup, parsed only to check it is well-formed


def test_numbers_are_written_the_vietnamese_way():
    assert format_number(Decimal("1234.5")) == "1.234,5"
    assert format_number(Decimal("1234567")) == "1.234.567"
    assert format_number(Decimal("12.3456")) == "12,35"
    assert format_number(0.0) == "0"
    assert format_number(-2500) == "-2.500"
    assert format_number(None) == "—"


def test_bar_chart_draws_one_bar_per_row_with_an_accessible_title():
    svg = bar_chart([("Phường Hải Châu", 10), ("Phường Thanh Khê", Decimal("1234.5"))], title="Số người đăng ký")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Số người đăng ký"
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 2
    assert float(bars[1].get("width")) > float(bars[0].get("width"))
    assert "1.234,5" in svg


def test_labels_are_escaped():
    svg = bar_chart([("<script>alert(1)</script> & co", 3)], title='"quoted" <b>')
    root = parse(svg)
    assert "<script>" not in svg
    assert root.get("aria-label") == '"quoted" <b>'


def test_line_chart_leaves_a_gap_for_a_period_without_figures():
    points = [("Quý I/2025", 5), ("Quý II/2025", None), ("Quý III/2025", 7), ("Quý IV/2025", 9)]
    root = parse(line_chart([("DK", points)], title="DK qua các kỳ"))
    (path,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == "series"]
    assert path.get("d").count("M") == 2  # the line is broken where the value is missing
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Quý I/2025" in texts and "Quý IV/2025" in texts


def test_charts_without_data_say_so():
    for svg in (bar_chart([], title="Trống"), line_chart([("DK", [("1/2026", None)])])):
        root = parse(svg)
        assert "Chưa có số liệu" in "".join(root.itertext())


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=20), st.decimals(-(10**9), 10**9, places=2, allow_nan=False)),
        max_size=30,
    )
)
def test_bar_chart_always_parses_and_counts_rows(rows):
    root = parse(bar_chart(rows))
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]) == len(rows)


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=12))
def test_line_chart_always_parses(values):
    svg = line_chart([("A", [(f"{i + 1}/2026", v) for i, v in enumerate(values)])])
    parse(svg)
