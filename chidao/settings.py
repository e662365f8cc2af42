"""chidao settings: one module, configured from the environment.

Embedded default: SQLite under var/, a secret key generated and kept under var/, DEBUG off.
Production: DATABASE_URL=postgres://..., SECRET_KEY, ALLOWED_HOSTS, CHIDAO_PRODUCTION=1.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHIDAO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("CHIDAO_PRODUCTION")
DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when CHIDAO_PRODUCTION=1")
    # Embedded default: generate once and keep it beside the SQLite database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "chidao.accounts",
    "chidao.org",
    "chidao.audit",
    "chidao.reporting",
    "chidao.meetings",
    "chidao.tasks",
    "chidao.schedule",
    "chidao.documents",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "chidao.accounts.middleware.SlidingSessionMiddleware",
    "chidao.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chidao.audit.middleware.RequestContextMiddleware",
    "chidao.accounts.middleware.RequireTwoFactorMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chidao.urls"
WSGI_APPLICATION = "chidao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chidao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chidao.org.context_processors.current_unit",
                "chidao.tasks.context_processors.notifications",
                "chidao.navigation.nav_urls",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django_htmx.templatetags.django_htmx",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'chidao.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tree and scope queries are index joins over the unit closure table; with PostgreSQL's
    # default random_page_cost (4, tuned for spinning disks) the planner scans the unit table
    # instead. 1.1 is the usual value for SSD storage; PG_RANDOM_PAGE_COST overrides it.
    # JIT compilation is off: it pays off for queries running seconds, and the web pages' queries
    # run milliseconds. A search walking the newest entries with LIMIT 20 is estimated at the cost
    # of the whole table, so the server spent ~110 ms compiling a 20 ms query. PG_JIT=on restores it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')} -c jit={os.environ.get('PG_JIT', 'off')}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
OTP_TOTP_ISSUER = "chidao"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
# Lock a username per client address: offices share one public IP, so never lock an address alone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle timeout: a session is saved again at most every SESSION_TOUCH_INTERVAL seconds while in use
# (chidao.accounts.middleware.SlidingSessionMiddleware), not on every request.
SESSION_TOUCH_INTERVAL = int(os.environ.get("SESSION_TOUCH_INTERVAL", "300"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "chidao" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("bootstrap", xstatic_bootstrap.BASE_DIR), BASE_DIR / "chidao" / "static"]
# Bulk API writes (100,000 values as JSON is about 4 MB) and Excel uploads; Django's default is 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(20 * 1024 * 1024)))
# Largest file attached to a meeting (agenda documents, minutes).
MEETING_UPLOAD_MAX_BYTES = int(os.environ.get("MEETING_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
DOCUMENTS_UPLOAD_MAX_BYTES = int(os.environ.get("DOCUMENTS_UPLOAD_MAX_BYTES", str(30 * 1024 * 1024)))
# Largest file attached to a task; reminders' defaults (each user may change theirs).
TASKS_ATTACHMENT_MAX_BYTES = int(os.environ.get("TASKS_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
TASKS_REMINDER_DAYS_BEFORE = int(os.environ.get("TASKS_REMINDER_DAYS_BEFORE", "3"))
TASKS_REMINDER_DAILY_DIGEST = env_bool("TASKS_REMINDER_DAILY_DIGEST")
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chidao@localhost")
if os.environ.get("EMAIL_HOST") or PRODUCTION:
    # Production sends real mail: EMAIL_HOST (default: the local MTA on localhost:25).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587" if os.environ.get("EMAIL_HOST") else "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(os.environ.get("EMAIL_HOST"))),
            },
        }
    }
else:
    # Embedded default: messages (password reset...) are printed on the console.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work. The embedded default and the tests run tasks at once, in the request.
# TASKS_BACKEND=db stores them in the database (django-tasks-db) for `chidao db_worker`
# processes, any number on any machine sharing the PostgreSQL database: the production setting.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "db": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}

# Uploaded files go through Django's storage API: the local disk (CHIDAO_VAR_DIR/media) by default,
# or another storage backend, e.g. S3-compatible object storage through django-storages
# (MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage, its options as JSON in MEDIA_STORAGE_OPTIONS).
MEDIA_STORAGE = {
    "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS") or "{}"),
}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    STORAGES = {
        "default": MEDIA_STORAGE,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
