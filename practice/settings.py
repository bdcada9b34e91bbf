"""Settings for the practice website, read from the environment.

The embedded defaults make `make run` work on a bare machine: SQLite under var/, Celery
tasks run in process, emails written as files under var/mail/. With DJANGO_DEBUG off
(the default) there is no fallback secret key and no fallback host list: start-up stops
with a message naming the missing variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def required(name, advice):
    """A variable the site cannot run without when debug is off: stop, saying what to set."""
    value = env.str(name, default="").strip()
    if not value.strip(","):
        raise ImproperlyConfigured(
            f"{name} is not set. With DJANGO_DEBUG off the site does not start without it: {advice}"
        )
    return value


if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-key-for-local-development-only")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = required(
        "DJANGO_SECRET_KEY",
        "set it to a long random string of the site's own, kept out of the repository, e.g. "
        "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
    )
    ALLOWED_HOSTS = [
        host.strip()
        for host in required(
            "DJANGO_ALLOWED_HOSTS",
            "set it to the host names the site answers to, comma-separated, "
            "e.g. www.example-spine.com,example-spine.com",
        ).split(",")
        if host.strip()
    ]

# Patients' clinical answers and the office's notes are stored encrypted with these Fernet
# keys (practice/field_encryption.py): the first encrypts, every one decrypts, so a new key
# goes first and `manage.py rotate_field_keys` moves what the old ones wrote onto it.
# The development key is public: `check --deploy` refuses it (practice/checks.py).
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1ub3QtZm9yLXBhdGllbnQ="
if DEBUG:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
else:
    FIELD_ENCRYPTION_KEYS = required(
        "FIELD_ENCRYPTION_KEYS",
        "set it to a Fernet key of the practice's own, kept out of the repository and backed "
        "up apart from the database (without it the clinical answers cannot be read), e.g. "
        "the output of: python3 -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'",
    ).split(",")
# Only with debug on can the list be empty here: required() refuses an empty one.
FIELD_ENCRYPTION_KEYS = [key.strip() for key in FIELD_ENCRYPTION_KEYS if key.strip()] or [
    DEVELOPMENT_FIELD_ENCRYPTION_KEY
]

INSTALLED_APPS = [
    # The admin, on a site that asks staff for a second factor (practice/admin_site.py).
    "practice.apps.PracticeAdminConfig",
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
    "csp",
    # django-axes, named "Staff logins" in the admin.
    "practice.apps.StaffLoginsConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "practice",
    "conditions",
    "faq",
    "appointments",
]

MIDDLEWARE = [
    # Forwarded headers from anyone but the front are dropped before anything reads them.
    "practice.client_address.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise answers static files before the rest of the stack does any work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages from the shared cache, before the middleware below does any work; what
    # it keeps carries the headers that middleware adds.
    "practice.page_cache.PageCacheMiddleware",
    # The Content-Security-Policy and Permissions-Policy headers, on every page and error
    # page (static files need neither).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "practice.middleware.MediaNonceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which authenticator app verified the staff login (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Who is signed in and from where, for the audit log's entries.
    "practice.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A staff login without a verified app, idle too long or too old ends, with a message
    # saying why (practice/staff_sessions.py).
    "practice.staff_sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Staff logins: django-axes counts failures and locks out, before Django's own check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# A name tried too often from one address is locked out for a while; a success clears the count.
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The browser's address, not the proxy's, so one stranger cannot lock out the whole office.
AXES_CLIENT_IP_CALLABLE = "practice.client_address.client_address"
# Failing again while locked out does not restart the wait: a stranger who keeps trying
# cannot keep a member of staff out for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# A login lasts a working day, not Django's two weeks: front-desk computers are shared.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 60 * 60
# A staff login also ends after this long without a page, and when the browser closes
# (practice/staff_sessions.py).
STAFF_SESSION_IDLE = timedelta(minutes=env.int("STAFF_SESSION_IDLE_MINUTES", default=30))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# After the password, a code from an authenticator app or a backup code
# (practice/two_factor.py). Only `make run` turns it off; `check --deploy` refuses that.
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=True)


def _authenticator_issuer(device):
    """The practice's name, shown beside the user name in the authenticator app."""
    from practice.two_factor import issuer

    return issuer()


