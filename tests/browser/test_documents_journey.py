"""A ward's clerk enters the city's plan with its PDF, finds it again by typing without diacritics
and opens the file; the neighbouring ward, which may not read it, finds nothing.

The accounts come from the shared personas; everything else happens in chromium, through the pages.
Phường Hải Châu's văn thư enters Kế hoạch 123-KH/TU of Thành ủy Đà Nẵng in the ward's incoming
register, kept to the ward ("Chỉ đơn vị sở hữu"), attaches the signed PDF, then searches for
“bao ve nen tang tu tuong” — no diacritics — opens the plan from the results and opens its
attachment. Phường Thanh Khê's văn thư searches the same words and gets no result, and the plan's
address answers "not found".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Frame, Page, expect

from chidao.audit.models import AuditEntry
from chidao.documents.models import Attachment, Document
from tests.browser.conftest import PageProblems
from tests.browser.test_meetings_journey import sign_out
from tests.browser.test_org_journey import assert_clean, assert_styled, sign_in
from tests.conftest import World
from tests.documents.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYMBOL = "123-KH/TU"
ISSUER = "Thành ủy Đà Nẵng"
TITLE = (
    "Kế hoạch thực hiện Nghị quyết số 35-NQ/TW của Bộ Chính trị về tăng cường bảo vệ nền tảng tư tưởng "
    "của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới"
)
QUERY = "bao ve nen tang tu tuong"
PDF_NAME = "Ke-hoach-123-KH-TU.pdf"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # The live server runs in this process: uploads land in the test's own directory.
    settings.MEDIA_ROOT = tmp_path / "media"


def search(page: Page, query: str) -> None:
    # No page links to the search yet; the address is the search page's own.
    with page.expect_navigation():
        page.goto(reverse("search:index"))
    expect(page.locator("main h1")).to_have_text("Tìm kiếm văn bản")
    box = page.get_by_role("searchbox", name="Từ khóa")
    box.fill(query)
    with page.expect_response(lambda r: "/search/" in r.url and "q=" in r.url):
        box.press("Enter")  # htmx swaps #results in place; without htmx the form submits


def pdf_viewer_frame(page: Page) -> Frame:
    """The frame in which Chromium's PDF viewer (an extension page) lays out the document."""
    for _attempt in range(100):
        for frame in page.frames:
            if frame.parent_frame is not None and frame.parent_frame.url.startswith("chrome-extension://"):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"Chromium's PDF viewer did not open: {[f.url for f in page.frames]}")


