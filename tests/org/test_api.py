import json

import pytest

from chidao.org import services
from chidao.org.models import Membership, Role


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def committee(world):
    return services.create_committee(
        actor=world.province_admin,
        unit=world.province_a,
        name="Ban Chỉ đạo 35 thành phố Đà Nẵng",
    )


def test_subtree_and_ancestors(world, as_user):
    client = as_user(world.province_admin)
    subtree = client.get(f"/api/units/{world.province_a.pk}/subtree").json()
    assert {u["code"] for u in subtree["items"]} == {"P48", "W20242", "W20209"}
    ancestors = client.get(f"/api/units/{world.commune_a.pk}/ancestors").json()
    assert [u["code"] for u in ancestors] == [
        "P48",
        "W20242",
    ]  # VN is above the admin's grant


def test_create_person_and_appoint_through_api(world, committee, as_user):
    client = as_user(world.province_admin)
    person = _post(
        client,
        "/api/people",
        {"unit_id": world.province_a.pk, "full_name": "Đoàn Ngọc Hùng Anh"},
    )
    assert person.status_code == 201
    seat = _post(
        client,
        f"/api/committees/{committee.pk}/memberships",
        {"person_id": person.json()["id"], "role": "head", "start_date": "2024-01-01"},
    )
    assert seat.status_code == 201
    assert seat.json()["role_label"] == "Trưởng ban"
    composition = client.get(f"/api/committees/{committee.pk}/composition", {"on": "2024-06-01"}).json()
    assert [m["person_name"] for m in composition["memberships"]] == ["Đoàn Ngọc Hùng Anh"]


def test_api_validation_errors_are_422_keyed_by_field(world, committee, as_user):
    client = as_user(world.province_admin)
    person = services.create_person(actor=world.province_admin, unit=world.province_a, full_name="X Y")
    response = _post(
        client,
        f"/api/committees/{committee.pk}/memberships",
        {
            "person_id": person.pk,
            "role": Role.MEMBER,
            "start_date": "2024-05-01",
            "end_date": "2024-01-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"]["end_date"] == ["Ngày kết thúc không được trước ngày bắt đầu."]
    assert not Membership.objects.exists()


def test_viewer_write_is_403(world, as_user):
    response = _post(
        as_user(world.viewer),
        "/api/people",
        {"unit_id": world.province_a.pk, "full_name": "Ai đó"},
    )
    assert response.status_code == 403


def test_openapi_schema_is_served(world, as_user):
    schema = as_user(world.viewer).get("/api/openapi.json").json()
    assert "/api/committees/{committee_id}/composition" in schema["paths"]
