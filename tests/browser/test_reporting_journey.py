"""A commune enters its quarterly report and sends it, the province approves it, and the dashboard
shows the new total.

The form (BC35: DK, TH, TL, a narrative section, the rule TH <= DK, assigned to the communes of
province A) is set up through the real services; everything else happens in chromium, through the
pages. The officer reaches the report the way they would on any day: Báo cáo → Việc phải nộp, and
the row of the quarter that has just ended, which that list always shows (the fixture's Quý I/2026
is too old to be listed, so the journey reports on the previous quarter instead).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from chidao.lib import periods
from chidao.reporting import services
from chidao.reporting.models import Report, Status
from tests.browser.conftest import PageProblems
from tests.browser.test_org_journey import assert_clean, assert_styled, sign_in
from tests.conftest import World
from tests.reporting.conftest import Setup, _setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNE = "Phường Hải Châu"
PROVINCE = "Thành phố Đà Nẵng"
FORM_NAME = "Báo cáo kết quả công tác quý"
REGISTERED, TRAINED = "1250", "980"
NARRATIVE = "Một số chi bộ chưa bố trí được thời gian sinh hoạt chuyên đề; sẽ khắc phục trong quý tới."


@pytest.fixture
def bc35(world: World) -> Setup:
    return _setup(world)


def open_menu(page: Page, item: str) -> None:
    """The "Báo cáo" dropdown of the main navigation (Bootstrap's JavaScript must work under the CSP)."""
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Báo cáo", exact=True).click()
    with page.expect_navigation():
        nav.get_by_role("link", name=item).click()


def status_of(page: Page, indicator_id: int) -> Locator:
    return page.locator(f"#s-v{indicator_id}")


def type_value(page: Page, indicator_id: int, text: str) -> None:
    """Type into a grid input like a clerk would: select what is there, type, Enter to the next row."""
    box = page.locator(f"#id_v{indicator_id}")
    box.click()
    box.press("Control+a")
    box.press_sequentially(text, delay=20)
    box.press("Enter")


def report_due_date(setup: Setup, quarter: periods.Span) -> dt.date:
    period = services.ensure_period(quarter.kind, quarter.year, quarter.number, quarter.calendar)
    return services.due_date(setup.form, period)


def key_card(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=re.compile("^Chỉ tiêu chính")).locator(".card", has_text=name)


def test_commune_submits_province_approves_dashboard_shows_total(
    page: Page,
    world: World,
    bc35: Setup,
    problems: PageProblems,
    artifacts: Path,
) -> None:
    today = timezone.localdate()
    quarter = periods.previous(periods.containing(today, "quarter", "calendar"))
    registered, trained = bc35.registered, bc35.trained

    # --- the commune officer enters and sends the report ----------------------------------------
    sign_in(page, world.commune_officer)
    open_menu(page, "Việc phải nộp")
    expect(page.locator("main h1")).to_contain_text("Việc phải nộp")
    row = page.locator("tbody tr", has_text=FORM_NAME).filter(has_text=quarter.label)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Chưa nhập")
    # In the first working days of a quarter the one just ended is not yet due; later it is overdue.
    overdue = today > report_due_date(bc35, quarter)
    expect(row.locator(".badge")).to_have_text(["Quá hạn"] if overdue else [])
    with page.expect_navigation():
        row.get_by_role("button", name="Nhập báo cáo").click()
    expect(page).to_have_url(re.compile(r"/reporting/reports/\d+/$"))
    report = Report.objects.get(
        form=bc35.form, unit=world.commune_a, period__year=quarter.year, period__number=quarter.number
    )
    expect(page.locator("main h1")).to_have_text(FORM_NAME)
    expect(page.locator("dl")).to_contain_text(COMMUNE)
    expect(page.locator("dl")).to_contain_text(quarter.label)
    expect(page.locator("dl .badge").first).to_have_text("Đang nhập")
    assert_styled(page)

    # A typo is refused beside its input, in Vietnamese, and nothing is stored.
    type_value(page, registered.pk, "12a5")
    expect(page.locator(f"#id_v{trained.pk}")).to_be_focused()  # Enter moved down the column
    expect(status_of(page, registered.pk)).to_contain_text("DK: “12a5” không phải là số.")
    assert not report.values.filter(indicator=registered).exists()
    page.screenshot(path=artifacts / "report-entry-error.png", full_page=True)

    type_value(page, registered.pk, REGISTERED)
    expect(status_of(page, registered.pk)).to_have_text("✓ Đã lưu")
    type_value(page, trained.pk, TRAINED)
    expect(status_of(page, trained.pk)).to_have_text("✓ Đã lưu")
    narrative = page.get_by_role("textbox", name="II. Hạn chế, nguyên nhân")
    narrative.fill(NARRATIVE)
    narrative.press("Tab")
    expect(page.locator(".cell-status", has_text="Đã lưu")).to_have_count(3)
    assert {v.indicator.code: v.value for v in report.values.select_related("indicator")} == {
        "DK": 1250,
        "TH": 980,
    }
    page.screenshot(path=artifacts / "report-entry.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("status").filter(has_text="Đã gửi báo cáo")).to_have_text(f"Đã gửi báo cáo tới {PROVINCE}.")
    expect(page.locator("dl .badge").first).to_have_text("Đã gửi")
    expect(page.locator("dl .badge.text-bg-danger")).to_have_text(["Gửi muộn"] if overdue else [])
    expect(page.locator(f"#id_v{registered.pk}")).to_have_count(0)  # read-only once sent
    expect(page.locator("table.report-grid")).to_contain_text("1250")
    page.screenshot(path=artifacts / "report-submitted.png", full_page=True)
    assert_clean(page, problems)

    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name=world.commune_officer.username).click()
    with page.expect_navigation():
        nav.get_by_role("button", name="Đăng xuất").click()

    # --- the province administrator approves; the dashboard adds the figures up ------------------
    sign_in(page, world.province_admin)
    open_menu(page, "Bảng điều khiển")
    expect(page.locator("main h1")).to_have_text(f"Bảng điều khiển báo cáo — {PROVINCE}")
    with page.expect_navigation():
        page.get_by_label("Kỳ báo cáo").select_option(label=quarter.label)
        page.get_by_role("button", name="Xem").click()
    card = key_card(page, registered.name)
    expect(card.locator("p.fs-3 a")).to_have_text("—")
    expect(card).to_contain_text("chưa có báo cáo được duyệt")
    page.screenshot(path=artifacts / "dashboard-before.png", full_page=True)
    dashboard_url = page.url

    open_menu(page, "Danh sách báo cáo")
    reports = page.locator("#rows tbody tr", has_text=COMMUNE)
    expect(reports).to_have_count(1)
    expect(reports).to_contain_text("Đã gửi")
    with page.expect_navigation():
        reports.get_by_role("link", name=FORM_NAME).click()
    expect(page.locator(f"#id_v{registered.pk}")).to_have_count(0)  # the reviewer reads, never edits
    with page.expect_navigation():
        page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã duyệt")).to_have_text(f"Đã duyệt báo cáo của {COMMUNE}.")
    expect(page.locator("dl .badge").first).to_have_text("Đã duyệt")
    report.refresh_from_db()
    assert report.status == Status.APPROVED

    page.goto(dashboard_url)
    card = key_card(page, registered.name)
    expect(card.locator("p.fs-3 a")).to_have_text("1.250")
    expect(card).to_contain_text("1 đơn vị báo cáo")
    expect(key_card(page, trained.name).locator("p.fs-3 a")).to_have_text("980")
    comparison = page.get_by_role("region", name="So sánh các đơn vị trực thuộc")
    expect(comparison.locator("tbody tr", has_text=COMMUNE).locator("td").first).to_have_text("1.250")
    expect(comparison.locator("tfoot td").first).to_have_text("1.250")
    assert_styled(page)
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)

    with page.expect_navigation():
        card.locator("p.fs-3 a").click()
    expect(page.locator("main h1")).to_have_text(registered.name)
    expect(page.locator("main")).to_contain_text(f"{FORM_NAME} · {quarter.label} · {PROVINCE}")
    source = page.locator("main table tbody tr")
    expect(source).to_have_count(1)
    cells = source.locator("td")
    expect(cells.nth(0)).to_have_text(COMMUNE)
    expect(cells.nth(1)).to_have_text("1.250")
    expect(cells.nth(3)).to_have_text(str(world.commune_officer))
    expect(cells.nth(5)).to_have_text(str(world.province_admin))
    page.screenshot(path=artifacts / "dashboard-drilldown.png", full_page=True)

    assert_clean(page, problems)
