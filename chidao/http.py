"""Request types for views: an authenticated user (login_required) and django-htmx details."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from chidao.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
