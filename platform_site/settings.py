"""Byline's one settings module: every deployment difference comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: anything but a recognised true/false word is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false, 1/0, yes/no, on/off; got {raw!r}"
    )


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip() or default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


# Off unless asked for: a deployment that forgets the variable must not leak tracebacks.
# `make run` and `make test` switch it on.
DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For local development run with DJANGO_DEBUG=true (as `make run` does)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

SITE_NAME = env_str("SITE_NAME", "Byline")
# Where the site is reached from outside: links in emails are built on it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "platform_site",
    "creators",
    "stories",
    "comments",
    "subscriptions",
    "support",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "platform_site.urls"

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
                "platform_site.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "platform_site.wsgi.application"

# SQLite by default: WAL so readers never wait for the writer, a busy timeout and IMMEDIATE
# transactions so concurrent writers queue instead of failing with "database is locked".
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "creators.User"
LOGIN_URL = "creators:login"
LOGIN_REDIRECT_URL = "stories:dashboard"
LOGOUT_REDIRECT_URL = "stories:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Email: printed to the console in development; SMTP when EMAIL_URL (or EMAIL_HOST) is set,
# e.g. EMAIL_URL=smtp://user:password@smtp.example.com:587?tls=true or smtps://… for SSL.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@byline.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env_str("EMAIL_URL")
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_URL:
    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtps", "console"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtps:// or console://")
    if _email.scheme == "console":
        EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    else:
        _options = parse_qs(_email.query)
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = _email.hostname or ""
        EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
        EMAIL_HOST_USER = unquote(_email.username or "")
        EMAIL_HOST_PASSWORD = unquote(_email.password or "")
        EMAIL_USE_SSL = _email.scheme == "smtps"
        EMAIL_USE_TLS = not EMAIL_USE_SSL and _options.get("tls", ["true"])[0] != "false"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Until media moves to object storage, the app serves uploads itself.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TAGGIT_CASE_INSENSITIVE = True

# Links in the footer's "Find us on social media"; an empty value hides the network.
SOCIAL_LINKS = {
    "Mastodon": env_str("SOCIAL_MASTODON_URL", "https://mastodon.social/@byline"),
    "Bluesky": env_str("SOCIAL_BLUESKY_URL", "https://bsky.app/profile/byline.example"),
    "Instagram": env_str("SOCIAL_INSTAGRAM_URL", "https://www.instagram.com/byline"),
}

STORIES_PER_PAGE = env_int("STORIES_PER_PAGE", 12)

# Where background jobs (emails, fan-out) run: "thread" answers the request at once and sends
# from a worker thread; "inline" runs them in the request after commit (the tests use it).
BYLINE_TASKS = env_str("BYLINE_TASKS", "thread")

# Largest image upload accepted; creators.images refuses bigger files with a form error.
BYLINE_IMAGE_MAX_BYTES = env_int("BYLINE_IMAGE_MAX_BYTES", 10 * 1024 * 1024)

# --- Payments (support app) ------------------------------------------------------------------
# Tips and pledges go through support.gateways. Stripe is used only when both its secret key
# and its webhook signing secret are set; otherwise the offline gateway takes every payment at
# once and pages say "test mode", so `make run` needs no Stripe account and no network.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
PAYMENTS_GATEWAY = "stripe" if STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET else "offline"
# The platform's share of every payment in basis points (1/100 of a percent): 700 = 7%.
PLATFORM_FEE_BASIS_POINTS = env_int("PLATFORM_FEE_BASIS_POINTS", 700)
if not 0 <= PLATFORM_FEE_BASIS_POINTS <= 10_000:
    raise ImproperlyConfigured(
        f"PLATFORM_FEE_BASIS_POINTS must be between 0 and 10000; got {PLATFORM_FEE_BASIS_POINTS}"
    )
# ISO 4217 code, lower case as Stripe writes it; every tip and pledge is in this currency.
SUPPORT_CURRENCY = env_str("SUPPORT_CURRENCY", "usd").lower()

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
