"""Accounts API: /me, the users an administrator manages, granting and revoking roles."""

from __future__ import annotations

import json

from chidao.accounts.models import AccessRole, RoleGrant
from chidao.audit.models import AuditEntry
from tests.conftest import login

API = "/api/accounts"


def _post(client, path, body):
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


def test_me_lists_my_roles_with_their_units(client, world):
    login(client, world.province_admin)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "province_admin" and data["two_factor_enabled"] is True
    assert [(r["unit"]["id"], r["unit"]["name"], r["role"]) for r in data["roles"]] == [
        (world.province_a.pk, "Thành phố Đà Nẵng", "committee_admin")
    ]
    assert data["roles"][0]["role_label"] == "Quản trị Ban Chỉ đạo"


def test_anonymous_api_call_is_refused(client, db):
    assert client.get(f"{API}/me").status_code == 401


def test_users_are_scoped_like_the_page(client, world):
    login(client, world.province_admin)
    data = client.get(f"{API}/users").json()
    usernames = {u["username"] for u in data["items"]}
    assert {
        "commune_officer",
        "sibling_officer",
        "viewer",
        "province_admin",
    } <= usernames
    assert "outsider" not in usernames and "sysadmin" not in usernames
    officer = next(u for u in data["items"] if u["username"] == "commune_officer")
    assert [g["unit"]["name"] for g in officer["grants"]] == ["Phường Hải Châu"]

    login(client, world.commune_officer)
    response = client.get(f"{API}/users")
    assert response.status_code == 200 and response.json()["items"] == []


def test_admin_grants_a_role_through_the_api(client, world):
    login(client, world.province_admin)
    response = _post(
        client,
        "/grants",
        {
            "user_id": world.sibling_officer.pk,
            "unit_id": world.commune_a.pk,
            "role": "viewer",
        },
    )
    assert response.status_code == 201
    grant = RoleGrant.objects.get(pk=response.json()["id"])
    assert (grant.user, grant.unit, grant.role, grant.granted_by) == (
        world.sibling_officer,
        world.commune_a,
        "viewer",
        world.province_admin,
    )
    assert AuditEntry.objects.filter(action="accounts.role.granted", target_id=str(grant.pk)).exists()


def test_unknown_role_answers_422_keyed_by_field(client, world):
    login(client, world.province_admin)
    response = _post(
        client,
        "/grants",
        {"user_id": world.viewer.pk, "unit_id": world.commune_a.pk, "role": "boss"},
    )
    assert response.status_code == 422
    assert response.json() == {"detail": {"role": ["Vai trò “boss” không hợp lệ."]}}


def test_duplicate_grant_answers_422(client, world):
    login(client, world.province_admin)
    body = {
        "user_id": world.commune_officer.pk,
        "unit_id": world.commune_a.pk,
        "role": "secretariat",
    }
    response = _post(client, "/grants", body)
    assert response.status_code == 422
    assert "đã có vai trò" in response.json()["detail"]["role"][0]


def test_committee_admin_granting_system_admin_answers_403(client, world):
    login(client, world.province_admin)
    body = {
        "user_id": world.commune_officer.pk,
        "unit_id": world.commune_a.pk,
        "role": AccessRole.SYSTEM_ADMIN,
    }
    response = _post(client, "/grants", body)
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(role=AccessRole.SYSTEM_ADMIN, user=world.commune_officer).exists()


def test_viewer_cannot_grant_roles(client, world):
    login(client, world.viewer)
    assert client.get(f"{API}/me").status_code == 200
    body = {
        "user_id": world.commune_officer.pk,
        "unit_id": world.commune_a.pk,
        "role": "viewer",
    }
    assert _post(client, "/grants", body).status_code == 404  # the viewer manages no users


def test_out_of_scope_user_unit_and_grant_answer_404(client, world, other_admin):
    login(client, other_admin)
    assert client.get(f"{API}/me").status_code == 200  # the 404s below come from scope, not routing
    assert (
        _post(
            client,
            "/grants",
            {
                "user_id": world.commune_officer.pk,
                "unit_id": world.commune_c.pk,
                "role": "viewer",
            },
        ).status_code
        == 404
    )
    assert (
        _post(
            client,
            "/grants",
            {
                "user_id": world.outsider.pk,
                "unit_id": world.commune_a.pk,
                "role": "viewer",
            },
        ).status_code
        == 404
    )
    grant = RoleGrant.objects.get(user=world.commune_officer)
    assert client.delete(f"{API}/grants/{grant.pk}").status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert client.delete(f"{API}/grants/999999").status_code == 404


def test_admin_revokes_a_grant_through_the_api(client, world):
    login(client, world.province_admin)
    grant = RoleGrant.objects.get(user=world.viewer)
    response = client.delete(f"{API}/grants/{grant.pk}")
    assert response.status_code == 204
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="accounts.role.revoked", actor=world.province_admin).exists()


def test_unverified_admin_is_refused_by_the_api(client, world):
    client.force_login(world.province_admin)
    response = client.get(f"{API}/users")
    assert response.status_code == 403
