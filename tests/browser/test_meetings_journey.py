"""A quarterly review meeting's conclusions become tasks; a ward reports on the late one and the
city's overdue count goes down.

The committee and the two accounts are set up through the real services; everything else happens
in chromium, through the pages. The secretary of the city committee records a quarterly review
held three weeks ago, pastes its conclusion notice (“Một là …; Hai là …; Ba là …”), and assigns
two of the three conclusions to Phường Hải Châu: one due five days ago (so it is overdue the moment
it is given), one due next month. The ward's secretary reports 50% progress on the late one, then
its completion; the city's list of the unit's tasks moves it from “Quá hạn chưa hoàn thành” to
“Hoàn thành quá hạn”.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from chidao.accounts.models import AccessRole, User
from chidao.meetings.models import Meeting
from chidao.org import services as org_services
from chidao.org.models import Committee
from chidao.tasks.models import Task
from tests.browser.conftest import PageProblems
from tests.browser.test_org_journey import assert_clean, assert_styled, sign_in
from tests.conftest import World, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITY = "Thành phố Đà Nẵng"
WARD = "Phường Hải Châu"
COMMITTEE = "Ban Chỉ đạo 35 thành phố Đà Nẵng"
MEETING_TITLE = "Hội nghị đánh giá kết quả công tác quý, triển khai nhiệm vụ quý tới"
CONCLUSIONS = [
    "Các phường, xã tiếp tục quán triệt Nghị quyết số 35-NQ/TW, hoàn thành rà soát lực lượng nòng cốt",
    "Phường Hải Châu xây dựng kế hoạch tập huấn kỹ năng cho cán bộ làm công tác bảo vệ nền tảng tư tưởng",
    "Tổ giúp việc tổng hợp kết quả, báo cáo Ban Chỉ đạo trong quý tới.",
]
NOTICE = (
    "Ban Chỉ đạo kết luận như sau:\n"
    f"Một là, {CONCLUSIONS[0][0].lower()}{CONCLUSIONS[0][1:]}; "
    f"Hai là, {CONCLUSIONS[1]}; "
    f"Ba là, {CONCLUSIONS[2]}"
)
PROGRESS = "Đã rà soát 12/14 tổ dân phố; còn 2 tổ hoàn thành trong tuần."
REPORT = "Đã hoàn thành rà soát lực lượng nòng cốt tại 14/14 tổ dân phố, có danh sách kèm theo."


@pytest.fixture
def committee(world: World) -> Committee:
    return org_services.create_committee(
        actor=world.province_admin, unit=world.province_a, name=COMMITTEE, short_name="BCĐ 35"
    )


@pytest.fixture
def secretary(world: World) -> User:
    """The committee's secretariat: the secretariat role on the city, no second factor."""
    return make_user("thuky_danang", AccessRole.SECRETARIAT, world.province_a)


def open_tasks_menu(page: Page, item: str) -> None:
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    # The menu's name carries the count of unread task notifications ("Nhiệm vụ 2").
    nav.get_by_role("button", name=re.compile(r"^Nhiệm vụ( \d+)?$")).click()
    with page.expect_navigation():
        nav.get_by_role("link", name=item).click()


def sign_out(page: Page, user: User) -> None:
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name=str(user)).click()
    with page.expect_navigation():
        nav.get_by_role("button", name="Đăng xuất").click()


def count(page: Page, status: str) -> Locator:
    return page.locator(f"#status-counts [data-count={status}]")


