from django.urls import reverse

from chidao.accounts import services
from chidao.accounts.models import ApiToken
from chidao.audit.models import AuditEntry


def test_token_created_on_the_page_is_shown_once_and_stored_as_digest(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(reverse("accounts:api_tokens"), {"name": "Phần mềm thống kê"})
    body = response.content.decode()
    token = ApiToken.objects.get(user=world.commune_officer)
    secret = body.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("cd_")
    assert secret not in token.digest
    assert secret not in client.get(reverse("accounts:api_tokens")).content.decode()
    assert AuditEntry.objects.filter(action="accounts.api_token.created").exists()


def test_bearer_token_acts_as_its_owner_with_the_same_scope(world, client):
    _token, secret = services.create_api_token(actor=world.commune_officer, name="Hệ thống A")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/units/{world.commune_a.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/units/{world.commune_b.pk}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/units/{world.commune_a.pk}", headers={"Authorization": "Bearer cd_wrong"}).status_code == 401
    )


def test_revoked_token_no_longer_works_and_others_cannot_revoke(world, client, as_user):
    token, secret = services.create_api_token(actor=world.commune_officer, name="Hệ thống A")
    assert as_user(world.sibling_officer).post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    as_user(world.commune_officer).post(reverse("accounts:api_token_revoke", args=[token.pk]))
    client.logout()
    response = client.get(f"/api/units/{world.commune_a.pk}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_token_needs_a_name(world, as_user):
    response = as_user(world.commune_officer).post(reverse("accounts:api_tokens"), {"name": " "})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
