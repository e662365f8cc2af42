"""Account pages: sign-in and lockout, passwords, profile, users and roles."""

from __future__ import annotations

import re

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.accounts import services
from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.audit.models import AuditEntry
from tests.accounts.conftest import PASSWORD, text_of
from tests.conftest import login

LOGIN = "/account/login/"


# --- sign-in -----------------------------------------------------------------------------------


def test_login_page_is_in_vietnamese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "Tên đăng nhập" in text_of(response) and "Quên mật khẩu?" in text_of(response)


def test_officer_logs_in_and_lands_on_home(client, world):
    response = client.post(LOGIN, {"username": "commune_officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(response["Location"]).status_code == 200
    assert int(client.session["_auth_user_id"]) == world.commune_officer.pk


def test_login_keeps_a_safe_next_and_drops_a_foreign_one(client, world):
    response = client.post(
        LOGIN,
        {"username": "commune_officer", "password": PASSWORD, "next": "/account/"},
    )
    assert response["Location"] == "/account/"
    client.logout()
    response = client.post(
        LOGIN,
        {
            "username": "commune_officer",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_a_vietnamese_error(client, world):
    response = client.post(LOGIN, {"username": "commune_officer", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in text_of(response)
    assert "_auth_user_id" not in client.session


def test_sixth_attempt_with_the_right_password_is_refused_after_five_failures(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(5):
        response = client.post(LOGIN, {"username": "commune_officer", "password": "sai-mat-khau"})
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": "commune_officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tài khoản tạm khóa" in text_of(response)
    assert "Hãy thử lại sau 30 phút" in text_of(response)
    assert "_auth_user_id" not in client.session


def test_a_new_password_from_the_reset_mail_lifts_the_lockout(client, world):
    User.objects.filter(pk=world.commune_officer.pk).update(email="officer@example.vn")
    for _attempt in range(5):
        client.post(LOGIN, {"username": "commune_officer", "password": "sai-mat-khau"})
    client.post(reverse("accounts:password_reset"), {"email": "officer@example.vn"})
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(
        form_url,
        {"new_password1": "Mat-khau-moi-2027!", "new_password2": "Mat-khau-moi-2027!"},
    )
    response = client.post(LOGIN, {"username": "commune_officer", "password": "Mat-khau-moi-2027!"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_lockout_of_one_user_leaves_another_free(client, world):
    for _attempt in range(5):
        client.post(LOGIN, {"username": "commune_officer", "password": "sai-mat-khau"})
    response = client.post(LOGIN, {"username": "sibling_officer", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post(client, world):
    login(client, world.commune_officer)
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_anonymous_user_is_sent_to_login_from_profile(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- passwords ---------------------------------------------------------------------------------


def test_password_change_keeps_the_session_and_is_audited(client, world):
    login(client, world.commune_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2027!",
            "new_password2": "Mat-khau-moi-2027!",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    world.commune_officer.refresh_from_db()
    assert world.commune_officer.check_password("Mat-khau-moi-2027!")
    assert AuditEntry.objects.filter(action="accounts.password.changed", actor=world.commune_officer).exists()


def test_password_change_with_wrong_old_password_is_refused(client, world):
    login(client, world.commune_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "sai",
            "new_password1": "Mat-khau-moi-2027!",
            "new_password2": "Mat-khau-moi-2027!",
        },
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    world.commune_officer.refresh_from_db()
    assert world.commune_officer.check_password(PASSWORD)


def test_password_reset_mail_is_sent_and_its_link_sets_a_new_password(client, world):
    User.objects.filter(pk=world.commune_officer.pk).update(email="officer@example.vn")
    response = client.post(reverse("accounts:password_reset"), {"email": "officer@example.vn"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "chidao: đặt lại mật khẩu"
    assert "commune_officer" in message.body
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", message.body).group(1)

    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the URL
    form_url = response["Location"]
    assert "Đặt mật khẩu mới" in text_of(client.get(form_url))
    response = client.post(
        form_url,
        {"new_password1": "Mat-khau-moi-2027!", "new_password2": "Mat-khau-moi-2027!"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_complete")

    response = client.post(LOGIN, {"username": "commune_officer", "password": "Mat-khau-moi-2027!"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "Liên kết không hợp lệ" in text_of(client.get(link, follow=True))  # used once only


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- profile -----------------------------------------------------------------------------------


def test_profile_shows_roles_and_two_factor_status(client, world):
    login(client, world.province_admin)
    text = text_of(client.get(reverse("accounts:profile")))
    assert "Thành phố Đà Nẵng" in text and "Quản trị Ban Chỉ đạo" in text
    assert "Đang bật" in text and "Đổi mật khẩu" in text
    assert "Tắt xác thực hai lớp" not in text  # administrators cannot turn it off

    login(client, world.commune_officer)
    text = text_of(client.get(reverse("accounts:profile")))
    assert "Phường Hải Châu" in text and "Chưa bật" in text and "Bật xác thực hai lớp" in text


# --- users and roles ---------------------------------------------------------------------------


def test_province_admin_lists_the_users_of_their_province_only(client, world):
    login(client, world.province_admin)
    text = text_of(client.get(reverse("accounts:user_list")))
    assert "commune_officer" in text and "sibling_officer" in text and "viewer" in text
    assert "outsider" not in text
    assert "Việt Nam" not in text  # the system administrator's grant on the root is not theirs to see


def test_user_list_query_count_does_not_grow_with_users(client, world):
    login(client, world.province_admin)

    def add_users(start: int) -> None:
        for index in range(start, start + 10):
            services.create_user(
                actor=world.province_admin,
                username=f"u{index}",
                full_name=f"U {index}",
                email=f"u{index}@example.vn",
                password="Mot-mat-khau-du-dai-9",
                unit=world.commune_a,
                role=AccessRole.VIEWER,
            )

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("accounts:user_list"))
        assert response.status_code == 200
        return len(ctx)

    add_users(0)
    ten = queries_for_list()
    add_users(10)
    assert queries_for_list() == ten
    assert ten <= 16


def test_officer_sees_an_explanation_instead_of_users(client, world):
    login(client, world.commune_officer)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert "dành cho quản trị viên" in text_of(response)
    assert "sibling_officer" not in text_of(response)
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_province_admin_creates_a_user_with_a_first_role(client, world):
    login(client, world.province_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "lethid",
            "full_name": "Lê Thị D",
            "email": "d@example.vn",
            "password": "Mot-mat-khau-du-dai-9",
            "unit": world.commune_b.pk,
            "role": AccessRole.SECRETARIAT,
        },
    )
    user = User.objects.get(username="lethid")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert RoleGrant.objects.filter(user=user, unit=world.commune_b, role=AccessRole.SECRETARIAT).exists()
    assert "Đã tạo tài khoản Lê Thị D" in text_of(client.get(response["Location"]))


def test_creating_a_user_without_password_sends_a_link(client, world, django_capture_on_commit_callbacks):
    login(client, world.province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_create"),
            {
                "username": "phame",
                "full_name": "Phạm E",
                "email": "e@example.vn",
                "unit": world.commune_a.pk,
                "role": "viewer",
            },
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["e@example.vn"]
    client.logout()
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "Mat-khau-moi-2027!", "new_password2": "Mat-khau-moi-2027!"},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    response = client.post(LOGIN, {"username": "phame", "password": "Mat-khau-moi-2027!"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_create_form_offers_only_units_and_roles_of_the_admin(client, world):
    login(client, world.province_admin)
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert f'value="{world.commune_a.pk}"' in page and f'value="{world.province_a.pk}"' in page
    assert "Tỉnh Quảng Ninh" not in page and "Phường Hạ Long" not in page
    assert 'value="system_admin"' not in page and 'value="committee_admin"' in page
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "x",
            "full_name": "X",
            "email": "x@example.vn",
            "password": "Mot-mat-khau-du-dai-9",
            "unit": world.commune_c.pk,
            "role": "viewer",
        },
    )
    assert response.status_code == 200
    assert "nằm ngoài phạm vi quản trị" in text_of(response)
    assert not User.objects.filter(username="x").exists()


def test_create_form_shows_service_errors_on_their_fields(client, world):
    login(client, world.province_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "x",
            "full_name": "X",
            "email": "",
            "password": "",
            "unit": world.commune_a.pk,
            "role": "viewer",
        },
    )
    assert response.status_code == 200
    assert "Cần thư điện tử để gửi liên kết đặt mật khẩu" in text_of(response)
    assert 'id="id_email_error"' in response.content.decode()


def test_province_admin_grants_a_role_from_the_user_page(client, world):
    login(client, world.province_admin)
    url = reverse("accounts:user_detail", args=[world.sibling_officer.pk])
    response = client.post(url, {"unit": world.commune_a.pk, "role": AccessRole.VIEWER})
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=world.sibling_officer, unit=world.commune_a, role="viewer").exists()
    assert AuditEntry.objects.filter(action="accounts.role.granted", actor=world.province_admin).exists()


def test_duplicate_grant_from_the_page_shows_the_message(client, world):
    login(client, world.province_admin)
    url = reverse("accounts:user_detail", args=[world.commune_officer.pk])
    response = client.post(url, {"unit": world.commune_a.pk, "role": AccessRole.SECRETARIAT})
    assert response.status_code == 200
    assert "đã có vai trò “Thư ký, biên tập” tại Phường Hải Châu" in text_of(response)


def test_system_admin_role_cannot_be_posted_by_a_committee_admin(client, world):
    login(client, world.province_admin)
    url = reverse("accounts:user_detail", args=[world.commune_officer.pk])
    response = client.post(url, {"unit": world.commune_a.pk, "role": AccessRole.SYSTEM_ADMIN})
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(role=AccessRole.SYSTEM_ADMIN, user=world.commune_officer).exists()


def test_province_admin_revokes_a_grant(client, world):
    login(client, world.province_admin)
    grant = RoleGrant.objects.get(user=world.viewer)
    response = client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_list")  # the user left the admin's scope
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="accounts.role.revoked", actor=world.province_admin).exists()


def test_other_province_admin_cannot_see_or_revoke_grants_of_this_province(client, world, other_admin):
    login(client, other_admin)
    grant = RoleGrant.objects.get(user=world.commune_officer)
    assert client.get(reverse("accounts:user_detail", args=[world.commune_officer.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts:user_detail", args=[world.commune_officer.pk]),
            {"unit": world.commune_c.pk, "role": "viewer"},
        ).status_code
        == 404
    )
    assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert "commune_officer" not in text_of(client.get(reverse("accounts:user_list")))
    assert not AuditEntry.objects.filter(action__startswith="accounts.role").exists()


def test_revoke_is_post_only(client, world):
    login(client, world.province_admin)
    grant = RoleGrant.objects.get(user=world.viewer)
    assert client.get(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 405


def test_unit_search_returns_options_for_htmx_and_filters_the_page_without_it(client, world):
    login(client, world.province_admin)
    url = reverse("accounts:user_detail", args=[world.commune_officer.pk])
    response = client.get(url, {"unit_q": "hai chau"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith("<option")
    assert f'<option value="{world.commune_a.pk}">Phường Hải Châu — Thành phố Đà Nẵng</option>' in body
    assert "Thanh Khê" not in body

    assert "Hạ Long" not in client.get(url, {"unit_q": "ha long"}, headers={"HX-Request": "true"}).content.decode()

    page = client.get(url, {"unit_q": "thanh khe"}).content.decode()
    assert "<html" in page and "Phường Thanh Khê" in page and "Phường Hải Châu —" not in page


def test_account_pages_carry_no_inline_styles_or_scripts(client, world):
    login(client, world.province_admin)
    for name, args in [
        ("accounts:profile", []),
        ("accounts:user_list", []),
        ("accounts:user_create", []),
        ("accounts:user_detail", [world.commune_officer.pk]),
        ("accounts:password_change", []),
    ]:
        page = client.get(reverse(name, args=args)).content.decode()
        assert " style=" not in page, name
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), name


def test_django_admin_is_for_system_administrators_only(client, world):
    login(client, world.system_admin)
    assert client.get("/admin/accounts/user/").status_code == 200
    page = client.get(f"/admin/accounts/user/{world.commune_officer.pk}/change/")
    assert page.status_code == 200 and "Phường Hải Châu" in text_of(page)
    assert client.get("/admin/accounts/rolegrant/").status_code == 200
    assert client.get("/admin/accounts/rolegrant/add/").status_code == 403  # grants go through the services
    login(client, world.province_admin)
    assert client.get("/admin/accounts/user/").status_code == 302
