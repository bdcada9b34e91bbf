"""System checks for going live: what `manage.py check --deploy` adds to Django's own.

The settings' checks run before `migrate`; those on what is stored in the database
(`--database default`, as `make up` runs after `migrate`) need its tables.
"""

import ipaddress
import re
from email.utils import parseaddr
from urllib.parse import parse_qs, urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .backups import BackupError
from .backups.archive import key_identity
from .client_address import UNIX_SOCKET, proxy_network
from .validators import parse_email_list

# Names that never reach anyone (RFC 2606 and RFC 6761): mail to them is lost.
RESERVED_DOMAINS = ["example", "example.com", "example.net", "example.org"]
RESERVED_SUFFIXES = ["test", "invalid", "localhost"]
# What deploy/practice.env.example writes where a value of the practice's own must go.
PLACEHOLDER = "CHANGE"


def is_fernet_key(key):
    try:
        Fernet(key)
    except ValueError:
        return False
    return True


def is_reserved(address):
    domain = address.rpartition("@")[2].strip().rstrip(">").lower().rstrip(".")
    return any(
        domain == suffix or domain.endswith(f".{suffix}")
        for suffix in [*RESERVED_DOMAINS, *RESERVED_SUFFIXES]
    )


@register(Tags.security)
def check_trusted_proxies(app_configs, **kwargs):
    return [
        Error(
            f"TRUSTED_PROXIES names {proxy!r}, which is neither an address, a network "
            f"nor {UNIX_SOCKET!r}.",
            hint="e.g. TRUSTED_PROXIES=127.0.0.1 for a front on the same machine.",
            id="practice.E001",
        )
        for proxy in settings.TRUSTED_PROXIES
        if proxy_network(proxy) is None
    ]


