"""The only settings file. Every value can be set from the environment; see .env.example.

Defaults are safe for development: with no variables set, the site runs on SQLite under var/.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gongjian.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A public fallback key would let anyone forge sessions and password-reset links.
        raise ImproperlyConfigured(
            "SECRET_KEY must be set whenever DEBUG is off (docs/configuration.md)."
        )
    SECRET_KEY = "dev-only-not-secret-gongjian"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "攻坚")
# The address people reach the site at: links in emails and group-robot messages, which are
# read outside the site, must be absolute.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin with the 三员分立 site (gongjian/accounts/admin_site.py).
    "gongjian.accounts.admin_apps.GongjianAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "gongjian.accounts",
    "gongjian.audit",
    "gongjian.projects",
    "gongjian.transfer",
    "gongjian.dispatch",
    "gongjian.inbox",
    "gongjian.problems",
    "gongjian.assessment",
    "gongjian.bulletin",
    "gongjian.dashboards",
    "gongjian.screen",
    "gongjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: a request over MAX_REQUEST_BYTES is refused with 413.
    "gongjian.middleware.request_size_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongjian.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user is the actor of audit entries written by signal receivers.
    "gongjian.audit.middleware.audit_actor_middleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: the session's clocks, then what a signed-in user must
    # do first (change an expired password, pass or set up the second factor).
    "gongjian.accounts.middleware.session_timeout_middleware",
    "gongjian.accounts.middleware.account_policy_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A query parameter a view cannot use (gongjian.lib.params.BadParameter) → the 400 page.
    "gongjian.params_middleware.BadParameterMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"

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
                "django.template.context_processors.i18n",
                "gongjian.accounts.context_processors.site",
            ],
        },
    }
]

# DATABASE_URL takes the usual forms: sqlite:///var/db.sqlite3, postgres://user@host/db.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the importer writes; the pragmas are set on every connection.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Before ModelBackend: the three administrators' model permissions come from their role
    # alone (三员分立), never from groups.
    "gongjian.accounts.admin_site.AdminRoleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passwords (等保2.0 level 3: length, character classes, expiry).
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "gongjian.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account is locked
# for LOGIN_LOCKOUT_MINUTES, whichever address the attempts come from. Attempts are kept in the
# database, so every app server sees them.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the parameters, against attackers who rotate user agents
# or cookies; locking the account by name alone already defeats that. Locking by address would
# lock out a whole office behind one NAT address because one person mistyped.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongjian.accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY") else 0
AXES_VERBOSE = False

# Second factor (TOTP, django-otp): required for the roles listed here ("office", "leader", …,
# and "admin" for the three administrators); anyone may turn it on for themselves.
OTP_REQUIRED_ROLES = set(env_list("OTP_REQUIRED_ROLES", []))
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", env_str("SITE_NAME", "攻坚"))

# Sessions: an idle timeout and an absolute lifetime, both enforced on the server
# (gongjian/accounts/middleware.py); the cookie dies with the browser.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongjian" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# npm installs third-party assets into node_modules/; only the files we name are collected.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "var" / "vendor")]
# The shared volume (or bucket mount) every app server reads and writes; see docs/operations.md.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongjian@localhost")

# Caches are shared by every app server: Redis when REDIS_URL is set, else a database table.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gj_cache"}
    )
}
# Sessions stay in the database (they survive a Redis restart); with Redis, reads come from it,
# which saves a query on every request.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# HTTPS. With SECURE_COOKIES on, plain HTTP is redirected and browsers are told (HSTS) to use
# HTTPS only from then on.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from the page (base.html), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "gongjian.accounts.views.csrf_failure"
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts and styles from this site only, no inline
# script, no eval. ECharts writes inline style attributes on the elements it creates, hence
# style-src-attr; no <style> element or style sheet may come from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The audit trail (docs/operations.md): entries older than AUDIT_RETENTION_DAYS are moved by
# `archive_audit` into compressed, verifiable files under AUDIT_ARCHIVE_DIR. 等保2.0 asks that
# logs be kept at least six months, so less than 180 days is refused.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180 (等保2.0: six months).")
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive")))

# Upload limits: the project import accepts files up to this size (bytes).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 64 * 1024 * 1024)
# The map's boundary, a GeoJSON file the deployment supplies (seed_demo writes a fictional one).
GEO_BOUNDARY_FILE = env_str("GEO_BOUNDARY_FILE", str(VAR_DIR / "geo" / "boundary.json"))
PROBLEM_ATTACHMENT_MAX_BYTES = env_int("PROBLEM_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
# Any request body, uploads included; larger ones get 413 before they are stored. The default
# admits the largest import file, or a report's nine photos of up to 10 MB sent at once
# (dispatch/services.py MAX_PHOTOS, lib/images.py), plus the form around them.
MAX_REQUEST_BYTES = env_int(
    "MAX_REQUEST_BYTES", max(IMPORT_MAX_BYTES, 9 * 10 * 1024 * 1024) + 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "gongjian.middleware.UploadLimitHandler",  # first: stops a body longer than it claims
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# .xlsx uploads are checked before any parser opens them (gongjian/lib/xlsx_guard.py). The widest
# sheet read (the registry, transfer/columns.py) has 36 columns, its header up to 5 rows down; the
# caps leave room for notes beside and below it. calamine holds 32 bytes per cell of the grid.
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", IMPORT_MAX_ROWS + 1_000)
XLSX_MAX_COLUMNS = env_int("XLSX_MAX_COLUMNS", 256)
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", XLSX_MAX_ROWS * 64)
# Unpacked sizes. A worksheet is read as a stream (an export of 100,000 projects is ~250 MB);
# every other part (shared strings, styles, the workbook) is read whole.
XLSX_MAX_SHEET_BYTES = env_int("XLSX_MAX_SHEET_BYTES", XLSX_MAX_CELLS * 160)
XLSX_MAX_PART_BYTES = env_int("XLSX_MAX_PART_BYTES", 128 * 1024 * 1024)
XLSX_MAX_TOTAL_BYTES = env_int("XLSX_MAX_TOTAL_BYTES", XLSX_MAX_SHEET_BYTES + XLSX_MAX_PART_BYTES)
# Real parts compress about 10:1; a zip bomb, 1,000:1. Parts under 1 MB are not checked.
XLSX_MAX_RATIO = env_int("XLSX_MAX_RATIO", 100)
XLSX_MAX_MEMBERS = env_int("XLSX_MAX_MEMBERS", 1_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
