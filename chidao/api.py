"""The REST API: one NinjaAPI mounting each app's router, documented at /api/docs."""

from ninja import NinjaAPI
from ninja.security import django_auth

from chidao.audit.api import router as audit_router
from chidao.org.api import router as org_router

api = NinjaAPI(
    title="chidao API",
    version="1",
    description="API của hệ thống điều hành công việc Ban Chỉ đạo. Đăng nhập bằng phiên (session) và CSRF.",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/", org_router)
api.add_router("/audit", audit_router)
