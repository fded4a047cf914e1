"""Settings shared by every environment; each value that varies comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("COMMONWEAL_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    # Before django_tasks_db: its `db_worker` command is ours (recovery first).
    "commonweal.core",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "commonweal.tenancy",
    "commonweal.accounts",
    "commonweal.frameworks",
    "commonweal.delivery",
    "commonweal.procurement",
    "commonweal.spend",
    "commonweal.reporting",
    "commonweal.brokerage",
    "commonweal.networks",
    "commonweal.notifications",
    "commonweal.api",
    "commonweal.frontend",
    "commonweal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "commonweal.core.middleware.HeadAsGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "commonweal.api.middleware.ETagMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "commonweal.accounts.middleware.TwoFactorMiddleware",
    "commonweal.api.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "commonweal.frontend.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonweal.frontend.context_processors.service",
                "commonweal.notifications.context_processors.unread",
            ],
        },
    },
]
FORM_RENDERER = "commonweal.frontend.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'commonweal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the task worker use the same file at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# What is shared between processes (docs/deploy.md "Several processes"): sessions and sign-in lockouts are
# in the database; the cache is Redis when CACHE_URL (or REDIS_URL) names one, e.g. redis://127.0.0.1:6379/1,
# and otherwise each process's own memory. Either is right: every cached value is keyed by a version read
# from the database (the budget figures), so a process's own cache never gives another answer, only a
# slower one; a shared cache only saves the work being done once in each process.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "commonweal"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for the password: revokes the person's API tokens whenever their password changes.
    {"NAME": "commonweal.accounts.password_rules.RevokeApiTokensOnPasswordChange"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:home"

# Failed sign-in limit: after this many failures for one email address from one
# address, that pair is locked out for the cool-off period.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, which holds the email address
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# One client address is also locked out after this many failures for any email addresses (password spraying);
# attempts made while locked out are not counted, so retrying does not extend the lock (accounts/lockout.py).
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "commonweal.accounts.lockout.SignInLockoutHandler"
AXES_USERNAME_CALLABLE = "commonweal.accounts.lockout.username_from_request"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

# Two-factor sign-in (accounts/two_factor.py): every member of a public body or a network must use it; anyone
# else may turn it on. Off only where a development server says so (config/settings/dev.py).
TWO_FACTOR_ENFORCED = True
OTP_TOTP_ISSUER = os.environ.get("SERVICE_NAME", "Commonweal")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files (docs/deploy.md): evidence, report PDFs, story images and bid attachments go to "default"; spend
# imports' originals and Parquet files to "spend". Both are local disk (MEDIA_ROOT, SPEND_DATA_DIR) unless
# S3_BUCKET names an S3-compatible bucket, which then holds both, under the prefixes "media/" and "spend/".
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "spend": {"BACKEND": "commonweal.spend.files.SpendFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_storages(bucket: str, environ: dict[str, str]) -> dict[str, dict[str, object]]:
    """The "default" and "spend" storages in an S3-compatible bucket (django-storages), from the environment."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "region_name": environ.get("S3_REGION") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID", ""),
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY", ""),
        "default_acl": None,  # private: files are served only through the application, to those allowed
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "media"}},
        "spend": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "spend", "file_overwrite": True},
        },
    }


if os.environ.get("S3_BUCKET"):
    STORAGES.update(s3_storages(os.environ["S3_BUCKET"], dict(os.environ)))

# Evidence uploads: the largest file accepted and the types accepted (by extension and sniffed content).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
# Spend analysis: one Parquet file per import lives here (the "spend" storage on local disk; with a bucket,
# only the working copies of running imports and DuckDB's spill files), and the largest upload.
SPEND_DATA_DIR = Path(os.environ.get("SPEND_DATA_DIR", VAR_DIR / "spend"))
SPEND_UPLOAD_MAX_BYTES = int(os.environ.get("SPEND_UPLOAD_MAX_BYTES", str(500 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For the file backend (django.core.mail.backends.filebased.EmailBackend): the folder emails are written to.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Commonweal <no-reply@commonweal.localhost>")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Recovering what stopped half way (commonweal/core/recovery.py, docs/security.md "Faults"). A task whose
# worker has ended is recovered at once; one whose worker may be alive on another machine only after
# this long without finishing (the longest task, a national spend file, takes minutes, not hours).
TASK_STALE_SECONDS = int(os.environ.get("TASK_STALE_SECONDS", str(6 * 60 * 60)))
# A task lost with its worker is queued again this many times, then failed (a task that kills its worker).
TASK_RETRIES_MAX = 2
# A spend import beats its heartbeat at every stage; this long without one and it is stale.
SPEND_IMPORT_STALE_SECONDS = int(os.environ.get("SPEND_IMPORT_STALE_SECONDS", str(15 * 60)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commonweal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "commonweal.api.authentication.TokenScopeAllows",
    ],
    # Lists document their filters and ordering, POSTs their Idempotency-Key (commonweal/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "commonweal.api.schema.ListAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "commonweal.api.pagination.ListPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "commonweal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commonweal API",
    "DESCRIPTION": (
        "Agreements, commitments, delivery returns and their review, substitutions, status and reports; "
        "procurement from plan to award; frameworks, value sets and valuations; an organisation's people and "
        "API tokens; spend summaries."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "commonweal.api.schema.error_responses_add",
        "commonweal.api.schema.conventions_add",
    ],
    # The browsable reference (/api/v1/docs/) is Swagger UI from drf-spectacular-sidecar's static files:
    # nothing is fetched from elsewhere, and no validator badge is asked for.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each one inside the operation's button (a control inside a control).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": False, "persistAuthorization": False},
    # One name for a choice set used by several serializers.
    "ENUM_NAME_OVERRIDES": {
        "PerformanceRatingEnum": "commonweal.delivery.models.PerformanceRating",
        "ProcurementStateEnum": "commonweal.procurement.models.ProcurementState",
        "BidStateEnum": "commonweal.procurement.models.BidState",
        "CriterionKindEnum": "commonweal.procurement.models.CriterionKind",
        "FlagKindEnum": "commonweal.procurement.models.FlagKind",
        "FlagDecisionEnum": "commonweal.procurement.models.FlagDecision",
        "AgreementKindEnum": "commonweal.delivery.models.AgreementKind",
        "ReviewDecisionEnum": ["verified", "rejected", "queried"],
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

SERVICE_NAME = os.environ.get("SERVICE_NAME", "Commonweal")
SERVICE_PHASE = "alpha"
SERVICE_FEEDBACK_EMAIL = os.environ.get("SERVICE_FEEDBACK_EMAIL", "feedback@commonweal.localhost")
# The site's address, for links in emails sent outside a request (reminders from the task worker or cron).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# The Open Contracting ID prefix of OCDS exports; a publisher registers its own with the OCDS helpdesk.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-commonweal")
# ONS ward boundaries (one gzipped GeoJSON per district) that the public hub's map is drawn from; the hub
# shows its place table alone when a district's file is not here.
BOUNDARIES_DIR = Path(os.environ.get("BOUNDARIES_DIR", BASE_DIR.parent / "shared" / "data" / "uk-boundaries"))
# Responses a consultation accepts from one address in an hour (spam resistance without a CAPTCHA service).
CONSULTATION_RESPONSES_PER_HOUR = int(os.environ.get("CONSULTATION_RESPONSES_PER_HOUR", 5))
# The largest image accepted for a public story.
STORY_IMAGE_MAX_BYTES = int(os.environ.get("STORY_IMAGE_MAX_BYTES", 5 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
