"""Settings for the bare floor: only what Django needs to answer a request."""

DEBUG = False
SECRET_KEY = "bare-floor-benchmark-only-not-secret"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare_floor.urls"
DATABASES: dict = {}
USE_TZ = True
