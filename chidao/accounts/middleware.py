from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
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


TOUCHED_KEY = "_touched"


class SlidingSessionMiddleware(SessionMiddleware):
    """Django's session middleware with an idle timeout that slides without a write per request.

    A session expires `SESSION_COOKIE_AGE` seconds after it was last saved. Saving on every
    request (`SESSION_SAVE_EVERY_REQUEST`) keeps that an idle timeout but costs a write
    transaction on every page view. Here a session that was read is saved again only when it is
    modified or when its last save is more than `SESSION_TOUCH_INTERVAL` seconds old, so the idle
    timeout stays within that interval of `SESSION_COOKIE_AGE` and a busy user writes the session
    once every few minutes instead of on every click."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if session.modified or now - int(session.get(TOUCHED_KEY, 0)) >= settings.SESSION_TOUCH_INTERVAL:
                session[TOUCHED_KEY] = now  # marks the session modified: saved with a new expiry
        return super().process_response(request, response)


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
