"""Settings for the practice website, read from the environment.

The embedded defaults make `make run` work on a bare machine: SQLite under var/, Celery
tasks run in process, emails written as files under var/mail/. With DJANGO_DEBUG off
(the default) there is no fallback secret key and no fallback host list: start-up stops
with a message naming the missing variable.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-key-for-local-development-only")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "solo",
    "django_prose_editor",
    "phonenumber_field",
    "practice",
    "conditions",
    "faq",
    "appointments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise answers static files before the rest of the stack does any work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

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
                "practice.context_processors.practice",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The practice's own time zone: "after today" on the form and every date in an email is
# read in it.
TIME_ZONE = env("PRACTICE_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Photos and other files staff upload. Several web machines must share this folder.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "practice.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. EMAIL_URL names a real server (smtp://host:port); without it every email is
# written to a file under var/mail/, where a developer can open it.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# A mail server that hangs must not hold a worker for ever.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Example Spine Practice <no-reply@example.com>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OFFICE_EMAIL = env.list("OFFICE_EMAIL", default=["office@example.com"])
# The site's public address: links in emails, canonical URLs, the sitemap and JSON-LD.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# A condition page whose last medical review is older than this is listed as due in the admin.
MEDICAL_REVIEW_INTERVAL = timedelta(days=env.int("MEDICAL_REVIEW_INTERVAL_DAYS", default=365))

# Appointment requests.
# Phone numbers a patient types without a country code are read as this region's.
PHONENUMBER_DEFAULT_REGION = env("PHONE_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# How far ahead a patient may ask for a date.
APPOINTMENT_HORIZON_DAYS = env.int("APPOINTMENT_HORIZON_DAYS", default=90)
APPOINTMENT_DURATION_MINUTES = env.int("APPOINTMENT_DURATION_MINUTES", default=30)
# The reminder goes on the day before the appointment, from this hour (practice time).
APPOINTMENT_REMINDER_HOUR = env.int("APPOINTMENT_REMINDER_HOUR", default=9)
# The office email leaves the patient's clinical answers and message behind the staff
# login unless the practice decides its mail is fit to carry them.
OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = env.bool("OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT", default=False)

# Celery. Without a broker the tasks run in process, so `make run` needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it has finished, and handed to another worker when
# its worker dies; the outbox row, not the broker, guards against sending twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_TASK_TIME_LIMIT = 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Publishing happens in the patient's request: when the broker is down, give up quickly
# and leave the email in the outbox for the periodic sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "requeue-waiting-notifications": {
        "task": "appointments.requeue_waiting_notifications",
        "schedule": 60.0,
    },
    "queue-appointment-reminders": {
        "task": "appointments.queue_due_reminders",
        "schedule": env.float("APPOINTMENT_REMINDER_SWEEP_SECONDS", default=300.0),
    },
}

# The notification outbox (appointments.Notification).
NOTIFICATION_MAX_ATTEMPTS = 6
NOTIFICATION_RETRY_BACKOFF = 30  # seconds before the first retry; doubles each time
NOTIFICATION_RETRY_BACKOFF_MAX = 600
NOTIFICATION_REQUEUE_AFTER = 120  # a waiting email older than this is queued again
NOTIFICATION_SENDING_LEASE = 2 * CELERY_TASK_TIME_LIMIT  # a claim older than this was lost

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's own console handler would print its messages a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "appointments": {"level": "INFO"},
        "practice": {"level": "INFO"},
    },
}
