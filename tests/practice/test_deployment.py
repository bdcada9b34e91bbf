"""Production settings: `check --deploy` is clean, HTTPS is enforced behind the TLS proxy,
and a missing secret key or host list stops start-up with a message that names it.

The checks run `manage.py` in a process of its own, with the project's settings (not the
tests') and the environment a production machine would give it.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from practice.backups.archive import new_key
from practice.checks import check_stored_email

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "www.example-spine.test,example-spine.test",
    "TRUSTED_PROXIES": "127.0.0.1",
    "OFFICE_EMAIL": "office@riverside-spine.org",
    "DEFAULT_FROM_EMAIL": "Riverside Spine <no-reply@riverside-spine.org>",
    # Never connected to by `check`: a Redis with a password, a database for each use.
    "REDIS_URL": "redis://:a-long-random-password@127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://:a-long-random-password@127.0.0.1:6379/0",
    "BACKUP_KEY": new_key(),
}


def production_environment(**changes):
    """This machine's environment, less any DJANGO_ setting of the shell's, plus production
    values; DATABASE_URL stays as the environment names it (SQLite without one)."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")
    }
    environment |= PRODUCTION | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def manage(*arguments, environment):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "ALLOWED_HOSTS",
]}))
"""


def production_settings(**changes):
    result = manage("shell", "-c", SHOW_SETTINGS, environment=production_environment(**changes))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_check_deploy_finds_nothing_to_warn_about():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_defaults_enforce_https_behind_the_proxy():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["ALLOWED_HOSTS"] == ["www.example-spine.test", "example-spine.test"]


def test_https_settings_can_be_changed_from_the_environment():
    values = production_settings(
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="false",
        DJANGO_SECURE_COOKIES="false",
    )

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("variable", "address"),
    [
        ("OFFICE_EMAIL", "office@example.com"),
        ("OFFICE_EMAIL", "front-desk@riverside-spine.org, office@clinic.test"),
        ("DEFAULT_FROM_EMAIL", "Riverside Spine <no-reply@example.org>"),
        ("DEFAULT_FROM_EMAIL", "no-reply@mail.invalid"),
    ],
)
def test_check_deploy_stops_on_email_to_a_domain_no_one_reads(variable, address):
    result = manage("check", "--deploy", environment=production_environment(**{variable: address}))

    assert result.returncode != 0
    assert f"{variable} sends" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", "CHANGE-ME-to-a-long-random-string-of-the-practices-own-0123456789"),
        ("DATABASE_URL", "postgres://practice:CHANGE@127.0.0.1:5432/practice"),
        ("EMAIL_URL", "smtp+tls://practice%40your-practice.org:CHANGE@smtp.your-practice.org:587"),
        ("REDIS_URL", "redis://:CHANGE@127.0.0.1:6379/1"),
        ("CELERY_BROKER_URL", "redis://:CHANGE@127.0.0.1:6379/0"),
        ("BACKUP_KEY", "CHANGE"),
    ],
)
def test_check_deploy_stops_on_a_value_left_as_the_examples_placeholder(variable, value):
    result = manage("check", "--deploy", environment=production_environment(**{variable: value}))

    assert result.returncode != 0
    assert f"{variable} is still the example's placeholder" in result.stderr


def test_check_deploy_warns_without_a_backup_key():
    result = manage("check", "--deploy", environment=production_environment(BACKUP_KEY=None))

    assert result.returncode == 0
    assert "practice.W003" in result.stderr
    assert "BACKUP_KEY is not set, so no backup is taken." in result.stderr


def test_check_deploy_stops_on_a_backup_key_that_is_no_key():
    result = manage(
        "check", "--deploy", environment=production_environment(BACKUP_KEY="correct horse battery")
    )

    assert result.returncode != 0
    assert "BACKUP_KEY is not an age secret key" in result.stderr


def test_check_deploy_warns_without_a_trusted_front():
    result = manage("check", "--deploy", environment=production_environment(TRUSTED_PROXIES=""))

    assert result.returncode == 0
    assert "practice.W001" in result.stderr + result.stdout


def test_a_trusted_proxy_that_is_no_address_stops_start_up():
    result = manage("check", environment=production_environment(TRUSTED_PROXIES="10.0.0.1,front"))

    assert result.returncode != 0
    assert "TRUSTED_PROXIES names 'front'" in result.stderr


@pytest.mark.django_db
def test_the_stored_office_recipients_are_checked_after_migrate(practice):
    practice.office_recipients = "office@riverside-spine.org, desk@example.com"
    practice.email = "hello@example.net"
    practice.save()

    found = {message.id: message.msg for message in check_stored_email(None, databases=["default"])}

    assert set(found) == {"practice.E004", "practice.W002"}
    assert "desk@example.com" in found["practice.E004"]
    assert check_stored_email(None, databases=None) == []


@pytest.mark.parametrize("value", [None, "", "  "])
def test_start_up_stops_without_a_secret_key(value):
    result = manage("check", environment=production_environment(DJANGO_SECRET_KEY=value))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


@pytest.mark.parametrize("value", [None, "", ","])
def test_start_up_stops_without_allowed_hosts(value):
    result = manage("check", environment=production_environment(DJANGO_ALLOWED_HOSTS=value))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_ALLOWED_HOSTS is not set" in result.stderr
    assert "comma-separated" in result.stderr


@pytest.mark.parametrize("value", [None, "", ","])
def test_start_up_stops_without_field_encryption_keys(value):
    result = manage("check", environment=production_environment(FIELD_ENCRYPTION_KEYS=value))

    assert result.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"DJANGO_DEBUG": "true", "FIELD_ENCRYPTION_KEYS": None}, "practice.E006"),
        ({"FIELD_ENCRYPTION_KEYS": settings.DEVELOPMENT_FIELD_ENCRYPTION_KEY}, "practice.E006"),
        ({"FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},not-a-key"}, "practice.E007"),
    ],
    ids=["missing-with-debug-on", "the-development-key", "malformed"],
)
def test_check_deploy_stops_on_a_field_encryption_key_that_protects_nothing(changes, error):
    result = manage("check", "--deploy", environment=production_environment(**changes))

    assert result.returncode != 0
    assert error in result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_make_run_needs_neither_with_debug_on():
    environment = production_environment(
        DJANGO_DEBUG="true", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None
    )

    result = manage("check", environment=environment)

    assert result.returncode == 0, result.stderr


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/faq/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/faq/"


@pytest.mark.django_db
def test_https_through_the_trusted_front_is_served_with_hsts(client, settings, practice):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    response = client.get("/faq/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [[], ["10.0.0.0/8"], ["unix"]])
def test_a_forged_scheme_from_anyone_but_the_front_is_not_believed(client, settings, trusted):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = trusted

    response = client.get("/faq/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/faq/"


@pytest.mark.django_db
def test_gunicorn_on_a_unix_socket_trusts_the_front_when_told_to(client, settings, practice):
    """A Unix socket gives no sender address; only processes that may open it reach it."""
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["unix"]

    response = client.get("/faq/", REMOTE_ADDR="", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_health_check_answers_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz")

    assert response.status_code != 301
    assert "database" in response.json()
