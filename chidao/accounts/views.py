"""Account pages: sign-in and its second factor, passwords, profile, users and roles."""

from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from chidao.accounts import forms, queries, services
from chidao.accounts.models import User
from chidao.forms import apply_errors
from chidao.org.scope import ScopeDenied

BACKUP_CODES_SESSION_KEY = "accounts_new_backup_codes"


def _safe_next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(default)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


# --- sign-in -----------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in; users with a second factor continue to the code page, administrators
    without one to enrolment, keeping `next`."""

    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if user_has_device(user):
            return HttpResponseRedirect(_with_next("accounts:otp_verify", self.get_success_url()))
        if user.requires_two_factor():
            return HttpResponseRedirect(_with_next("accounts:otp_setup", self.get_success_url()))
        return response


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
        return redirect(next_url)
    if not user_has_device(user):
        return redirect(_with_next("accounts:otp_setup", next_url) if user.requires_two_factor() else next_url)
    form = forms.TokenForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.verify_second_factor(user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _qr_svg(data: str) -> SafeString:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    svg = image.to_string(encoding="unicode")
    label = escape(_("Mã QR để thêm tài khoản vào ứng dụng xác thực"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr-code" ', 1)
    # Our own generated markup: numbers and path data only, no user input.
    return mark_safe(svg)  # noqa: S308


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request, default="accounts:profile")
    # Enrolling a new device while a confirmed one exists needs the old one first: the /account/otp/
    # paths are open to unverified sessions, and a password alone must not replace a second factor.
    if user_has_device(user) and not user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return redirect(_with_next("accounts:otp_verify", request.get_full_path()))
    device = services.start_totp_enrolment(actor=user)
    form = forms.ConfirmDeviceForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.confirm_totp_device(actor=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            otp_login(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(_with_next("accounts:otp_backup_codes", next_url))
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _device_secret(device),
        "next": next_url,
        "status": queries.two_factor_status(user),
    }
    return render(request, "accounts/otp_setup.html", context)


def _device_secret(device: Any) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """Show freshly made backup codes once; POST makes a new set."""
    user = _user(request)
    if request.method == "POST":
        if not user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
            raise PermissionDenied
        try:
            request.session[BACKUP_CODES_SESSION_KEY] = services.regenerate_backup_codes(actor=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:profile")
        return redirect("accounts:otp_backup_codes")
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    context = {"codes": codes, "next": _safe_next(request, default="accounts:profile")}
    return render(request, "accounts/otp_backup_codes.html", context)


@login_required
def otp_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = queries.two_factor_status(user)
    if not status.enabled:
        return redirect("accounts:profile")
    if not user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return redirect(_with_next("accounts:otp_verify", request.get_full_path()))
    form = forms.PasswordConfirmForm(request.POST or None)
    if not status.required and form.is_valid():
        try:
            services.disable_two_factor(actor=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã tắt xác thực hai lớp."))
            return redirect("accounts:profile")
    return render(request, "accounts/otp_disable.html", {"form": form, "status": status})


# --- passwords ---------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        services.change_password(actor=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        services.change_password(actor=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


password_change = PasswordChangeView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=forms.PasswordResetForm,
    email_template_name="accounts/email/password_reset_body.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    token_generator=default_token_generator,
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# --- profile -----------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "grants": queries.grants_of(user),
        "status": queries.two_factor_status(user),
        "can_manage_users": queries.can_manage_users(user),
    }
    return render(request, "accounts/profile.html", context)


# --- users and roles ---------------------------------------------------------------------------


def _require_admin(request: HttpRequest) -> User:
    user = _user(request)
    if not queries.can_manage_users(user):
        raise ScopeDenied(_("Trang này dành cho quản trị viên Ban Chỉ đạo."))
    return user


def _unit_options(request: HttpRequest, actor: User) -> HttpResponse | None:
    """For htmx unit searches: only the <option>s of the unit select."""
    if request.htmx and "unit_q" in request.GET:  # type: ignore[attr-defined]  # django-htmx middleware
        units = queries.unit_shortlist(actor, search=request.GET["unit_q"])
        return render(request, "accounts/unit_search.html#unit-options", {"units": units})
    return None


def _unit_form_kwargs(request: HttpRequest, actor: User) -> dict[str, Any]:
    return {
        "units": queries.grantable_units(actor),
        "shortlist": queries.unit_shortlist(
            actor,
            search=request.GET.get("unit_q", ""),
            selected=request.POST.get("unit"),
        ),
        "roles": queries.assignable_roles(actor),
    }


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Users holding roles in the subtrees the caller administers; empty for everyone else."""
    actor = _user(request)
    search = request.GET.get("q", "")
    page = Paginator(queries.managed_users(actor, search=search), 50).get_page(request.GET.get("page"))
    context = {
        "can_manage_users": queries.can_manage_users(actor),
        "page_obj": page,
        "users": page.object_list,
        "q": search,
        "querystring_base": urlencode({"q": search}) + "&" if search else "",
    }
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx middleware
        return render(request, "accounts/user_list.html#rows", context)
    return render(request, "accounts/user_list.html", context)


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    if (options := _unit_options(request, actor)) is not None:
        return options
    form = forms.UserCreateForm(request.POST or None, **_unit_form_kwargs(request, actor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=actor,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"] or None,
                unit=data["unit"],
                role=data["role"],
                site_domain=request.get_host(),
                use_https=request.is_secure(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except ScopeDenied as exc:
            form.add_error(None, str(exc))
        else:
            if data["password"]:
                messages.success(request, _("Đã tạo tài khoản %(user)s.") % {"user": user})
            else:
                messages.success(
                    request,
                    _("Đã tạo tài khoản %(user)s và gửi liên kết đặt mật khẩu tới %(email)s.")
                    % {"user": user, "email": user.email},
                )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_create.html",
        {"form": form, "unit_q": request.GET.get("unit_q", "")},
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A managed user's grants within the admin's subtree, with the form to grant another role."""
    actor = _require_admin(request)
    subject = queries.get_managed_user_or_404(actor, pk)
    if (options := _unit_options(request, actor)) is not None:
        return options
    form = forms.GrantForm(request.POST or None, **_unit_form_kwargs(request, actor))
    if form.is_valid():
        try:
            services.grant_role(
                actor=actor,
                user=subject,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except ScopeDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã cấp quyền cho %(user)s.") % {"user": subject})
            return redirect("accounts:user_detail", pk=subject.pk)
    context = {
        "subject": subject,
        "grants": subject.visible_grants,  # type: ignore[attr-defined]  # prefetched by managed_users
        "form": form,
        "unit_q": request.GET.get("unit_q", ""),
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require_admin(request)
    grant = queries.get_managed_grant_or_404(actor, pk)
    try:
        services.revoke_role(actor=actor, grant=grant)
    except (ValidationError, ScopeDenied) as exc:
        messages.error(
            request,
            " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc),
        )
    else:
        messages.success(
            request,
            _("Đã thu hồi vai trò “%(role)s” tại %(unit)s của %(user)s.")
            % {
                "role": grant.get_role_display(),
                "unit": grant.unit.name,
                "user": grant.user,
            },
        )
    if queries.managed_users(actor).filter(pk=grant.user_id).exists():
        return redirect("accounts:user_detail", pk=grant.user_id)
    return redirect("accounts:user_list")


# --- API tokens ----------------------------------------------------------------------------------


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; a new token's secret is shown once, on the page that creates it."""
    user = _user(request)
    form = forms.ApiTokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        if not user.is_verified() and user_has_device(user):  # type: ignore[attr-defined]  # OTPMiddleware
            raise ScopeDenied(_("Hãy xác thực hai lớp trước khi tạo khóa API."))
        try:
            _token, secret = services.create_api_token(actor=user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = forms.ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "secret": secret, "tokens": queries.api_tokens_of(user)},
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = queries.api_token_or_404(user, pk)
    services.revoke_api_token(actor=user, token=token)
    messages.success(request, _("Đã thu hồi khóa “%(name)s”.") % {"name": token.name})
    return redirect("accounts:api_tokens")
