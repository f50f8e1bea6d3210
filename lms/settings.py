"""Settings for the LMS portal.

This is the only module that reads the environment. Two modes:

* ``embedded`` (the default): SQLite under ``var/``, secrets generated on first run and kept
  under ``var/`` (never in git). Meant for a laptop, a demo or a small single-machine install.
* ``production``: every secret must be given in the environment; a missing one is a clear
  ``ImproperlyConfigured`` error at start-up rather than a silently weak default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

LMS_MODE = env.str("LMS_MODE", default="embedded")
if LMS_MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"LMS_MODE must be 'embedded' or 'production', not {LMS_MODE!r}.")
PRODUCTION = LMS_MODE == "production"

VAR_DIR = Path(env.str("LMS_VAR_DIR", default=str(BASE_DIR / "var")))


def _secret(name: str) -> str:
    """Read a secret from the environment; in embedded mode generate and keep one under var/."""
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. In production mode (LMS_MODE=production) every secret must be "
            f"given in the environment; generate one with: python -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))'"
        )
    path = VAR_DIR / "secrets" / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("SECRET_KEY")
# Keyed hash for SCIM API tokens; deliberately separate from SECRET_KEY so rotating one
# does not invalidate (or weaken) the other.
SCIM_TOKEN_PEPPER = _secret("SCIM_TOKEN_PEPPER")

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL of the portal (e.g. https://lms.example.com); used where an absolute URL
# must be shown to an IdP admin and the request's own host cannot be trusted.
PUBLIC_URL = env.str("PUBLIC_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser command takes the place of auth's.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "provisioning",
]

MIDDLEWARE = [
    "lms.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, authentication and message middleware, not run for the SCIM API.
    "lms.middleware.PortalSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "lms.middleware.PortalAuthenticationMiddleware",
    "lms.middleware.PortalMessageMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

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
                "accounts.context_processors.portal",
            ],
        },
    },
]

# Widgets render with the project's templates too (the searchable time-zone list).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file: wait up to `timeout` seconds for a lock instead of
    # failing (it is SQLite's busy_timeout), take the write lock at BEGIN (no deadlock-prone lock
    # upgrades) and let readers run beside a writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Each worker keeps its connection between requests: opening one (Django registers a few
    # dozen SQL functions on it, then the PRAGMAs above run) costs more than a SCIM lookup's
    # own queries (docs/performance.md). A local file has no server to drop idle connections,
    # and WAL lets an idle connection hold no lock, so no health check is needed.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
    # A file (not the in-memory default) for the test database too, so that tests with
    # several threads see real SQLite locking instead of shared-cache table locks; one per
    # process, so that two test runs on one machine never share it.
    DATABASES["default"].setdefault("TEST", {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")})
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A kept connection the server has dropped (a restart, an idle timeout, an administrator
    # ending it) is replaced before a request's first query instead of failing the request.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # Server-side parameters, and a query run five times on a connection is prepared: PostgreSQL
    # then skips planning it (planning a SCIM user's view, a six-table join, costs far more than
    # running it: docs/performance.md). Off behind a pooler in transaction mode that cannot
    # keep them.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]

# Argon2id first (OWASP's first choice, at its recommended parameters); older hashes still
# verify and are upgraded on login.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Passwords pushed by an IdP (SCIM) go through the same checks except attribute similarity: the
# IdP's own policy already compares the password with the profile it holds (Okta: "does not
# contain part of username / first name / last name"), and a second, fuzzier comparison
# against the portal's copy would reject passwords the IdP accepted, leaving the user unable to
# sign in with the password the IdP says is set.
SCIM_PASSWORD_VALIDATORS = [
    validator
    for validator in AUTH_PASSWORD_VALIDATORS
    if not validator["NAME"].endswith(".UserAttributeSimilarityValidator")
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

REST_FRAMEWORK = {
    # Nothing is open by default; each API declares its own authentication.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}

# Production hardening (checked by `manage.py check --deploy`).
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request log lines as key=value text, or one JSON object per line (LOG_FORMAT=json).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Authlib writes issued tokens in its debug messages: never, whatever LOG_LEVEL says.
    "loggers": {"authlib": {"level": "INFO"}},
}
SILENCED_SYSTEM_CHECKS = [
    # username is unique case-insensitively (a functional unique constraint on lower(username)),
    # which this check cannot see.
    "auth.W004",
]
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    # Submitting a domain to the browsers' HSTS preload list is a hard-to-undo choice for the
    # operator (SECURE_HSTS_PRELOAD=true), not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# SCIM API limits. Requests a minute per token (0: no limit) and failed authentications a
# minute per client address before 429 (see provisioning.api.throttling).
SCIM_MAX_BODY_BYTES = env.int("SCIM_MAX_BODY_BYTES", default=1024 * 1024)
SCIM_RATE_LIMIT = env.int("SCIM_RATE_LIMIT", default=12000)
SCIM_AUTH_FAILURE_LIMIT = env.int("SCIM_AUTH_FAILURE_LIMIT", default=30)

# Shared by every app process (rate-limit counters): the database by default (its table is
# created by a migration), or e.g. CACHE_URL=redis://127.0.0.1:6379/0 (pip install redis).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://lms_cache")}