@register(Tags.security, deploy=True)
def check_front(app_configs, **kwargs):
    if settings.TRUSTED_PROXIES or not settings.SECURE_SSL_REDIRECT:
        return []
    return [
        Warning(
            "TRUSTED_PROXIES is empty, so the site believes no front's X-Forwarded-Proto "
            "and redirects every request to HTTPS.",
            hint="Name the front that ends TLS (deploy/), e.g. TRUSTED_PROXIES=127.0.0.1.",
            id="practice.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_staff_two_factor(app_configs, **kwargs):
    if settings.STAFF_TWO_FACTOR_REQUIRED:
        return []
    return [
        Error(
            "STAFF_TWO_FACTOR_REQUIRED is off: staff log in to the admin with a password alone.",
            hint="Remove STAFF_TWO_FACTOR_REQUIRED from the environment; only `make run` "
            "turns it off.",
            id="practice.E009",
        )
    ]


@register(Tags.security, deploy=True)
def check_placeholders(app_configs, **kwargs):
    """A value copied from the example environment and never filled in."""
    values = {
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": str(settings.DATABASES["default"].get("PASSWORD", "")),
        "EMAIL_URL": str(getattr(settings, "EMAIL_HOST_PASSWORD", "")),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        **{
            name: " ".join(redis_password(url) or "" for url in urls)
            for name, urls in redis_urls().items()
        },
        "BACKUP_KEY": settings.BACKUP_KEY,
    }
    return [
        Error(
            f"{name} is still the example's placeholder.",
            hint="Fill in every value marked CHANGE in the environment file.",
            id="practice.E005",
        )
        for name, value in values.items()
        if PLACEHOLDER in value
    ]


@register(Tags.security, deploy=True)
def check_field_encryption_keys(app_configs, **kwargs):
    """The keys that encrypt patients' clinical answers: real ones, of the practice's own."""
    errors = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        if key == settings.DEVELOPMENT_FIELD_ENCRYPTION_KEY:
            errors.append(
                Error(
                    "FIELD_ENCRYPTION_KEYS is not set: patients' clinical answers are "
                    "encrypted with the development key, which anyone can read.",
                    hint="Set FIELD_ENCRYPTION_KEYS to a key of the practice's own, made "
                    "with: python3 -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="practice.E006",
                )
            )
        elif PLACEHOLDER not in key and not is_fernet_key(key):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key.",
                    hint="A Fernet key is 32 bytes in URL-safe base64 (44 characters); "
                    "keys are separated by commas.",
                    id="practice.E007",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_backup_key(app_configs, **kwargs):
    """Backups are encrypted with BACKUP_KEY: without a usable one, none is taken."""
    if not settings.BACKUP_KEY:
        return [
            Warning(
                "BACKUP_KEY is not set, so no backup is taken.",
                hint="Make one with `manage.py backup --new-key` (README, “Backups”).",
                id="practice.W003",
            )
        ]
    if PLACEHOLDER in settings.BACKUP_KEY:
        return []  # practice.E005 says so
    try:
        key_identity(settings.BACKUP_KEY)
    except BackupError as error:
        return [Error(str(error), id="practice.E008")]
    return []


@register("email", deploy=True)
def check_email_settings(app_configs, **kwargs):
    errors = []
    for address in settings.OFFICE_EMAIL:
        if is_reserved(address):
            errors.append(
                Error(
                    f"OFFICE_EMAIL sends the office's emails to {address}, which no one reads.",
                    hint="Set OFFICE_EMAIL to the office's own address(es), comma-separated.",
                    id="practice.E002",
                )
            )
    if is_reserved(parseaddr(settings.DEFAULT_FROM_EMAIL)[1]):
        errors.append(
            Error(
                f"DEFAULT_FROM_EMAIL sends every email from {settings.DEFAULT_FROM_EMAIL}, "
                "a domain mail servers refuse.",
                hint="Set it to an address of the practice's own domain.",
                id="practice.E003",
            )
        )
    return errors


@register(Tags.database, deploy=True)
def check_stored_email(app_configs, databases=None, **kwargs):
    """What staff (or a loader) stored: where requests go, and where patients reply."""
    if not databases:
        return []
    from .models import Practice

    practice = Practice.objects.first()
    if practice is None:
        return []
    errors = [
        Error(
            f"The office's emails go to {address}, stored in the admin, which no one reads.",
            hint="Change “office email recipients” in the admin's Practice details.",
            id="practice.E004",
        )
        for address in parse_email_list(practice.office_recipients)
        if is_reserved(address)
    ]
    if practice.email and is_reserved(practice.email):
        errors.append(
            Warning(
                f"Patients' replies go to {practice.email}, the practice's public email "
                "stored in the admin, which no one reads.",
                hint="Change “public email” in the admin's Practice details.",
                id="practice.W002",
            )
        )
    return errors


# The services the site talks to (item 7 of issue 14).

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def is_loopback(host):
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@register(Tags.security, deploy=True)
def check_mail_server(app_configs, **kwargs):
    """Patients' names and contact details, and the server's password, cross the network
    in the clear. A relay on this machine is let be: nothing leaves the machine to reach
    it, and sending on is the relay's to secure."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL or is_loopback(settings.EMAIL_HOST):
        return []
    return [
        Warning(
            f"Emails go to the mail server {settings.EMAIL_HOST}:{settings.EMAIL_PORT} without "
            "TLS: the patients' details in them, and the server's password, can be read on "
            "the way.",
            hint="In EMAIL_URL use smtp+tls:// (STARTTLS, usually port 587) or smtps:// "
            "(port 465), or a relay on this machine (smtp://127.0.0.1:25).",
            id="practice.W010",
        )
    ]


def redis_urls():
    """The Redis servers the site uses, by the variable that names them."""
    urls = {}
    if getattr(settings, "REDIS_URL", ""):
        urls["REDIS_URL"] = re.split("[;,]", settings.REDIS_URL)
    broker = settings.CELERY_BROKER_URL or ""
    if broker.startswith(("redis://", "rediss://", "unix://")):
        urls["CELERY_BROKER_URL"] = broker.split(";")
    return urls


def redis_password(url):
    parts = urlsplit(url)
    return parts.password or parse_qs(parts.query).get("password", [None])[0]


def redis_database(url):
    """Where a URL's keys go: the server (loopback names as one) and the database number."""
    parts = urlsplit(url)
    number = parse_qs(parts.query).get("db", [parts.path.strip("/") or "0"])[0]
    if parts.scheme == "unix":
        return (parts.path, None, number)
    host = parts.hostname or "localhost"
    return ("loopback" if is_loopback(host) else host, parts.port or 6379, number)


@register(Tags.security, deploy=True)
def check_redis(app_configs, **kwargs):
    urls = redis_urls()
    warnings = [
        Warning(
            f"{name} reaches Redis without a password: whoever can connect to it can read "
            "and change what the site keeps there, and queue tasks for its workers.",
            hint="Set `requirepass` in Redis's configuration, and give the password in the "
            "URL: redis://:PASSWORD@127.0.0.1:6379/0.",
            id="practice.W011",
        )
        for name, servers in urls.items()
        if not all(redis_password(url) for url in servers)
    ]
    if len(urls) == 2:
        cache, broker = ({redis_database(url) for url in servers} for servers in urls.values())
        if cache & broker:
            warnings.append(
                Warning(
                    "The cache (REDIS_URL) and the broker (CELERY_BROKER_URL) share a Redis "
                    "database: clearing the cache, or Redis evicting from it when full, "
                    "would lose the tasks queued for sending emails.",
                    hint="Give each a database of its own: REDIS_URL=redis://...:6379/1 and "
                    "CELERY_BROKER_URL=redis://...:6379/0.",
                    id="practice.W012",
                )
            )
    return warnings
