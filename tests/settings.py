"""Settings for the test suite: the project's own, with test-only secrets and shortcuts.

Tests use whatever DATABASE_URL, CELERY_BROKER_URL and REDIS_URL the environment names
(CI names PostgreSQL and Redis). Celery runs tasks in process here; the integration tests
switch it to the real broker and a worker process of their own.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# The suite's own Fernet key, which the processes it starts (workers, gunicorn) inherit.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1zdWl0ZS1vbmx5LW5vdC1mb3ItcGF0aWVudHM=")
# Nothing the suite does, nor the workers and servers it starts, reports to the practice's
# Sentry; tests/practice/test_error_reporting.py sets up a client that sends nowhere.
os.environ["SENTRY_DSN"] = ""

from practice.settings import *  # noqa: F403

# Every flush of the test database runs post_migrate, which writes the page for a database
# outage into MEDIA_ROOT: never into the checkout's own var/. Tests that read or write
# media set a folder of their own (the media_root fixture).
MEDIA_ROOT = Path(tempfile.gettempdir()) / "practice-tests" / "media"
# Plain storage, so tests need no collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# WhiteNoise serves the source folders, as in development, for the live-server tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The live-server and browser tests speak plain HTTP to 127.0.0.1, as `make run` does: no
# redirect to HTTPS, and cookies that a browser sends back over HTTP. Production keeps
# both (practice/settings.py; tests/practice/test_deployment.py checks them).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The public address differs from the test client's host, so tests see which one a page uses.
SITE_URL = "https://practice.test"
# The browser tests fill the form faster than a person can, so no minimum time here;
# tests/appointments/test_spam.py and tests/browser/test_spam.py set their own.
APPOINTMENT_FORM_MIN_SECONDS = 0
# The suite sends hundreds of requests from 127.0.0.1 (the load test alone, 200), and Redis
# keeps the count between runs: the rate limit's own tests lower it, from addresses of their own.
APPOINTMENT_REQUESTS_PER_HOUR = 1_000_000
# The test client and the live server are reached directly, with no proxy in front.
TRUSTED_PROXIES = []
