"""`check --deploy` on the services the site talks to: the mail server reached without TLS,
Redis without a password, the cache and the broker in one Redis database."""

import pytest

from practice.checks import check_mail_server, check_redis
from tests.practice.test_deployment import manage, production_environment

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_check_deploy_warns_of_each_exposed_service():
    environment = production_environment(
        EMAIL_URL="smtp://practice%40riverside-spine.org:a-password@smtp.riverside-spine.org:25",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="redis://localhost:6379",
    )

    result = manage("check", "--deploy", environment=environment)

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "practice.W010" in output
    assert "smtp.riverside-spine.org:25 without TLS" in output
    assert "REDIS_URL reaches Redis without a password" in output
    assert "CELERY_BROKER_URL reaches Redis without a password" in output
    assert "practice.W012" in output
    assert "a-password" not in output


def ids(messages):
    return [message.id for message in messages]


@pytest.mark.parametrize(
    ("host", "use_tls", "use_ssl", "warned"),
    [
        ("smtp.riverside-spine.org", False, False, True),
        ("smtp.riverside-spine.org", True, False, False),
        ("smtp.riverside-spine.org", False, True, False),
        # A relay on this machine: the message never crosses a network to reach it.
        ("127.0.0.1", False, False, False),
        ("localhost", False, False, False),
        ("::1", False, False, False),
        ("10.0.0.25", False, False, True),
    ],
)
def test_the_mail_server_is_reached_over_tls_unless_it_is_on_this_machine(
    settings, host, use_tls, use_ssl, warned
):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, 587
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = use_tls, use_ssl

    assert ids(check_mail_server(None)) == (["practice.W010"] if warned else [])


def test_emails_written_to_files_draw_no_tls_warning(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS = "smtp.riverside-spine.org", False

    assert check_mail_server(None) == []


@pytest.mark.parametrize(
    ("cache", "broker", "warnings"),
    [
        ("redis://:secret@127.0.0.1:6379/1", "redis://:secret@127.0.0.1:6379/0", []),
        ("rediss://practice:secret@redis.internal:6380/1", "", []),
        ("unix:///run/redis/redis.sock?password=secret&db=1", None, []),
        ("redis://127.0.0.1:6379/1", "redis://:secret@127.0.0.1:6379/0", ["practice.W011"]),
        ("redis://:secret@127.0.0.1/1", "redis://127.0.0.1:6379/0", ["practice.W011"]),
        ("redis://:s@127.0.0.1:6379/0", "redis://:s@localhost", ["practice.W012"]),
        ("redis://:s@10.0.0.5:6379/0", "redis://:s@10.0.0.6:6379/0", []),
        ("redis://:s@127.0.0.1:6379/2", "redis://:s@127.0.0.1:6379?db=2", ["practice.W012"]),
        ("redis://:s@127.0.0.1:6379/1", "amqp://guest:guest@127.0.0.1//", []),
        ("", "redis://:secret@127.0.0.1:6379/0", []),
    ],
)
def test_redis_has_a_password_and_a_database_for_each_use(settings, cache, broker, warnings):
    settings.REDIS_URL, settings.CELERY_BROKER_URL = cache, broker

    assert ids(check_redis(None)) == warnings
