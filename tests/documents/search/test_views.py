"""The search page: one box, filters, results with links, htmx partial, messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.documents.search import make_document

pytestmark = pytest.mark.django_db
URL = reverse("search:index")


@pytest.fixture
def plan(world):
    return make_document(
        world.province_a,
        "Kế hoạch thực hiện Nghị quyết số 35-NQ/TW về bảo vệ nền tảng tư tưởng của Đảng",
        symbol="123-KH/TU",
        issuer="Ban Thường vụ Thành ủy Đà Nẵng",
        issued_on=dt.date(2024, 3, 1),
        full_text="Đấu tranh phản bác các quan điểm sai trái, thù địch <b>trên mạng</b>.",
    )


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL, {"q": "dang"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_shows_the_box_and_a_hint_before_any_search(world, as_user):
    response = as_user(world.commune_officer).get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in content and 'id="results"' in content
    assert "có dấu hay không dấu" in content
    # The unit filter offers "all" and the officer's own commune (read when the list is drawn).
    assert f'<option value="{world.commune_a.pk}">{world.commune_a.name}</option>' in content
    assert "Tất cả</option>" in content
    assert world.province_b.name not in content


def test_results_show_symbol_title_issuer_date_snippet_and_link(world, as_user, plan):
    response = as_user(world.commune_officer).get(URL, {"q": "quan diem sai trai"})
    content = response.content.decode()
    assert "123-KH/TU" in content
    assert "Ban Thường vụ Thành ủy Đà Nẵng" in content and "01/03/2024" in content
    assert "<mark>quan điểm sai trái</mark>" in content
    assert "&lt;b&gt;trên mạng&lt;/b&gt;" in content  # the document's own markup is escaped
    assert reverse("documents:detail", args=[plan.pk]) in content
    assert "1 văn bản" in content


def test_htmx_gets_only_the_results_region(world, as_user, plan):
    response = as_user(world.commune_officer).get(URL, {"q": "bao ve nen tang"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content and "123-KH/TU" in content


def test_empty_and_too_short_queries_get_a_message(world, as_user):
    client = as_user(world.commune_officer)
    assert "Nhập số, ký hiệu hoặc từ khóa" in client.get(URL, {"q": ""}).content.decode()
    assert "Từ khóa quá ngắn" in client.get(URL, {"q": "a"}).content.decode()
    assert "Không tìm thấy văn bản nào khớp với “xyzzy”" in client.get(URL, {"q": "xyzzy"}).content.decode()


def test_a_bad_filter_is_named_in_the_message(world, as_user):
    content = as_user(world.commune_officer).get(URL, {"q": "dang", "year": "hai nghìn"}).content.decode()
    assert "Năm ban hành phải là một số" in content
    # The year typed is kept in its box, marked invalid and tied to the message.
    assert 'type="number" value="hai nghìn"' in content and 'aria-invalid="true"' in content


def test_the_filters_chosen_are_kept_in_the_form(world, as_user, plan):
    params = {
        "q": "ke hoach",
        "kind": "plan",
        "year": "2024",
        "issuer": "Thành ủy <Đà Nẵng>",
        "unit": world.commune_a.pk,
    }
    content = as_user(world.commune_officer).get(URL, params).content.decode()
    assert '<option value="plan" selected>Kế hoạch</option>' in content
    assert f'<option value="{world.commune_a.pk}" selected>' in content
    assert 'max="2100" min="1930" name="year" type="number" value="2024"' in content
    assert 'value="Thành ủy &lt;Đà Nẵng&gt;"' in content


def test_a_unit_out_of_scope_cannot_be_used_as_a_filter(world, as_user, plan):
    content = as_user(world.outsider).get(URL, {"q": "dang", "unit": world.province_a.pk}).content.decode()
    assert "ngoài phạm vi của bạn" in content and "123-KH/TU" not in content


def test_an_officer_below_finds_the_provinces_plan_but_another_province_does_not(world, as_user, plan):
    assert "123-KH/TU" in as_user(world.sibling_officer).get(URL, {"q": "35-NQ/TW"}).content.decode()
    assert "123-KH/TU" not in as_user(world.outsider).get(URL, {"q": "35-NQ/TW"}).content.decode()


def test_results_are_paged_with_plain_links(world, as_user):
    for n in range(23):
        make_document(world.province_a, f"Thông báo số {n} về lịch tiếp công dân", issued_on=dt.date(2025, 1, 1 + n))
    client = as_user(world.province_admin)
    first = client.get(URL, {"q": "tiep cong dan"}).content.decode()
    assert "23 văn bản" in first and "q=tiep+cong+dan&amp;page=2" in first
    second = client.get(URL, {"q": "tiep cong dan", "page": 2}).content.decode()
    assert second.count('<li class="mb-3">') == 3
