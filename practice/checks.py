"""System checks for going live: what `manage.py check --deploy` adds to Django's own.

The settings' checks run before `migrate`; those on what is stored in the database
(`--database default`, as `make up` runs after `migrate`) need its tables.
"""

from email.utils import parseaddr

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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
            id="practice.E008",
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
