"""Byline's one settings module: every deployment difference comes from the environment."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core import first_paint

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
# `make run` and `make test` switch it on, and so does the `.env` that `make` writes for
# manage.py in a checkout (manage.py reads it; gunicorn and wsgi.py never do).
DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off. For local development set "
            "DJANGO_DEBUG=true, as `make` does; in a checkout, `make install` writes it to "
            ".env, which manage.py reads (gunicorn never does)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

SITE_NAME = env_str("SITE_NAME", "Byline")
# Where the site is reached from outside: links in emails, feeds, canonical tags and the sitemap
# are built on it. `make run` derives it from HOST and PORT.
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
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "core",
    "platform_site",
    "creators",
    "stories",
    "search",
    "comments",
    "insights",
    "subscriptions",
    "support",
    # Issue 16, part 5: private notes to the author.
    "notes",
    "reactions",  # issue 16: likes and saves (floor 3)
    "stats",
    "challenges",  # issue 17 (floor 4, beside stats)
    # Part 4 of issue 16: notifications, the floor above stats.
    "notifications",
    "demo",
]

MIDDLEWARE = [
    # Anonymous pages leave brotli- or gzip-compressed, signed-in ones as padded gzip (BREACH):
    # outside the page cache, which keeps the page as rendered (core/compression.py).
    "core.compression.CompressPagesMiddleware",
    # Anonymous readers' pages from the cache, before anything else costs anything: a stored
    # page keeps the headers the middleware below gave it (security, Content-Security-Policy).
    # Its key holds the scheme, so a plain-HTTP request is never served an HTTPS page (it gets
    # the redirect below, which is not stored).
    "core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response, static files included.
    "csp.middleware.CSPMiddleware",
    # Static files are answered here, before sessions and the rest do any work for them.
    # WhiteNoise; hashed files are cached a year, immutable (core/staticfiles.py).
    "core.staticfiles.StaticFilesMiddleware",
    # A 400, not a 500 from the database, for a null character in the query string.
    "core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
    # Persistent connections spare every request a TCP and auth handshake; the health check
    # replaces one that the server or a pooler closed meanwhile instead of failing a request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # One connection per worker thread, kept: opening it (and setting the pragmas below)
            # for every request was a millisecond of each signed-in page.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
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
        "default": {
            # Django's Redis backend, one client per connection pool (core/cache_backends.py).
            "BACKEND": "core.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must cost a request seconds, not a worker forever.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # One machine without Redis: a cache on disk that every process shares (core/cache_backends.py),
    # beside the SQLite database unless CACHE_DIR says where. A cache for one database only: the
    # stamps in it describe that database's rows.
    CACHE_DIR = env_str(
        "CACHE_DIR",
        DATABASES["default"]["NAME"] + "-cache" if not DATABASE_URL else str(BASE_DIR / "cache"),
    )
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.SharedDiskCache",
            "LOCATION": CACHE_DIR,
            "SHARDS": 4,
            # A write waits this long for another process's before retrying.
            "DATABASE_TIMEOUT": 0.05,
            "OPTIONS": {"size_limit": env_int("CACHE_SIZE_MB", 512) * 2**20},
        }
    }

# How long a page stored for anonymous readers may be served (core/pagecache.py); 0
# turns the page cache off. A write replaces what it changes at once, in every process (the
# cache above is shared); what no write announces (read counts, "3 minutes ago") is at most
# this old.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# For a CDN in front (core.pagecache.shared_cache_headers): how long it may keep an anonymous
# page, and serve it stale while fetching a new one; and the function (a dotted path) called,
# in a background job, with the Surrogate-Key / Cache-Tag names of what each write changed, to
# purge them. None by default: no CDN.
CDN_MAX_AGE = env_int("CDN_MAX_AGE", PAGE_CACHE_SECONDS)
CDN_STALE_SECONDS = env_int("CDN_STALE_SECONDS", 60)
PAGE_PURGE_HOOK = env_str("PAGE_PURGE_HOOK")

# bench/site_benchmark.py only: a constant floor view at /__bench__/floor/ and a header with
# each request's query count. Never on in production.
BYLINE_BENCHMARK = env_bool("BYLINE_BENCHMARK", default=False)
if BYLINE_BENCHMARK:
    MIDDLEWARE.insert(0, "platform_site.benchmark.QueryCountMiddleware")

# Sessions are read from the shared cache (disk or Redis) and written through to the database,
# which keeps them if the cache is emptied: a signed-in page saves the query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "creators.User"
# The lockout check runs before the password is even looked at (platform_site/login_guard.py).
AUTHENTICATION_BACKENDS = [
    "platform_site.login_guard.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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

MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Development reads static files straight from the apps, so `make run` and the tests need
    # no collectstatic; production serves the hashed, compressed copies `collectstatic` made,
    # which browsers may cache forever.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # WhiteNoise's CompressedManifestStaticFilesStorage, stylesheets minified first.
        else "core.staticfiles.MinifiedStaticFilesStorage"
    },
}
# Whitenoise follows the same switch. Its own default reads settings.DEBUG when the middleware
# starts, which the test runner has turned off, and then it looks for a collectstatic folder.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads on S3-compatible object storage once a bucket is named; every app server then sees
# every upload. Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (read by
# django-storages and boto3 themselves, so they never sit in settings) or an instance role.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None  # for non-AWS services
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN in front
    AWS_LOCATION = env_str("AWS_LOCATION")  # a key prefix inside the bucket
    AWS_DEFAULT_ACL = env_str("AWS_DEFAULT_ACL") or None  # None: the bucket's policy decides
    # Off by default: image URLs are written into story bodies, and a signed URL there would
    # stop working when its signature expires. The bucket (or CDN) serves media publicly.
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", default=False)
    # Two uploads named "hero.png" in the same month must not replace each other, as they
    # don't on the local disk.
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "max-age=31536000, public"}
    if AWS_S3_CUSTOM_DOMAIN:
        # creators/export.py knows this site's images in story bodies by MEDIA_URL.
        _media_prefix = "/".join(filter(None, [AWS_S3_CUSTOM_DOMAIN, AWS_LOCATION.strip("/")]))
        MEDIA_URL = env_str("MEDIA_URL", f"https://{_media_prefix}/")

# The app serves uploads itself from MEDIA_ROOT unless object storage or a web server does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TAGGIT_CASE_INSENSITIVE = True

# Links in the footer's "Find us on social media"; an empty value hides the network.
SOCIAL_LINKS = {
    "Mastodon": env_str("SOCIAL_MASTODON_URL", "https://mastodon.social/@byline"),
    "Bluesky": env_str("SOCIAL_BLUESKY_URL", "https://bsky.app/profile/byline.example"),
    "Instagram": env_str("SOCIAL_INSTAGRAM_URL", "https://www.instagram.com/byline"),
}

STORIES_PER_PAGE = env_int("STORIES_PER_PAGE", 12)

# Background jobs (emails, the new-story fan-out) are django-tasks tasks, see core/jobs.py.
# By default they are kept in the database until `manage.py db_worker` runs them, so a queued
# email survives a restart or a recycled web worker. With TASKS_REDIS_URL they go to RQ on
# Redis instead, run by `manage.py rqworker` (see docs/architecture.md for why RQ).
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL")
if TASKS_REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        # A job that runs longer than this is a bug (a batch is 500 emails), not a slow job.
        "default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600},
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The database queue's worker beats every JOBS_BEAT_SECONDS, and a running job whose worker has
# not beaten for JOBS_STALE_SECONDS goes back to the queue (core/workers.py). Stale is well
# above a beat, so a busy database or a slow beat is not taken for a death.
JOBS_BEAT_SECONDS = env_int("JOBS_BEAT_SECONDS", 5)
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 20)
if not 0 < JOBS_BEAT_SECONDS < JOBS_STALE_SECONDS:
    raise ImproperlyConfigured(
        "JOBS_BEAT_SECONDS must be at least 1 and below JOBS_STALE_SECONDS; got "
        f"{JOBS_BEAT_SECONDS} and {JOBS_STALE_SECONDS}"
    )

# Largest image upload accepted; core.images refuses bigger files with a form error.
BYLINE_IMAGE_MAX_BYTES = env_int("BYLINE_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
# A post's text (every field but files) is refused over this; Django's default, named here
# because the 413 page quotes it (core.request_limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# A whole post, files included, is refused over this before any of it is read: one image and
# the text of a story. Django by itself has no limit on files.
BYLINE_REQUEST_MAX_BYTES = env_int(
    "BYLINE_REQUEST_MAX_BYTES", BYLINE_IMAGE_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
)
# --- Importing stories from other platforms (stories/imports.py) ------------------------------
# Largest archive a creator may upload (Medium, Substack, WordPress, Ghost or our own export);
# over it the form says so. It must stay under BYLINE_REQUEST_MAX_BYTES, or the post is
# refused whole (a 413) before the form sees it.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
if not 0 < IMPORT_MAX_BYTES < BYLINE_REQUEST_MAX_BYTES:
    raise ImproperlyConfigured(
        "IMPORT_MAX_BYTES must be above 0 and below BYLINE_REQUEST_MAX_BYTES; got "
        f"{IMPORT_MAX_BYTES} and {BYLINE_REQUEST_MAX_BYTES}"
    )
# Images an archive names by http(s) address are fetched (core/fetch.py): at most this many
# per import, and this many bytes in all; each is also capped at BYLINE_IMAGE_MAX_BYTES.
IMPORT_REMOTE_IMAGES_MAX = env_int("IMPORT_REMOTE_IMAGES_MAX", 200)
IMPORT_REMOTE_BYTES_MAX = env_int("IMPORT_REMOTE_BYTES_MAX", 200 * 1024 * 1024)
# And for at most this long in all, so an import ends well inside RQ's 600 s job timeout.
IMPORT_REMOTE_SECONDS_MAX = env_int("IMPORT_REMOTE_SECONDS_MAX", 300)
# Only for tests, which serve images from 127.0.0.1: fetches to loopback, private and
# link-local addresses are refused unless this is True. Not read from the environment, so no
# deployment can switch it on by mistake.
IMPORT_FETCH_ALLOW_PRIVATE = False

FILE_UPLOAD_HANDLERS = [
    "core.request_limits.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

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

# --- Security (what `manage.py check --deploy` asks for) ----------------------------------------
# Headers that cost nothing over plain http apply everywhere.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Forms posted from the public address pass the CSRF origin check behind a proxy too.
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", ["{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))]
)
# HTTPS-only settings apply when debug is off, so `make run` keeps working over http on
# 127.0.0.1; each can be switched off, e.g. to try a production build locally.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes over plain http and must get the answer, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Only when a proxy in front terminates TLS and sets this header (e.g. X-Forwarded-Proto) on
# every request: trusted otherwise, a client could claim https for a plain-http request.
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")

# How many proxies of ours stand in front of the app (a load balancer is one), each appending
# to X-Forwarded-For. 0: the header is the client's own writing and never read. Rate limits,
# login lockouts and read counting all go through core.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")


def _origin(url: str) -> str | None:
    """The origin ("https://cdn.example.com") of an absolute URL; None for a path on this site."""
    parts = urlsplit(url if "://" in url else "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# --- Content-Security-Policy (django-csp) -----------------------------------------------------
# Only this site's own files run or style a page: no inline script or style anywhere (the
# templates have none; tests/platform_site/test_csp.py walks them), so injected markup that got
# past the sanitiser still cannot run. One exception, allowed by its hash and not by
# 'unsafe-inline': the first-paint script in every <head> (core/first_paint.py). Uploaded images
# may come from the media host, and the payment forms may end on Stripe's pages.
_media_origins = [_origin(MEDIA_URL)]
if AWS_STORAGE_BUCKET_NAME and not AWS_S3_CUSTOM_DOMAIN:
    # No MEDIA_URL of our own: django-storages links to the endpoint or AWS's bucket host.
    _media_origins += (
        [_origin(AWS_S3_ENDPOINT_URL)]
        if AWS_S3_ENDPOINT_URL
        else [
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            AWS_S3_REGION_NAME
            and f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com",
        ]
    )
_stripe_pages = ["https://checkout.stripe.com", "https://connect.stripe.com"]
_csp_directives = {
    "default-src": ["'self'"],
    # and the one inline script, by its hash: reader settings before the first paint
    "script-src": ["'self'", first_paint.CSP_SOURCE],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *filter(None, _media_origins)],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    # A form's redirect counts as its target in some browsers: the tip and pledge forms end
    # on Stripe Checkout, and payout set-up on Stripe Connect.
    "form-action": ["'self'", *(_stripe_pages if PAYMENTS_GATEWAY == "stripe" else [])],
}
if env_str("CSP_REPORT_URI"):
    _csp_directives["report-uri"] = [env_str("CSP_REPORT_URI")]
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only: browsers
# report what it would block and block nothing, to try a change of policy on real traffic.
if env_bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}

# --- Login lockout (django-axes) ---------------------------------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair may
# not try again for LOGIN_LOCKOUT_MINUTES; the login page says so (platform_site/login_guard.py).
# Failures are kept in the database, so every app server sees them. One address's failed logins
# across all usernames are capped apart from this, by RATE_LIMITS["failed_login"] below.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "platform_site.login_guard.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not push its end further out, so "try again in 15 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only failures are needed for lockouts; a row per successful login would be a location diary.
AXES_DISABLE_ACCESS_LOG = True

# --- Rate limits (core/ratelimit.py) -------------------------------------------------------------
# Per scope, the rates for one signed-in account ("user"), for one client address ("address")
# and for one email address an action is aimed at ("email"), each "N/period" with s, m, h or d
# ("3/10m": three in ten minutes). An address is allowed more than an account: a school or an
# office shares one. Override in RATE_LIMITS, e.g.
# RATE_LIMITS="comment.user=5/m 50/d,tip.address=30/h"; an empty value ("tip.address=") turns
# that limit off. Counted in the cache, which every process shares: on disk on one machine,
# across every app server once REDIS_URL is set.
RATE_LIMITS: dict[str, dict[str, list[str]]] = {
    "comment": {"user": ["5/m", "50/d"], "address": ["20/m", "500/d"]},
    "insight": {"user": ["20/m"], "address": ["60/m"]},
    "report": {"user": ["10/h"], "address": ["30/h"]},
    "tip": {"user": ["10/h"], "address": ["20/h"]},
    "pledge": {"user": ["5/h"], "address": ["20/h"]},
    "signup": {"address": ["5/h"]},
    # Reads of one story counted from one address a day for readers who are not signed in:
    # their browser id is made up by the browser, so anyone can make up more (stats.views).
    # Over it the beacon still answers 204 and counts nothing.
    "read": {"address": ["5/d"]},
    # Reset emails to one address; past it the page answers as usual and sends nothing, so it
    # never tells whether the address has an account. One client asking for many addresses
    # is told to wait (429).
    "password_reset": {"email": ["3/h"], "address": ["10/h"]},
    # Failed logins from one address, whatever the usernames (platform_site/login_guard.py);
    # the lockout of one username from one address is django-axes' (AXES_* above).
    "failed_login": {"address": ["20/h"]},
    # Every image an account uploads (in a story's body, its hero, an avatar): each is decoded
    # and kept, so a script must not be able to send them without end.
    "upload": {"user": ["10/m", "200/d"], "address": ["30/m"]},
    # Issue 16, part 5: private notes to a story's creator. A reader may point out several
    # typos in one sitting; a script may not fill a creator's notes.
    "note": {"user": ["10/h", "30/d"], "address": ["30/h", "200/d"]},
    # issue 16, reactions: a like or an unlike empties the story's stored page and may tell the
    # creator, so a script toggling one must not be able to do it without end; saves likewise.
    "like": {"user": ["30/m", "500/d"], "address": ["60/m"]},
    "save": {"user": ["30/m", "500/d"], "address": ["60/m"]},
    # Issue 18: each import unpacks an archive and may fetch hundreds of images.
    "import": {"user": ["5/h"], "address": ["20/h"]},
    # Issue 19: type-ahead suggestions, a lookup per pause in typing. Per address only, so a
    # signed-in reader's lookup never opens the session; generous, as a school or an office
    # types from one address, while a script enumerating the index is slowed to 5 a second.
    "suggest": {"address": ["300/m", "5000/h"]},
}
_RATE = re.compile(r"^[1-9][0-9]*/([1-9][0-9]*)?[smhd]$")
for _entry in env_list("RATE_LIMITS", []):
    _target, _, _rates = _entry.partition("=")
    _scope, _, _kind = _target.strip().partition(".")
    _values = _rates.split()
    if (
        _scope not in RATE_LIMITS
        or _kind not in {"user", "address", "email"}
        or not all(_RATE.match(value) for value in _values)
    ):
        raise ImproperlyConfigured(
            "RATE_LIMITS entries look like comment.user=5/m 50/d (scopes: "
            f"{', '.join(RATE_LIMITS)}; kinds: user, address, email); got {_entry!r}"
        )
    RATE_LIMITS[_scope][_kind] = _values

# One handler, on the root logger. Django's own "django" logger comes with a console handler of
# its own and passes every record on to the root as well, so each of its lines (runserver's
# "Watching for file changes") was printed twice; here it keeps its level and only passes on.
# (django.server, runserver's request log, keeps its own handler and does not pass on.)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}
