"""Settings for opencraft_ops, read from environment variables.

One file for every environment. Each value comes from the environment through
the strict readers in ``opencraft_ops.env``; ``.env.example`` lists them all.
With nothing set you get the embedded demo: SQLite, Celery tasks run eagerly,
DEBUG on. Production sets ``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY``,
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from opencraft_ops.env import (
    env_bool,
    env_decimal,
    env_int,
    env_list,
    env_mapping,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_celery_beat",
    "roles",
    "sprints",
    "epics",
    "rotations",
    "sustainability",
    "duties",
    "sync",
    "handbook",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "opencraft_ops.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencraft_ops.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "opencraft_ops.wsgi.application"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: the console in the demo, SMTP in production (EMAIL_URL-style settings kept simple).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "opencraft-ops@localhost")
PORTAL_BASE_URL = env_url("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Production hardening: `manage.py check --deploy` passes with DJANGO_DEBUG=0.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# History pages in the admin are read-only: no "revert to this version".
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opencraft_ops.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "opencraft_ops API",
    "DESCRIPTION": "Members, cells, roles, rotations, sprints, epics, worklogs and the "
    "figures computed from them. Authenticate with a session or `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name for choice sets used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "EpicStatusEnum": "epics.models.EpicStatus",
        "BudgetKindEnum": "epics.models.BudgetKind",
        "RotationKindEnum": "rotations.models.RotationKind",
    },
    # Swagger UI and Redoc served from our own static files (works offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
# The demo runs every task inline; production runs workers and beat.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", DEBUG)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives in opencraft_ops/beat.py; role holders edit it in the admin.

# --- Cache (locks for "one sync per source at a time") ------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if env_bool("CACHE_USE_REDIS", not DEBUG)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Integrations (JIRA and Tempo). Empty base URLs switch the sync off. -------
JIRA_BASE_URL = env_url("JIRA_BASE_URL")
JIRA_USER = env_str("JIRA_USER")
JIRA_API_TOKEN = env_str("JIRA_API_TOKEN")
JIRA_FIELD_STORY_POINTS = env_str("JIRA_FIELD_STORY_POINTS", "Story Points")
JIRA_FIELD_SPRINT = env_str("JIRA_FIELD_SPRINT", "Sprint")
JIRA_FIELD_REVIEWER = env_str("JIRA_FIELD_REVIEWER", "Reviewer")
JIRA_FIELD_ACCOUNT = env_str("JIRA_FIELD_ACCOUNT", "Account")
JIRA_FIELD_EPIC_LINK = env_str("JIRA_FIELD_EPIC_LINK", "Epic Link")
TEMPO_BASE_URL = env_url("TEMPO_BASE_URL")
TEMPO_API_TOKEN = env_str("TEMPO_API_TOKEN")
# Tempo account category key or name -> our category (client, internal_non_cell, internal_cell).
TEMPO_ACCOUNT_CATEGORIES = env_mapping(
    "TEMPO_ACCOUNT_CATEGORIES",
    {"CLIENT": "client", "NONCELL": "internal_non_cell", "CELL": "internal_cell"},
)
HTTP_TIMEOUT_SECONDS = env_int("HTTP_TIMEOUT_SECONDS", 30, minimum=1)
# Longest wait between two retries of a 429/5xx (Retry-After is honoured up to this).
HTTP_MAX_RETRY_DELAY_SECONDS = env_int("HTTP_MAX_RETRY_DELAY_SECONDS", 60, minimum=1)
# Each feed's next run starts this long before the newest change it saw (Tempo indexes edits late).
SYNC_WATERMARK_OVERLAP_MINUTES = env_int("SYNC_WATERMARK_OVERLAP_MINUTES", 10, minimum=0)
# How many skipped records a run lists by name (its counters and the reconciliation see them all).
SYNC_MAX_STORED_SKIPS = env_int("SYNC_MAX_STORED_SKIPS", 200, minimum=0)

# --- Domain defaults (each also a per-cell or admin-editable setting where SPEC says so)
SPRINT_EPOCH_START = env_str("SPRINT_EPOCH_START", "2019-01-01")  # a Tuesday: sprint 1 starts here
SPRINT_INJECTION_CUTOFF_DAY = env_int("SPRINT_INJECTION_CUTOFF_DAY", 11, minimum=1)
# Duties: how far back the opener catches up after downtime; the local hour of the daily digest.
DUTIES_CATCH_UP_DAYS = env_int("DUTIES_CATCH_UP_DAYS", 42, minimum=0)
DUTIES_DIGEST_HOUR = env_int("DUTIES_DIGEST_HOUR", 8, minimum=0)
# Review hours a reviewer keeps per ticket by story points (sprints.calculations.capacity).
SPRINT_REVIEW_HOURS = env_str("SPRINT_REVIEW_HOURS", "none=2,1.9=0.5,2=1,3=2,5=3,more=5")
# Ticket statuses that do not spill over when the sprint ends.
SPRINT_FINISHED_STATUSES = env_list(
    "SPRINT_FINISHED_STATUSES", ["Done", "Deployed & Delivered", "External Review"]
)
COMPANY_NON_BILLABLE_LIMIT = env_decimal("COMPANY_NON_BILLABLE_LIMIT", Decimal("0.40"))
# Sustainability: reference period start when a cell has no target yet, budget alert
# thresholds (percent of the budget), the community relations account(s), the
# sprint-firefighter ticket(s) (by key or label) and the late-worklog look-back.
SUSTAINABILITY_REFERENCE_START = env_str("SUSTAINABILITY_REFERENCE_START", "2019-01-01")
try:
    SUSTAINABILITY_BUDGET_THRESHOLDS = sorted(
        Decimal(v) for v in env_list("SUSTAINABILITY_BUDGET_THRESHOLDS", ["80", "100"])
    )
except ArithmeticError as exc:
    raise ImproperlyConfigured("SUSTAINABILITY_BUDGET_THRESHOLDS must be percentages, e.g. 80,100.") from exc
if not SUSTAINABILITY_BUDGET_THRESHOLDS:
    raise ImproperlyConfigured("SUSTAINABILITY_BUDGET_THRESHOLDS needs at least one percentage.")
SUSTAINABILITY_COMMUNITY_ACCOUNT_KEYS = env_list("SUSTAINABILITY_COMMUNITY_ACCOUNT_KEYS", ["CR", "COMMUNITY"])
SUSTAINABILITY_FIREFIGHTER_TICKET_KEYS = env_list("SUSTAINABILITY_FIREFIGHTER_TICKET_KEYS")
SUSTAINABILITY_FIREFIGHTER_LABEL = env_str("SUSTAINABILITY_FIREFIGHTER_LABEL", "sprint-firefighter")
SUSTAINABILITY_LATE_LOOKBACK_DAYS = env_int("SUSTAINABILITY_LATE_LOOKBACK_DAYS", 14, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
