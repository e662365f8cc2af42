"""GET /api/documents/search: the page's search as JSON, 422 naming the field for bad filters."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.documents.search import make_document

pytestmark = pytest.mark.django_db
URL = "/api/documents/search"


@pytest.fixture
def docs(world):
    return {
        "nq": make_document(
            world.root,
            "Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng",
            kind="resolution",
            symbol="35-NQ/TW",
            issuer="Bộ Chính trị",
            issued_on=dt.date(2018, 10, 22),
            visibility="public",
        ),
        "plan": make_document(
            world.province_a,
            "Kế hoạch thực hiện Nghị quyết 35-NQ/TW của Bộ Chính trị",
            symbol="123-KH/TU",
            issued_on=dt.date(2024, 3, 1),
        ),
    }


def test_results_carry_symbol_title_issuer_date_snippet_and_reason(world, as_user, docs):
    response = as_user(world.commune_officer).get(URL, {"q": "35/NQ-TW"})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 2 and data["total_exact"] and data["message"] == ""
    first = data["results"][0]
    assert first["id"] == docs["nq"].pk and first["symbol"] == "35-NQ/TW"
    assert first["rank_reason"] == "symbol" and first["rank_reason_label"] == "Đúng số, ký hiệu"
    assert first["issuer"] == "Bộ Chính trị" and first["issued_on"] == "2018-10-22"
    assert first["url"] == f"/documents/{docs['nq'].pk}/"
    second = data["results"][1]
    assert second["id"] == docs["plan"].pk and "<mark>35-NQ/TW</mark>" in second["title_html"]


def test_filters_narrow_the_results(world, as_user, docs):
    client = as_user(world.province_admin)
    by_kind = client.get(URL, {"q": "nghi quyet", "kind": "resolution"}).json()
    assert [r["id"] for r in by_kind["results"]] == [docs["nq"].pk]
    by_year = client.get(URL, {"q": "nghi quyet", "year": 2024}).json()
    assert [r["id"] for r in by_year["results"]] == [docs["plan"].pk]
    by_unit = client.get(URL, {"q": "nghi quyet", "unit": world.province_a.pk}).json()
    assert [r["id"] for r in by_unit["results"]] == [docs["plan"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"kind": "novel"}, "kind"),
        ({"unit": "999999"}, "unit"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_filters_answer_422_naming_the_field(world, as_user, params, field):
    response = as_user(world.commune_officer).get(URL, {"q": "dang", **params})
    assert response.status_code == 422
    assert list(response.json()["detail"]) == [field]


def test_a_unit_out_of_scope_is_refused_like_a_missing_one(world, as_user, docs):
    response = as_user(world.outsider).get(URL, {"q": "nghi quyet", "unit": world.province_a.pk})
    assert response.status_code == 422 and "unit" in response.json()["detail"]


def test_out_of_scope_documents_are_not_counted(world, as_user, docs):
    data = as_user(world.outsider).get(URL, {"q": "nghi quyet"}).json()
    assert [r["id"] for r in data["results"]] == [docs["nq"].pk] and data["total"] == 1


def test_too_short_query_answers_with_a_message(world, as_user):
    data = as_user(world.commune_officer).get(URL, {"q": "a"}).json()
    assert data["results"] == [] and "quá ngắn" in data["message"]


def test_anonymous_callers_are_refused(client):
    assert client.get(URL, {"q": "dang"}).status_code == 401