OTP_TOTP_ISSUER = _authenticator_issuer

# Staff logins, beyond the pair that axes counts (practice/login_limits.py): failures from
# one address whatever the user names (password spraying), and for one user name whatever
# the addresses, each paused for a while at its limit.
ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
ADMIN_LOGIN_ADDRESS_LOCKOUT = timedelta(
    minutes=env.int("ADMIN_LOGIN_ADDRESS_LOCKOUT_MINUTES", default=60)
)
ADMIN_LOGIN_NAME_FAILURE_LIMIT = env.int("ADMIN_LOGIN_NAME_FAILURE_LIMIT", default=10)
ADMIN_LOGIN_NAME_LOCKOUT = timedelta(hours=env.int("ADMIN_LOGIN_NAME_LOCKOUT_HOURS", default=24))
# axes' own admin pages are registered in practice/admin.py, with "Lift lockout".
AXES_ENABLE_ADMIN = False

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
            "BACKEND": "practice.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The longest a public page is kept in the cache. Staff's changes show at once whatever
# this is (practice/page_cache.py); it bounds how long a change made behind the models'
# back (raw SQL, a bulk update) can go unseen. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=10 * 60)
# How long the front (nginx) may answer a public page from its own cache without asking
# the site, counted to the end of a clock second (practice/page_cache.py); 0: never.
FRONT_CACHE_SECONDS = env.int("FRONT_CACHE_SECONDS", default=1)

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
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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

CSRF_FAILURE_VIEW = "practice.views.csrf_failure"

# HTTPS. In production the site sits behind the front (deploy/), which ends TLS and
# tells Django the browser's scheme in X-Forwarded-Proto and its address in
# X-Forwarded-For. Those headers are believed only from the senders named here (addresses,
# networks, or `unix` for gunicorn on a Unix socket); from anyone else they are dropped
# (practice/client_address.py). Empty: the site is reached directly and believes no header.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health probe may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Browsers remember to use HTTPS only; sent on HTTPS responses only. A year, with the
# subdomains, is what the browsers' preload list asks for; lower it (or turn the
# subdomains off) before the first deploy if any subdomain still serves plain HTTP.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
# Session (staff login) and CSRF cookies travel over HTTPS only; `make run` is plain HTTP.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Response headers. Everything a page loads comes from the site itself: no third-party
# origin, no inline script or style, no eval. The nonce (added only on a page that uses
# one) lets the admin's rich-text editor load its import map; see practice/middleware.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The rich-text editor (django-prose-editor's Tiptap) adds one <style> of ProseMirror's
# base rules when it starts: this hash allows exactly that stylesheet. An upgrade of the
# editor may change it; tests/practice/test_headers.py then gives the new one.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, PROSE_EDITOR_STYLE_HASH],
        "img-src": [csp.SELF],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Powerful browser features the site never uses, denied to it and to anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

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
# Open times (appointments/services/open_times.py) start no sooner than this after now.
BOOKING_MIN_NOTICE_HOURS = env.int("BOOKING_MIN_NOTICE_HOURS", default=24)
# The patient's link moves an appointment until this long before it (cancelling, until it
# starts); and a time offered to the waitlist is the patient's to take for this long.
BOOKING_CHANGE_DEADLINE_HOURS = env.int("BOOKING_CHANGE_DEADLINE_HOURS", default=24)
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=4)
# The reminder goes on the day before the appointment, from this hour (practice time).
APPOINTMENT_REMINDER_HOUR = env.int("APPOINTMENT_REMINDER_HOUR", default=9)
# The office email leaves the patient's clinical answers and message behind the staff
# login unless the practice decides its mail is fit to carry them.
OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = env.bool("OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT", default=False)
# Spam (appointments/spam.py). A form sent sooner than this after it was shown came from a
# robot; a form shown longer ago than this is shown again with a new stamp, answers kept.
APPOINTMENT_FORM_MIN_SECONDS = env.int("APPOINTMENT_FORM_MIN_SECONDS", default=3)
APPOINTMENT_FORM_MAX_AGE_HOURS = env.int("APPOINTMENT_FORM_MAX_AGE_HOURS", default=24)
# Requests accepted from one address an hour, counted in the cache (Redis, shared by every
# web process); 0 turns the limit off. Generous: a family may book for several people.
APPOINTMENT_REQUESTS_PER_HOUR = env.int("APPOINTMENT_REQUESTS_PER_HOUR", default=10)
# Patient data is kept this long after a request was last worked on; then the nightly task
# (or `manage.py anonymise_old_requests`) removes the patient's details from it.
APPOINTMENT_RETENTION_DAYS = env.int("APPOINTMENT_RETENTION_DAYS", default=730)

