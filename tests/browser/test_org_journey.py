"""An administrator signs in with the second factor, switches the working unit and reads the org chart.

Data is set up through the real services; everything else happens in chromium, through the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from chidao.accounts import services as account_services
from chidao.accounts.models import AccessRole, User
from chidao.org import services
from chidao.org.models import Committee, CommitteeKind, GroupKind, Role
from tests.browser.conftest import PageProblems
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-2026!"
CITY_COMMITTEE = "Ban Chỉ đạo 35 thành phố Đà Nẵng"
WARD_COMMITTEE = "Ban Chỉ đạo 35 phường Thanh Khê"
HEAD = "Nguyễn Văn Quảng"
STANDING_DEPUTY = "Lương Nguyễn Minh Triết"
MEMBER = "Trần Thị Thu Hà"
GROUP_MEMBER = "Phạm Đức Anh"
GROUP = "Tổ giúp việc Ban Chỉ đạo 35"


@dataclass
class Committees:
    city: Committee
    ward: Committee


@pytest.fixture
def committees(world: World) -> Committees:
    """Ban Chỉ đạo 35 of Đà Nẵng with its leaders, a member and a secretariat team; one in Thanh Khê."""
    actor = world.province_admin
    city = services.create_committee(
        actor=actor,
        unit=world.province_a,
        name=CITY_COMMITTEE,
        short_name="BCĐ 35",
        kind=CommitteeKind.PARTY,
        founding_decision="Quyết định số 12-QĐ/TU",
        founded_on=dt.date(2025, 7, 10),
    )
    group = services.create_group(actor=actor, committee=city, kind=GroupKind.SECRETARIAT, name=GROUP)
    seats = [
        (HEAD, "Phó Bí thư Thường trực Thành ủy", Role.HEAD, None),
        (
            STANDING_DEPUTY,
            "Trưởng Ban Tuyên giáo và Dân vận Thành ủy",
            Role.STANDING_DEPUTY,
            None,
        ),
        (MEMBER, "Giám đốc Sở Văn hóa, Thể thao và Du lịch", Role.MEMBER, None),
        (
            GROUP_MEMBER,
            "Phó Trưởng Ban Tuyên giáo và Dân vận Thành ủy",
            Role.SECRETARIAT,
            group,
        ),
    ]
    for full_name, titles, role, in_group in seats:
        person = services.create_person(actor=actor, unit=world.province_a, full_name=full_name, titles=titles)
        services.appoint_member(
            actor=actor,
            committee=city,
            person=person,
            role=role,
            group=in_group,
            start_date=dt.date(2025, 7, 15),
            decision="Quyết định số 15-QĐ/TU",
        )
    ward = services.create_committee(actor=actor, unit=world.commune_b, name=WARD_COMMITTEE)
    return Committees(city=city, ward=ward)


def sign_in(page: Page, user: User, screenshots: Path | None = None) -> None:
    """The real sign-in form, then the second-factor page when the user has a TOTP device."""
    page.goto("/account/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    if screenshots is not None:
        page.screenshot(path=screenshots / "login.png", full_page=True)
    page.get_by_role("button", name="Đăng nhập").click()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        page.wait_for_url(re.compile(r"/account/otp/verify/"))
        expect(page.locator("h1")).to_have_text("Xác thực hai lớp")
        if screenshots is not None:
            page.screenshot(path=screenshots / "otp-verify.png", full_page=True)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("input[name=token]", f"{code:0{device.digits}d}")
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(lambda url: "/account/" not in url)


def switch_unit(page: Page, unit_name: str) -> None:
    with page.expect_navigation():
        page.select_option("#unit-switcher", label=unit_name)
    expect(page.locator("#unit-switcher option:checked")).to_have_text(unit_name)
    expect(page.get_by_role("status")).to_contain_text(f"Đang làm việc tại: {unit_name}")


def assert_styled(page: Page) -> None:
    """Bootstrap and our stylesheet were served and applied."""
    sheets = page.evaluate("[...document.styleSheets].map(s => [s.href, s.cssRules.length])")
    loaded = {href.rsplit("/", 1)[-1]: rules for href, rules in sheets}
    assert loaded.get("bootstrap.min.css", 0) > 100, f"Bootstrap did not load: {sheets}"
    assert loaded.get("chidao.css", 0) > 0, f"/static/chidao/chidao.css did not load: {sheets}"
    navbar = page.locator("nav.navbar")
    # Bootstrap's .navbar is a flex box; the colour comes from our .bg-chidao.
    assert navbar.evaluate("e => getComputedStyle(e).display") == "flex"
    background = navbar.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(139, 26, 26)"


def assert_clean(page: Page, problems: PageProblems) -> None:
    assert problems.csp_violations(page) == []
    # Chromium asks for /favicon.ico by itself when a page names no icon; that is not a page error.
    assert [m for m in problems.console_errors if "/favicon.ico:" not in m] == []
    assert problems.page_errors == []


def test_admin_signs_in_switches_unit_and_reads_org_chart(
    page: Page,
    world: World,
    committees: Committees,
    problems: PageProblems,
    artifacts: Path,
) -> None:
    # The switcher lists the units the user holds a role on; a ward role makes Thanh Khê one of them.
    account_services.grant_role(
        actor=world.system_admin,
        user=world.province_admin,
        unit=world.commune_b,
        role=AccessRole.SECRETARIAT,
    )

    sign_in(page, world.province_admin, screenshots=artifacts)
    expect(page.locator("main h1")).to_have_text("Thành phố Đà Nẵng")
    assert_styled(page)

    switch_unit(page, "Phường Thanh Khê")
    expect(page.locator("main h1")).to_have_text("Phường Thanh Khê")
    expect(page.locator("#rows")).to_contain_text(WARD_COMMITTEE)
    expect(page.locator("#rows")).not_to_contain_text(CITY_COMMITTEE)
    page.screenshot(path=artifacts / "home-ward.png", full_page=True)

    switch_unit(page, "Thành phố Đà Nẵng")
    expect(page.locator("main h1")).to_have_text("Thành phố Đà Nẵng")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Ban Chỉ đạo").click()
    page.wait_for_url(re.compile(r"/committees/$"))
    expect(page.locator("main h1")).to_contain_text("thuộc Thành phố Đà Nẵng")
    page.get_by_role("link", name=CITY_COMMITTEE).click()
    page.wait_for_url(re.compile(rf"/committees/{committees.city.pk}/$"))

    expect(page.locator("main h1")).to_have_text(CITY_COMMITTEE)
    chart = page.get_by_role("region", name="Sơ đồ tổ chức")
    head_seat = chart.locator(".seat", has_text=HEAD)
    expect(head_seat).to_have_count(1)
    expect(head_seat.locator(".badge-role")).to_have_text("Trưởng ban")
    expect(head_seat).to_have_class(re.compile(r"card-leader"))
    expect(chart.locator(".seat", has_text=STANDING_DEPUTY).locator(".badge-role")).to_have_text(
        "Phó Trưởng ban Thường trực"
    )
    expect(chart.locator("h3", has_text=GROUP)).to_be_visible()
    expect(chart.locator(".seat", has_text=GROUP_MEMBER).locator(".badge-role")).to_have_text("Thành viên Tổ giúp việc")
    expect(chart.locator("h2")).to_contain_text("4 người")
    assert_styled(page)
    page.screenshot(path=artifacts / "org-chart.png", full_page=True)

    page.get_by_role("link", name="Lịch sử kiện toàn").click()
    page.wait_for_url(re.compile(rf"/committees/{committees.city.pk}/history/$"))
    expect(page.locator("main h1")).to_have_text("Lịch sử kiện toàn")
    day = page.locator("section.history-day")
    expect(day).to_have_count(1)
    expect(day.locator("h2")).to_have_text("15/07/2025 · Quyết định số 15-QĐ/TU")
    expect(day.locator("li")).to_have_count(4)
    assert_styled(page)
    page.screenshot(path=artifacts / "committee-history.png", full_page=True)

    # The language toggle is a plain POST form: it must work under the CSP and keep the page.
    page.get_by_role("link", name=CITY_COMMITTEE).click()
    page.wait_for_url(re.compile(rf"/committees/{committees.city.pk}/$"))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(CITY_COMMITTEE)
    page.screenshot(path=artifacts / "org-chart-en.png", full_page=True)

    assert_clean(page, problems)


def test_sibling_officer_cannot_open_province_committee(
    page: Page,
    world: World,
    committees: Committees,
    problems: PageProblems,
    artifacts: Path,
) -> None:
    sign_in(page, world.sibling_officer)
    expect(page.locator("main h1")).to_have_text("Phường Thanh Khê")
    expect(page.locator("#unit-switcher option")).to_have_text(["Phường Thanh Khê"])

    response = page.goto(f"/committees/{committees.city.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Không tìm thấy trang")
    expect(page).to_have_title(re.compile("^Không tìm thấy"))
    expect(page.locator("main")).not_to_contain_text(CITY_COMMITTEE)
    assert_styled(page)
    page.screenshot(path=artifacts / "not-found.png", full_page=True)

    # Their own ward's committee opens.
    response = page.goto(f"/committees/{committees.ward.pk}/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("main h1")).to_have_text(WARD_COMMITTEE)
    assert problems.csp_violations(page) == []
    assert problems.page_errors == []
