"""Settings for the test suite: the project's own, with test-only secrets and shortcuts.

Tests use whatever DATABASE_URL, CELERY_BROKER_URL and REDIS_URL the environment names
(CI names PostgreSQL and Redis). Celery runs tasks in process here; the integration tests
switch it to the real broker and a worker process of their own.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from practice.settings import *  # noqa: E402, F403

# Plain storage, so tests need no collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# WhiteNoise serves the source folders, as in development, for the live-server tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The public address differs from the test client's host, so tests see which one a page uses.
SITE_URL = "https://practice.test"