def test_clerk_registers_a_plan_finds_it_without_diacritics_and_opens_its_pdf(
    page: Page,
    world: World,
    problems: PageProblems,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    clerk, neighbour = world.commune_officer, world.sibling_officer
    pdf = pdf_bytes("Ke hoach 123-KH/TU bao ve nen tang tu tuong cua Dang")
    pdf_path = tmp_path / PDF_NAME
    pdf_path.write_bytes(pdf)

    # --- 1. the ward's clerk enters the plan in the incoming register ------------------------------
    sign_in(page, clerk)
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    with page.expect_navigation():
        nav.get_by_role("link", name="Văn bản", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Sổ văn bản")
    with page.expect_navigation():
        page.get_by_role("link", name="Vào sổ văn bản").click()
    expect(page.locator("main h1")).to_have_text("Vào sổ văn bản")
    page.get_by_label("Sổ văn bản của đơn vị").select_option(value=str(world.commune_a.pk))
    page.get_by_label("Loại sổ").select_option(label="Văn bản đến")
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch")
    page.get_by_label("Số, ký hiệu").fill(SYMBOL)
    page.get_by_label("Cơ quan ban hành").fill(ISSUER)
    page.get_by_label("Ngày ban hành").fill("2024-03-05")
    page.get_by_label("Trích yếu").fill(TITLE)
    page.get_by_label("Người ký").fill("Nguyễn Văn Q (dữ liệu mẫu)")
    page.get_by_label("Phạm vi xem").select_option(label="Chỉ đơn vị sở hữu (và cấp trên)")
    page.get_by_label("Số đến").fill("15")
    page.get_by_label("Ngày đến").fill("2024-03-07")
    page.screenshot(path=artifacts / "document-new.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/$"))
    expect(page.get_by_role("status")).to_have_text(f"Đã vào sổ văn bản “{SYMBOL} {TITLE}”.")
    expect(page.locator("main h1")).to_have_text(f"Kế hoạch {SYMBOL}")
    details = page.locator("main dl")
    expect(details).to_contain_text(f"Văn bản đến — {world.commune_a.name} · số đến 15, 07/03/2024")
    expect(details).to_contain_text("Chỉ đơn vị sở hữu (và cấp trên)")
    document = Document.objects.get(symbol=SYMBOL)
    assert (document.unit, document.visibility, document.created_by) == (world.commune_a, "unit", clerk)
    document_url = page.url

    # --- 2. the signed PDF is attached ---------------------------------------------------------------
    attachments = page.locator("#attachments")
    expect(attachments).to_contain_text("Chưa có tệp đính kèm.")
    attachments.get_by_label("Tệp đính kèm").set_input_files(pdf_path)
    with page.expect_navigation():
        attachments.get_by_role("button", name="Đính kèm", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Đã đính kèm “{PDF_NAME}”.")
    expect(attachments.get_by_role("link", name=PDF_NAME)).to_be_visible()
    attachment = Attachment.objects.get(document=document)
    assert attachment.content_type == "application/pdf" and "bao ve nen tang" in attachment.text
    assert AuditEntry.objects.filter(action="documents.attachment.added", target_id=str(document.pk)).exists()
    assert_styled(page)
    page.screenshot(path=artifacts / "document-detail.png", full_page=True)

    # --- 3. found again from the search box, typed without diacritics ------------------------------
    search(page, QUERY)
    results = page.locator("#results ol.search-results > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(SYMBOL)
    expect(results.first).to_contain_text(f"Kế hoạch · {ISSUER} · 05/03/2024")
    # the words found are marked in the title, diacritics and all
    expect(results.first.locator("mark").first).to_have_text(re.compile(r"bảo vệ", re.IGNORECASE))
    expect(page).to_have_url(re.compile(r"[?&]q=bao(%20|\+)ve(%20|\+)nen"))  # the address can be shared
    page.screenshot(path=artifacts / "document-search.png", full_page=True)
    with page.expect_navigation():
        results.first.get_by_role("link").click()
    expect(page).to_have_url(document_url)
    expect(page.locator("main .lead")).to_have_text(TITLE)

    # --- 4. the attachment opens: the stored PDF, as a PDF, never sniffed ---------------------------
    link = page.locator("#attachments").get_by_role("link", name=PDF_NAME)
    href = link.get_attribute("href")
    assert href == reverse("documents:attachment_download", args=[attachment.pk])
    with page.expect_response(lambda r: r.url.endswith(href)) as caught:
        link.click()
    response = caught.value
    assert response.status == 200
    headers = response.headers
    assert headers["content-type"] == "application/pdf"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"].startswith("inline") and PDF_NAME in headers["content-disposition"]
    # Chromium shows it in place, in its PDF viewer: the CSP "sandbox" of the response does not stop
    # the viewer, which lays the page out in a frame of its own (a US Letter page at 100%).
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    viewer = pdf_viewer_frame(page)
    expect(viewer.locator("#sizer")).to_have_attribute("style", re.compile(r"width: \d+px; height: \d+px"))
    page.wait_for_timeout(1000)  # the page is painted a moment after its layout; only the screenshot needs it
    page.screenshot(path=artifacts / "document-attachment.png")
    # What the page holds is now the viewer, so the bytes are read again over the same session.
    again = page.request.get(href)
    assert (again.status, again.headers["content-type"]) == (200, "application/pdf")
    assert again.body() == pdf
    page.goto(document_url)
    assert_clean(page, problems)
    sign_out(page, clerk)

    # --- 5. the neighbouring ward may not read it: no result, no page, no file ----------------------
    sign_in(page, neighbour)
    search(page, QUERY)
    expect(page.locator("#results ol.search-results > li")).to_have_count(0)
    expect(page.locator("#results .search-message")).to_have_text(f"Không tìm thấy văn bản nào khớp với “{QUERY}”.")
    page.screenshot(path=artifacts / "document-search-neighbour.png", full_page=True)
    assert page.request.get(document_url).status == 404
    assert page.request.get(href).status == 404
    assert_clean(page, problems)