# The audit log (practice/audit.py): six years, as records of access to health information
# are kept; then the nightly task deletes the oldest.
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=6 * 365 + 2)
# An export of more requests than this emails the privacy officers.
AUDIT_EXPORT_ALERT_ROWS = env.int("AUDIT_EXPORT_ALERT_ROWS", default=50)

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
        "schedule": env.float("NOTIFICATION_REQUEUE_SWEEP_SECONDS", default=60.0),
    },
    "anonymise-old-requests": {
        "task": "appointments.anonymise_old_requests",
        "schedule": 24 * 60 * 60.0,
    },
    "clear-expired-sessions": {
        "task": "practice.clear_expired_sessions",
        "schedule": 24 * 60 * 60.0,
    },
    "expire-audit-log": {
        "task": "practice.expire_audit_log",
        "schedule": 24 * 60 * 60.0,
    },
    "queue-appointment-reminders": {
        "task": "appointments.queue_due_reminders",
        "schedule": env.float("APPOINTMENT_REMINDER_SWEEP_SECONDS", default=300.0),
    },
}

# An offer to the waitlist that nobody took in time goes to the next patient waiting.
CELERY_BEAT_SCHEDULE["waitlist-move-on"] = {
    "task": "appointments.waitlist_move_on",
    "schedule": 60.0,
}

# The notification outbox (appointments.Notification).
# The variables are for the fault tests, which cannot wait minutes for a retry.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
# Seconds before the first retry; doubles each time. Whole seconds: Celery's jitter needs them.
NOTIFICATION_RETRY_BACKOFF = env.int("NOTIFICATION_RETRY_BACKOFF", default=30)
NOTIFICATION_RETRY_BACKOFF_MAX = env.int("NOTIFICATION_RETRY_BACKOFF_MAX", default=600)
# A waiting email older than this (seconds) is queued again by the sweep.
NOTIFICATION_REQUEUE_AFTER = env.float("NOTIFICATION_REQUEUE_AFTER", default=120)
# A claim older than this (seconds) was lost with its worker. Longer than a task may run,
# so that a slow worker that is still sending never has its row taken from it.
NOTIFICATION_SENDING_LEASE = env.float(
    "NOTIFICATION_SENDING_LEASE", default=2 * CELERY_TASK_TIME_LIMIT
)

# Backups (practice/backups/): an encrypted archive of the database and MEDIA_ROOT, taken
# nightly by Celery beat and by `make backup`. BACKUP_KEY is an age secret key
# (`manage.py backup --new-key` makes one); the commands refuse to run without it.
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")
BACKUP_KEY = env.str("BACKUP_KEY", default="").strip()
# The newest this many backups stay in BACKUP_DIR; at least the one just taken.
BACKUP_KEEP = max(1, env.int("BACKUP_KEEP", default=14))
# The nightly backup has limits of its own: far longer than an email's, shorter than the
# broker's visibility timeout (an hour), so that a slow night is not handed to a second worker.
BACKUP_SOFT_TIME_LIMIT = 30 * 60
BACKUP_TIME_LIMIT = 35 * 60
CELERY_BEAT_SCHEDULE["nightly-backup"] = {
    "task": "practice.take_nightly_backup",
    # Practice time (CELERY_TIMEZONE), when nobody books.
    "schedule": crontab(hour=2, minute=30),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            # Django's warnings name a refused request's path: a manage link's, token and all.
            "class": "practice.logs.HidingSignedValuesFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's own console handler would print its messages a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "appointments": {"level": "INFO"},
        "practice": {"level": "INFO"},
    },
}

# Errors from the site and its tasks go to Sentry when SENTRY_DSN names a project, with no
# patient's data (practice/error_reporting.py); without it, to the logs alone.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from practice.error_reporting import init_error_reporting

    init_error_reporting(SENTRY_DSN)
