from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

EXEMPT_PREFIXES = (
    "/static/",
    "/account/otp/",
    "/account/logout/",
    "/i18n/",
    "/account/password-reset/",
    "/favicon",
    "/calendar/feed/cal_",
)


class RequireTwoFactorMiddleware:
    """Ask for the TOTP code after the password when the user has a device, and make
    administrators enrol one before they can do anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = user.is_authenticated and user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
        if user.is_authenticated and not verified and not request.path.startswith(EXEMPT_PREFIXES):
            from django_otp import user_has_device

            if user_has_device(user):
                target, message = "accounts:otp_verify", _("Hãy nhập mã xác thực hai lớp.")
            elif user.requires_two_factor():
                target, message = "accounts:otp_setup", _("Tài khoản quản trị phải bật xác thực hai lớp.")
            else:
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            return redirect(target)
        return self.get_response(request)
