"""finsam settings. Everything that differs between machines comes from the environment.

Development (`make run`) sets FINSAM_DEBUG=1 and uses an embedded SQLite file unless DATABASE_URL is set.
Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and the e-mail server.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("FINSAM_DEBUG")
# A fixed key is only acceptable for local development; production must set its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("dev-only-insecure-key-finsam" if DEBUG else None)
if not SECRET_KEY:
    raise RuntimeError("Set DJANGO_SECRET_KEY (or FINSAM_DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "djmoney",
    "axes",
    "django_tasks_db",
    # The floors, bottom up: the core, then the feature apps in the order they stand on each other (the
    # plan parts register in this order), then the site (demo, benchmark, backup).
    "finsam",
    "plans",
    "interventions",
    "budgets",
    "finsam.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves the session's expiry an hour ahead, at most once a minute (finsam/security.py).
    "finsam.security.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "finsam.links.RequestAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logs every 403/404 answer with user, path and association (finsam/security.py).
    "finsam.security.RefusalLoggingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a throttled login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "finsam.urls"
WSGI_APPLICATION = "finsam.wsgi.application"

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
                "django.template.context_processors.csp",
                "plans.context_processors.inbox_counts",
            ],
            "builtins": ["finsam.templatetags.finsam"],
        },
    }
]

if not os.environ.get("DATABASE_URL"):
    # The embedded SQLite file of `make run` lives in var/, which a fresh clone does not have yet.
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'finsam.sqlite3'}",
        # Health checks let the next request recover after PostgreSQL restarts.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after an hour without activity and when the browser closes. Activity moves the expiry
# (finsam.security.SlidingSessionMiddleware), writing the session at most once a minute.
SESSION_COOKIE_AGE = int(os.environ.get("FINSAM_SESSION_SECONDS", "3600"))
# The budget import's preview posts one reading per row and column of the table it shows (up to
# budgets.imports.table.MAX_ROWS rows and MAX_COLUMNS columns), beyond Django's default of 1 000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_100
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (finsam.security.LoginThrottle): five failures lock the user name from that address for
# 15 minutes; FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, any user names, lock the address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "finsam.security.LoginThrottle"
FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
# The client's address: REMOTE_ADDR, or behind this many trusted proxies (TLS proxy, load balancer) the
# Nth address from the right of X-Forwarded-For (finsam.security.client_ip). 0: the header is ignored.
FINSAM_TRUSTED_PROXY_COUNT = int(os.environ.get("FINSAM_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "finsam.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("FINSAM_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Stored files (archived PDFs, logos) live on the local disk (MEDIA_ROOT) by default. With several app
# servers they must be in one store that every server and worker reaches: an S3-compatible object store,
# chosen by FINSAM_S3_BUCKET (django-storages' S3 backend). The app always serves the files itself, after
# its access checks, so the bucket stays private and no signed URL is ever handed out.
S3_BUCKET = os.environ.get("FINSAM_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty: AWS itself; else the store's URL (MinIO, Ceph, Garage, a Swedish provider...).
            "endpoint_url": os.environ.get("FINSAM_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("FINSAM_S3_REGION") or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance role).
            "access_key": os.environ.get("FINSAM_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("FINSAM_S3_SECRET_ACCESS_KEY") or None,
            # A folder in the bucket, so that one bucket can hold several installations.
            "location": os.environ.get("FINSAM_S3_PREFIX", ""),
            # "path" for stores on an IP address or without wildcard DNS; empty: boto3 decides.
            "addressing_style": os.environ.get("FINSAM_S3_ADDRESSING_STYLE") or None,
            # Never overwrite a stored file: an archived PDF keeps its bytes (a name that is taken gets a
            # suffix, as on the local disk).
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# Caches: only the rendering of a frozen version is cached (plans.document.document_markup), under a key
# made of everything it depends on, so a cache per process is safe: another instance renders it once
# more. Sessions, login throttling (axes), row locks and tasks are all in the database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (PDF rendering) run in `manage.py db_worker`; `make run` starts one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Money: SEK only, so migrations never depend on Babel's currency list.
CURRENCIES = ("SEK",)
CURRENCY_CHOICES = [("SEK", "SEK")]
DEFAULT_CURRENCY = "SEK"

# E-mail: the console in development, SMTP in production (Django 6.1 MAILERS).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS"),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "finsam <noreply@localhost>")
# Where finsam is served, for the links in e-mail (finsam.links). Set it in production; in development the
# links take the address of the request the mail is sent from.
FINSAM_BASE_URL = os.environ.get("FINSAM_BASE_URL", "")
# How long an invitation's link can be used (finsam.invitations).
FINSAM_INVITATION_DAYS = int(os.environ.get("FINSAM_INVITATION_DAYS", "7"))

# Content-Security-Policy: no inline scripts; everything from our own origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer probes the app server itself over plain HTTP: liveness and readiness answer there.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "finsam.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes.apps": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
