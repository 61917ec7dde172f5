"""Settings for Badge Console, read from the environment so one build runs anywhere.

DATABASE_URL chooses the database (SQLite file in the project by default, PostgreSQL in
production); BADGES_API_* choose which badge API the console talks to; BADGES_HTTPS=true switches
on everything a deployment behind HTTPS needs (`manage.py check --deploy` is clean with it).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from console import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "badges_api",
    "badges_ui",
]

MIDDLEWARE = [
    # First, so even Django's own error pages on API paths leave as the Capillary envelope.
    "badges_api.api.handlers.ApiEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# API paths run only these (badges_api/api/dispatch.py): stateless, header-authenticated JSON
# calls need none of the console's sessions, CSRF, users, messages, htmx or static files.
BADGES_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"
ASGI_APPLICATION = "console.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# Well above what one commit writes (a 100,000-customer earnBulk: about 20,000 pages), so a
# request's commit never pays for copying the WAL back (350-750 ms at that size, fsync included);
# servers leave that to their background thread, other processes to this threshold or to close.
SQLITE_AUTOCHECKPOINT_PAGES = int(os.environ.get("SQLITE_AUTOCHECKPOINT_PAGES", "100000"))
SQLITE_CHECKPOINT_INTERVAL_SECONDS = float(
    os.environ.get("SQLITE_CHECKPOINT_INTERVAL_SECONDS", "1.0")
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;"
            " PRAGMA mmap_size=268435456;"
            # Servers checkpoint the WAL from a background thread (badges_api/sqlite_wal.py) so
            # no request pays for it; this threshold is the safety net.
            f" PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES};"
        ),
    }
    # A SQLite connection holds no server resources, only its page cache and memory map: closing it
    # every minute (the PostgreSQL default above) threw a warm cache away for nothing.
    if "DB_CONN_MAX_AGE" not in os.environ:
        DATABASES["default"]["CONN_MAX_AGE"] = None
    # Tests use a file, not Django's shared in-memory database, so live-server threads get their
    # own connections and concurrency tests see SQLite's real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}

# Signs sessions, CSRF tokens and OAuth tokens. Without SECRET_KEY in the environment, a random key
# is made on first start and kept in SECRET_KEY_FILE (default: `<database file>.secret-key` beside a
# SQLite database, `<project>/.secret-key-<database name>` for PostgreSQL), so a laptop needs no
# setup and nobody else knows the key. A key ever committed to the repository refuses to start.
SECRET_KEY_FILE = Path(
    os.environ.get("SECRET_KEY_FILE") or secret_key.default_key_file(BASE_DIR, DATABASES["default"])
)
try:
    SECRET_KEY = secret_key.secret_key(os.environ, SECRET_KEY_FILE)
except secret_key.CommittedSecretKey as refused:
    raise ImproperlyConfigured(str(refused)) from None

# Behind HTTPS (BADGES_HTTPS=true): HTTP is redirected, browsers are told to use HTTPS only
# (HSTS), and cookies never travel in clear. API paths get the same through SecurityMiddleware in
# BADGES_API_MIDDLEWARE. Each part can be overridden on its own.
BADGES_HTTPS = env_bool("BADGES_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BADGES_HTTPS)
ONE_YEAR_SECONDS = 365 * 24 * 3600
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS") or (ONE_YEAR_SECONDS if BADGES_HTTPS else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", BADGES_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", BADGES_HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", BADGES_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", BADGES_HTTPS)
# A proxy that ends TLS says so in X-Forwarded-Proto; trust it only when told the proxy sets it
# (otherwise any client could claim HTTPS), or the redirect to HTTPS would never end.
if env_bool("BADGES_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "badges_ui:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "badges_ui:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# The longest URL (path and query, as sent) an API call may have; longer ones are answered 414 with
# the envelope. Below gunicorn's most (limit_request_line 8190 in gunicorn.conf.py, which counts
# the method and protocol too), so every such URL reaches the service.
BADGES_API_MAX_URL_BYTES = int(os.environ.get("BADGES_API_MAX_URL_BYTES", "8000"))

# Badge API bodies are JSON; bulk requests carry up to 100,000 customer ids.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(8 * 1024 * 1024))
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["badges_api.auth.CapillaryAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["badges_api.api.rendering.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["badges_api.api.rendering.OrjsonParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "badges_api.api.rendering.JsonFirstNegotiation",
    "EXCEPTION_HANDLER": "badges_api.api.envelope.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Badge Console badge API",
    "DESCRIPTION": (
        "A Capillary-compatible badge service. Every response is the envelope "
        '`{"data", "errors", "warnings"}`; errors carry Capillary codes.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# How the badge service signs OAuth tokens and how long they live (Capillary: at most 60 minutes).
BADGES_OAUTH_TTL_SECONDS = int(os.environ.get("BADGES_OAUTH_TTL_SECONDS", "3600"))
# How long a worker may trust a checked credential (a deactivated client keeps working at most this
# long). Off under pytest so tests that change clients and orgs see it at once.
BADGES_AUTH_CACHE_SECONDS = float(
    os.environ.get("BADGES_AUTH_CACHE_SECONDS", "0" if os.environ.get("PYTEST_VERSION") else "5")
)

# How often a server process re-checks that its cached, ranked badge catalogue (the customer
# views' hot path) is still current with changes made by other processes.
BADGES_CATALOGUE_REVALIDATE_SECONDS = float(
    os.environ.get("BADGES_CATALOGUE_REVALIDATE_SECONDS", "1")
)
# The largest body POST .../customers/import accepts (instead of DATA_UPLOAD_MAX_MEMORY_SIZE):
# 50 MB is about 500,000 customers with every column filled.
BADGES_CUSTOMER_IMPORT_MAX_BYTES = int(
    os.environ.get("BADGES_CUSTOMER_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))
)

# Which badge API the console talks to: this server by default, or a Capillary cluster.
BADGES_API_URL = os.environ.get("BADGES_API_URL", "")
# Development defaults: the API client `make run` seeds (seed_demo) in demo org 100458. Set both on
# any real deployment (or the OAuth key and secret, which take precedence).
BADGES_API_USERNAME = os.environ.get("BADGES_API_USERNAME", "demo.till")
BADGES_API_PASSWORD = os.environ.get("BADGES_API_PASSWORD", "demo-till-password")
BADGES_API_PASSWORD_IS_MD5 = env_bool("BADGES_API_PASSWORD_IS_MD5", False)
BADGES_API_OAUTH_KEY = os.environ.get("BADGES_API_OAUTH_KEY", "")
BADGES_API_OAUTH_SECRET = os.environ.get("BADGES_API_OAUTH_SECRET", "")
BADGES_API_TIMEOUT_SECONDS = float(os.environ.get("BADGES_API_TIMEOUT_SECONDS", "10"))
# Capillary's badge API does not name the org or its timezone, so the console is told: the nav
# bar shows the name, dates are shown in the timezone (development default: the demo org).
BADGES_ORG_NAME = os.environ.get("BADGES_ORG_NAME", "Demo Retail")
BADGES_ORG_TIMEZONE = os.environ.get("BADGES_ORG_TIMEZONE", "UTC")

# A strict Content Security Policy (Django's CSP middleware): scripts, styles and fonts only from
# this server, no inline code. Badge images may live on any HTTPS host (Capillary's file service
# or a CDN the marketer gives), so img-src also allows https: and data: (uploaded previews).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:", "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's request logger inherits INFO from "django" and reaches the root handler whatever the
    # root's level, so LOG_LEVEL=ERROR still wrote a warning for every 4xx (every unknown
    # customer on the API, a line each).
    "loggers": {"django.request": {"level": LOG_LEVEL}},
}
