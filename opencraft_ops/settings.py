"""Settings for opencraft_ops, read from environment variables.

One file for every environment. Each value comes from the environment through
the strict readers in ``opencraft_ops.env``; ``.env.example`` lists them all.
With nothing set you get the embedded demo: SQLite, Celery tasks run eagerly,
DEBUG off: the portal fails closed. ``make run`` and the test suite ask for
DEBUG explicitly (``DJANGO_DEBUG=1``; the tests and mypy through ``opencraft_ops.dev_settings``);
everything else is production and must set ``DJANGO_SECRET_KEY`` (50+ random
characters), ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL``. docs/operations.md lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from opencraft_ops import formats
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

# Off unless asked for: a deployment that forgets a variable refuses to start below
# instead of serving the development secret or debug pages.
DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
MIN_SECRET_KEY_LENGTH = 50
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
# Rotating the secret: the old one goes here for as long as its sessions and reset links should last.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG:
    _HINT = "(DJANGO_DEBUG=1 is for development only; docs/operations.md lists the production variables)"
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off {_HINT}.")
    if SECRET_KEY == _DEV_SECRET:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is the development key: set a secret of your own {_HINT}."
        )
    if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is too short: use {MIN_SECRET_KEY_LENGTH} or more random characters, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(64))"`.'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            f"DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off: the host names the portal "
            f"answers to, comma-separated (e.g. ops.example.com) {_HINT}."
        )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The admin with the portal's own site: role holders as well as staff (docs/access.md).
    "roles.admin_config.OpsAdminConfig",
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
    "csp",
    "django_celery_beat",
    "axes",
    "findings",
    "roles",
    "notifications",
    "sprints",
    "epics",
    "rotations",
    "sustainability",
    "estimation",
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
    # The signed-in member's own time zone for the whole request (roles/middleware.py).
    "roles.middleware.MemberTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
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
                "csp.context_processors.nonce",
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
# django-axes first (refuses locked-out credentials before any password is checked), then
# the model backend that refuses members from their left_on day (docs/access.md).
AUTHENTICATION_BACKENDS = [
    "roles.auth.LockoutBackend",
    "roles.auth.MemberBackend",
]
# Brute force: this many wrong passwords for one username from one address lock both the
# login page and /api/token/ for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "opencraft_ops.refusals.lockout_response"
AXES_VERBOSE = False
# API tokens older than this are refused; POST /api/token/ then hands out a new one.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90, minimum=1)
CSRF_FAILURE_VIEW = "opencraft_ops.refusals.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# One date and one date-time format on every page and in the admin (opencraft_ops/formats).
FORMAT_MODULE_PATH = ["opencraft_ops.formats"]
DATE_FORMAT = formats.DATE_FORMAT
DATETIME_FORMAT = formats.DATETIME_FORMAT
TIME_FORMAT = formats.TIME_FORMAT
SHORT_DATE_FORMAT = formats.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = formats.SHORT_DATETIME_FORMAT
YEAR_MONTH_FORMAT = formats.YEAR_MONTH_FORMAT
MONTH_DAY_FORMAT = formats.MONTH_DAY_FORMAT

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
    # Load balancers probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): our own origin only; no inline script or style.
# The pages keep their JavaScript and CSS in static/; a template that needs an inline
# block gives it ``nonce="{{ CSP_NONCE }}"``. The hash admits the one inline
# <style> of Django's admin change list (shown when a model has no actions).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# History pages in the admin are read-only: no "revert to this version".
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous call answers 401 with ``WWW-Authenticate: Token``.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: an anonymous call answers 401 with WWW-Authenticate: Token.
        "roles.auth.MemberTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "opencraft_ops.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_FILTER_BACKENDS": [
        "opencraft_ops.api_router.BoundedFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opencraft_ops.api_errors.exception_handler",
}
# Webhooks go to https URLs of public hosts only; tests (and a local receiver during
# development) may allow loopback targets, http included.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)

SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opencraft_ops.api_schema.add_error_responses",
    ],
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
# Workers and beat log through LOGGING below (plain or JSON), like the web processes.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The beat schedule's defaults live in opencraft_ops/beat.py; this scheduler creates the
# missing entries in the database and never overwrites one a role holder has edited.
CELERY_BEAT_SCHEDULER = "opencraft_ops.beat_scheduler:Scheduler"
# Beat writes each entry's last run to the database after every task it sends, so the
# heartbeat entry's last run is beat's last tick (read by /healthz).
CELERY_BEAT_SYNC_EVERY = 1
# Queues named for their work; a deployment runs sync workers on other machines with
# `celery -A opencraft_ops worker -Q sync` (docs/operations.md).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "sync.*": {"queue": "sync"},
    "duties.tasks.send_digest": {"queue": "notifications"},
    "duties.tasks.send_digests": {"queue": "notifications"},
    "rotations.tasks.webhook_deliver": {"queue": "notifications"},
    "rotations.tasks.send_due_webhooks": {"queue": "notifications"},
    "rotations.tasks.sprint_started_notify": {"queue": "notifications"},
    "sustainability.tasks.send_alerts": {"queue": "notifications"},
    "sprints.post_epic_update": {"queue": "notifications"},
}

# Findings (docs/findings.md): writes to a cell queue one evaluation of it this many seconds
# later (a burst of writes costs one); chat webhooks get this timeout and these attempts.
FINDINGS_DEBOUNCE_SECONDS = env_int("FINDINGS_DEBOUNCE_SECONDS", 30, minimum=0)
NOTIFICATIONS_TIMEOUT_SECONDS = env_int("NOTIFICATIONS_TIMEOUT_SECONDS", 5, minimum=1)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5, minimum=1)

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
# Custom fields: empty finds each by its type (story points: both Jira Software flavours; the
# reviewer: a user picker named "Reviewer"); a field id (customfield_10016) or name pins it.
# `manage.py integrations_check` lists what will be read (docs/sync.md).
JIRA_FIELD_STORY_POINTS = env_str("JIRA_FIELD_STORY_POINTS", "")
JIRA_FIELD_SPRINT = env_str("JIRA_FIELD_SPRINT", "")
JIRA_FIELD_REVIEWER = env_str("JIRA_FIELD_REVIEWER", "")
JIRA_FIELD_ACCOUNT = env_str("JIRA_FIELD_ACCOUNT", "")
JIRA_FIELD_EPIC_LINK = env_str("JIRA_FIELD_EPIC_LINK", "")
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

# --- Operations: /healthz thresholds, logs, error reporting ---------------------
# /healthz answers 503 when beat has not ticked, or a configured source has not synced,
# for longer than these.
HEALTHZ_BEAT_MAX_AGE_SECONDS = env_int("HEALTHZ_BEAT_MAX_AGE_SECONDS", 300, minimum=1)
HEALTHZ_SYNC_MAX_AGE_SECONDS = env_int("HEALTHZ_SYNC_MAX_AGE_SECONDS", 3600, minimum=1)

LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "opencraft_ops.logs.JsonFormatter"},
    },
    # Calendar feed tokens (secrets in URLs) are masked in every log line.
    "filters": {"redact": {"()": "opencraft_ops.log_filters.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]}
    },
    "loggers": {
        "django.request": {"filters": ["redact"]},
        "django.server": {"filters": ["redact"]},
        # django-axes logs every sign-in at INFO; lockouts come at WARNING.
        "axes": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Errors to Sentry when SENTRY_DSN is set (sentry-sdk; off otherwise).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_decimal("SENTRY_TRACES_SAMPLE_RATE", Decimal("0"))),
        send_default_pii=False,
    )