def test_meeting_conclusions_become_tasks_and_overdue_count_drops(
    page: Page,
    world: World,
    committee: Committee,
    secretary: User,
    problems: PageProblems,
    artifacts: Path,
) -> None:
    today = timezone.localdate()
    held_on = today - dt.timedelta(days=21)
    late_due = today - dt.timedelta(days=5)
    later_due = today + dt.timedelta(days=30)

    # --- 1. the city secretary records the quarterly review and its conclusions -----------------
    sign_in(page, secretary)
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    with page.expect_navigation():
        nav.get_by_role("link", name="Cuộc họp", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Thêm cuộc họp").click()
    page.get_by_label(re.compile(r"^Loại")).select_option(label="Đánh giá kết quả quý")
    page.get_by_label("Tên cuộc họp").fill(MEETING_TITLE)
    page.get_by_label("Ban Chỉ đạo chủ trì").select_option(label=f"{COMMITTEE} — {CITY}")
    page.get_by_label("Bắt đầu").fill(f"{held_on:%Y-%m-%d}T08:00")
    page.get_by_label("Kết thúc").fill(f"{held_on:%Y-%m-%d}T11:30")
    page.get_by_label("Địa điểm").fill("Hội trường Thành ủy")
    page.screenshot(path=artifacts / "meeting-new.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    expect(page.get_by_role("status")).to_have_text(f"Đã tạo cuộc họp “{MEETING_TITLE}”.")
    expect(page.locator("main h1")).to_have_text(MEETING_TITLE)
    expect(page.locator("main")).to_contain_text("Đánh giá kết quả quý")
    expect(page.locator("main dl")).to_contain_text(f"{COMMITTEE} ({CITY})")
    expect(page.locator("main dl")).to_contain_text(f"08:00, {held_on:%d/%m/%Y}")
    meeting = Meeting.objects.get(title=MEETING_TITLE)
    assert meeting.kind == "quarterly_review" and meeting.host_committee == committee
    meeting_url = page.url

    conclusions = page.locator("#conclusions")
    expect(conclusions).to_contain_text("Chưa có kết luận.")
    expect(conclusions.get_by_role("link", name="Giao nhiệm vụ từ kết luận")).to_have_count(0)
    with page.expect_navigation():
        conclusions.get_by_role("link", name="Nhập, sửa kết luận").click()
    page.get_by_label("Số, ký hiệu").fill("15-TB/BCĐ")
    page.get_by_label("Ngày thông báo").fill(f"{held_on + dt.timedelta(days=2):%Y-%m-%d}")
    page.get_by_label("Nội dung thông báo kết luận").fill(NOTICE)
    page.get_by_role("button", name="Tách thành các kết luận").click()  # htmx: the preview in place
    expect(page.locator("#items").get_by_role("status")).to_have_text("Tách được 3 kết luận. Sửa nếu cần rồi bấm Lưu.")
    for number, text in enumerate(CONCLUSIONS, start=1):
        expect(page.get_by_label(f"Kết luận {number}", exact=True)).to_have_value(text)
    page.screenshot(path=artifacts / "meeting-conclusions-preview.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu 3 kết luận.")
    items = page.locator("#conclusions ol.conclusions > li")
    expect(items).to_have_text(CONCLUSIONS)
    expect(page.locator("#conclusions h2")).to_contain_text(f"số 15-TB/BCĐ, {held_on + dt.timedelta(days=2):%d/%m/%Y}")
    assert_styled(page)
    page.screenshot(path=artifacts / "meeting-conclusions.png", full_page=True)

    # --- 2. two conclusions become tasks of the ward, one already late ---------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Giao nhiệm vụ từ kết luận").click()
    expect(page.locator("main h1")).to_have_text("Giao nhiệm vụ từ kết luận cuộc họp")
    rows = [page.locator(f"main form #conclusion-{n}") for n in (1, 2, 3)]
    for row in rows:
        expect(row.get_by_role("checkbox")).to_be_checked()  # every conclusion not yet given
    rows[2].get_by_role("checkbox").uncheck()
    for row, due in ((rows[0], late_due), (rows[1], later_due)):
        row.get_by_label("Đơn vị chủ trì").select_option(label=f"— {WARD}")
        row.get_by_label("Hạn hoàn thành").fill(f"{due:%Y-%m-%d}")
    page.screenshot(path=artifacts / "tasks-from-meeting.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Giao các nhiệm vụ đã chọn").click()
    expect(page).to_have_url(meeting_url)
    expect(page.get_by_role("status")).to_have_text("Đã giao 2 nhiệm vụ từ kết luận cuộc họp.")
    tasks = Task.objects.filter(meeting=meeting).order_by("conclusion__number")
    assert [(t.conclusion and t.conclusion.number, t.lead_unit, t.due_date) for t in tasks] == [
        (1, world.commune_a, late_due),
        (2, world.commune_a, later_due),
    ]
    late = tasks[0]

    # The same page again shows which conclusions were given, and to whom.
    with page.expect_navigation():
        page.get_by_role("link", name="Giao nhiệm vụ từ kết luận").click()
    for row, given in zip(rows, (True, True, False), strict=True):
        expect(row.locator(".badge", has_text="Đã giao")).to_have_count(1 if given else 0)
        expect(row.get_by_role("checkbox")).to_be_checked(checked=not given)
    expect(rows[0].get_by_role("link", name=WARD)).to_have_attribute("href", late.get_absolute_url())

    # --- 3. the unit's task list counts one overdue task ------------------------------------------
    open_tasks_menu(page, "Nhiệm vụ của đơn vị")
    expect(page.locator("main h1")).to_have_text(f"Nhiệm vụ của {CITY}")
    expect(count(page, "overdue")).to_have_text("1")
    expect(count(page, "in_progress")).to_have_text("1")
    expect(count(page, "done_late")).to_have_text("0")
    by_unit = page.locator("#by-unit tbody tr", has_text=WARD)
    expect(by_unit.locator("td")).to_have_text([WARD, "2", "1", "1", "0", "0"])
    overdue_row = page.locator("#rows tbody tr.table-danger")
    expect(overdue_row).to_have_count(1)
    expect(overdue_row).to_contain_text(CONCLUSIONS[0])
    expect(overdue_row).to_contain_text("Quá hạn chưa hoàn thành")
    unit_list_url = page.url
    page.screenshot(path=artifacts / "tasks-unit-before.png", full_page=True)
    assert_clean(page, problems)
    sign_out(page, secretary)

    # --- 4. the ward's secretary reports progress, then completion --------------------------------
    sign_in(page, world.commune_officer)
    open_tasks_menu(page, "Nhiệm vụ của tôi")
    expect(count(page, "overdue")).to_have_text("1")
    with page.expect_navigation():
        page.locator("#status-counts").get_by_role("link", name=re.compile("^Quá hạn chưa hoàn thành")).click()
    listed = page.locator("#rows tbody tr")
    expect(listed).to_have_count(1)
    with page.expect_navigation():
        listed.get_by_role("link", name=CONCLUSIONS[0]).click()
    expect(page.locator("main h1")).to_have_text(CONCLUSIONS[0])
    expect(page.locator("main p .badge").first).to_have_text("Quá hạn chưa hoàn thành")
    details = page.locator("main dl")
    expect(details).to_contain_text(f"{MEETING_TITLE} — kết luận số 1")
    expect(details).to_contain_text(f"Hạn hoàn thành{late_due:%d/%m/%Y}")

    progress = page.locator("#progress")
    progress.get_by_label("Tiến độ (%)").fill("50")
    progress.get_by_label("Kết quả đã thực hiện").fill(PROGRESS)
    progress.get_by_role("button", name="Cập nhật tiến độ").click()  # htmx: the section in place
    expect(page.locator("#progress li").first).to_contain_text(f"50% — {PROGRESS}")
    late.refresh_from_db()
    assert late.progress == 50
    page.screenshot(path=artifacts / "task-progress.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo hoàn thành").click()
    expect(page.locator("main h1")).to_have_text("Báo cáo hoàn thành")
    expect(page.get_by_label("Ngày hoàn thành")).to_have_value(f"{today:%Y-%m-%d}")
    page.get_by_label("Báo cáo kết quả thực hiện").fill(REPORT)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_have_text("Đã báo cáo hoàn thành: Hoàn thành quá hạn.")
    expect(page.locator("main p .badge").first).to_have_text("Hoàn thành quá hạn")
    expect(page.locator("main")).to_contain_text(REPORT)
    expect(page.get_by_role("link", name="Báo cáo hoàn thành")).to_have_count(0)
    page.screenshot(path=artifacts / "task-completed.png", full_page=True)
    assert_clean(page, problems)
    sign_out(page, world.commune_officer)

    # --- 5. the city's list: no overdue task left, one done late -----------------------------------
    sign_in(page, secretary)
    page.goto(unit_list_url)
    expect(page.locator("main h1")).to_have_text(f"Nhiệm vụ của {CITY}")
    expect(count(page, "overdue")).to_have_text("0")
    expect(count(page, "done_late")).to_have_text("1")
    expect(count(page, "in_progress")).to_have_text("1")
    expect(page.locator("#by-unit tbody tr", has_text=WARD).locator("td")).to_have_text([WARD, "2", "0", "1", "0", "1"])
    expect(page.locator("#rows tbody tr.table-danger")).to_have_count(0)
    done = page.locator("#rows tbody tr", has_text=CONCLUSIONS[0])
    expect(done).to_contain_text("Hoàn thành quá hạn")
    expect(done).to_contain_text("100%")  # completion closes the progress at 100%
    expect(done).to_contain_text(f"{today:%d/%m/%Y}")  # the day it was completed
    page.screenshot(path=artifacts / "tasks-unit-after.png", full_page=True)
    assert_clean(page, problems)
