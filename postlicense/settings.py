"""Settings read from the environment (12-factor); README "Configuration" lists the variables, and
deploy/production.env.example is the production environment (tested by `check --deploy`)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("POSTLICENSE_VAR", BASE_DIR.parent / "var"))


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
# An explicit DEBUG=0 is production (deploy/production.env.example): never on the key everyone can read here.
# With DEBUG unset (tests, `make run`'s migrate and demo) the development key is allowed; `check --deploy` flags it.
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and "DEBUG" in os.environ and not DEBUG:
    raise ImproperlyConfigured(
        "DEBUG=0（生产环境）时必须设置 SECRET_KEY 环境变量，不能使用内置的开发密钥。"
        "生成方法：python3 -c 'import secrets; print(secrets.token_urlsafe(50))'（README“生产部署”）"
    )
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "postlicense.core",
    "postlicense.registry",
    "postlicense.inspectors",
    "postlicense.inspections",
    "postlicense.randomcheck",
    "postlicense.followup",
    "postlicense.supervision",
    "postlicense.planning",
    "postlicense.selfservice",
    "postlicense.reports",
    "postlicense.portal",
    "postlicense.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "postlicense.core.middleware.AuditActorMiddleware",
    "postlicense.core.middleware.SessionLimitsMiddleware",
    "postlicense.selfservice.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "postlicense.urls"
WSGI_APPLICATION = "postlicense.wsgi.application"

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
                "postlicense.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'postlicense.sqlite3'}"),
        # Persistent connections (seconds; README "Production"): a PostgreSQL connection per request costs more
        # than most pages; the health check replaces one the database dropped instead of failing a request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's price of a random page read, for every connection (PostgreSQL's default 4 is a spinning
    # disk's; 1.1 is the usual figure for SSD). At 4, a filter with an index ordered by (column, id), such as the
    # register's 高风险 list searched by name, walked the whole primary key newest first instead of the rows
    # of that risk level (docs/registry.md "Pages at a million").
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={float(os.environ.get('PG_RANDOM_PAGE_COST', '1.1'))}"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue (busy timeout) instead of failing with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Covering indexes (INCLUDE, for PostgreSQL's index-only scans) are plain indexes on SQLite: nothing to warn of.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the user's org unit and region with the user (one query instead of three a request).
    "postlicense.core.backends.UserWithUnitBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end 8 hours after login whatever the activity, after SESSION_IDLE_TIMEOUT_MINUTES without a request,
# and when the browser closes (core.middleware.SessionLimitsMiddleware keeps the login and activity times).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", 30))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)

# HTTPS, set in production (README "Production"): behind a reverse proxy that terminates TLS, the proxy's
# header says the request was HTTPS, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    header, _, value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (header.strip(), value.strip())

# One-time passwords (django-otp TOTP, static recovery codes) after the password for superusers and city admins.
REQUIRE_2FA = env_bool("REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "证后监管系统"

# Failed logins are counted per account and, separately, per address across accounts: one address can neither
# lock out every predictable <org>-staff login nor try one password on all of them. Behind TRUSTED_PROXY_COUNT
# reverse proxies the address is the client's from X-Forwarded-For, not the proxy's (else all users share one).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = False  # a success would clear the address's failures on other accounts too

# The UI is Chinese whatever the browser asks for: no LocaleMiddleware, one language. Django's own pages
# (admin, password forms, validation messages, weekday names) then come from its zh_Hans translations.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # what Django's own zh_Hans catalogue lacks
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also creates var/ for the default SQLite file
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (inspection photos, PDFs, signatures) go through the default storage: the local MEDIA_ROOT,
# or any S3-compatible object store (MinIO, 阿里云 OSS, 腾讯云 COS, AWS) when MEDIA_S3_BUCKET is set.
# Files are always served through views that check the jurisdiction, so the bucket stays private.
if os.environ.get("MEDIA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MEDIA_S3_BUCKET"],
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
INSPECTION_ATTACHMENT_MAX_MB = int(os.environ.get("INSPECTION_ATTACHMENT_MAX_MB", 10))
# Days an accepted import's .xlsx is kept after its job finished (`postlicense purge-uploads` then deletes it).
IMPORT_FILE_RETENTION_DAYS = int(os.environ.get("IMPORT_FILE_RETENTION_DAYS", 30))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "postlicense.core.otp.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "证后监管系统 API",
    "DESCRIPTION": "工业产品生产许可证获证企业证后监管系统 REST API",
    "VERSION": "1",
    # Swagger UI and Redoc from our own static files: the CSP allows scripts from 'self' only.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# Serve static files from the apps directly (no collectstatic step for `make run`).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# The audit chain's tip is anchored outside the database by `postlicense audit-anchor` (README "Audit trail").
AUDIT_ANCHOR_PATH = os.environ.get("AUDIT_ANCHOR_PATH", str(VAR_DIR / "audit-anchors.jsonl"))
AUDIT_ANCHOR_SYSLOG = os.environ.get("AUDIT_ANCHOR_SYSLOG", "")  # /dev/log or host:port (UDP)

# Background jobs (core.jobs) on Django's Tasks API: the database backend by default; a distributed backend
# (TASKS_BACKEND) replaces it by settings alone. A job's lease: a worker that stops renewing it for this long is
# taken for dead and its job runs again. The daily run (core.jobs.scheduler) starts after DAILY_AT local time.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
# TASKS_BACKEND=django_tasks_rq.RQBackend puts the queue on Redis (REDIS_URL) through django-rq; `postlicense worker`
# then runs an RQ worker (docs/jobs.md "Queue on Redis"). Jobs may run for hours: RQ's 3-minute default is lifted.
if TASKS_BACKEND.startswith("django_tasks_rq."):
    INSTALLED_APPS.append("django_rq")
RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 6 * 3600}}
JOBS = {
    "LEASE_SECONDS": int(os.environ.get("JOB_LEASE_SECONDS", 60)),
    "WORKER_STALE_SECONDS": int(os.environ.get("JOB_WORKER_STALE_SECONDS", 60)),
    "DAILY_AT": os.environ.get("DAILY_AT", "01:00"),
    # A random check's draw, match and dispatch run as jobs from this many rows (candidates, or drawn enterprises).
    "RANDOMCHECK_ROWS": int(os.environ.get("JOB_RANDOMCHECK_ROWS", 5000)),
    # Exports (lists, random-check lists) of this many rows or more are written by a job and downloaded from its page.
    "EXPORT_ROWS": int(os.environ.get("JOB_EXPORT_ROWS", 5000)),
}

# Daily reminders of each user's to-do list (core.reminders): in-app always; REMINDER_EMAIL=1 also sends e-mail
# through Django's e-mail backend (EMAIL_* below). Items overdue or due within REMINDER_DAYS_AHEAD days are named.
REMINDER_DAYS_AHEAD = int(os.environ.get("REMINDER_DAYS_AHEAD", 3))
REMINDER_SENDERS = ["postlicense.core.reminders.EmailSender"] if os.environ.get("REMINDER_EMAIL") == "1" else []
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "postlicense@localhost")
