"""The site's URLs plus the calendar API router on a test API at /calendar-api/, with the site API's
authentication and error handlers, so the router is tested the way chidao/api.py serves it,
whether or not the site API mounts it yet."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from chidao.api import ApiTokenAuth, not_found, permission_denied, validation_error
from chidao.schedule.api import router
from chidao.urls import urlpatterns as site_urlpatterns

test_api = NinjaAPI(urls_namespace="calendar-test", auth=[ApiTokenAuth(), django_auth])
test_api.add_exception_handler(ValidationError, validation_error)
test_api.add_exception_handler(PermissionDenied, permission_denied)
test_api.add_exception_handler(Http404, not_found)
test_api.add_router("/calendar", router)

urlpatterns = [path("calendar-api/", test_api.urls), *site_urlpatterns]
