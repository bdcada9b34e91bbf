"""Every staff login, failure and lockout, every reset app and lifted lockout, is in the
audit log: who (the user name typed, for a failure), from where, and what happened."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from practice.audit import Action, AuditEntry
from practice.groups import OFFICE_MANAGERS
from tests.factories import UserFactory
from tests.support.staff import app_code, authenticator, log_in_verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:two_factor_code")
PASSWORD = "a-long-office-password"
STRANGER = {"REMOTE_ADDR": "203.0.113.66"}


@pytest.fixture
def olive():
    user = UserFactory(username="olive")
    user.set_password(PASSWORD)
    user.save()
    authenticator(user)
    return user


def logged():
    """(action, who, from where, details) of each entry, oldest first."""
    return [
        (entry.action, entry.actor, entry.address, entry.details)
        for entry in AuditEntry.objects.order_by("pk")
    ]


def log_in(client, password, **headers):
    return client.post(LOGIN, {"username": "olive", "password": password}, **headers)


def test_a_login_and_its_failures_are_logged(client, olive, time_machine):
    time_machine.move_to("2026-03-03 14:00:00+00:00", tick=False)
    log_in(client, "guess", **STRANGER)
    log_in(client, PASSWORD, **STRANGER)
    client.post(CODE, {"code": "000000"}, **STRANGER)
    time_machine.shift(30)

    client.post(CODE, {"code": app_code(authenticator(olive))}, **STRANGER)

    assert logged() == [
        (Action.LOGIN_FAILED, "olive", "203.0.113.66", {}),
        (Action.LOGIN_CODE_FAILED, "olive", "203.0.113.66", {}),
        (Action.LOGIN_SUCCEEDED, "olive", "203.0.113.66", {"code": "authenticator app"}),
    ]


def test_a_lockout_and_each_login_it_refuses_are_logged(client, olive, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "guess", **STRANGER)

    log_in(client, PASSWORD, **STRANGER)

    lockouts = [entry for entry in logged() if entry[0] == Action.LOGIN_LOCKED_OUT]
    assert [(who, where) for _, who, where, _ in lockouts] == [("olive", "203.0.113.66")] * 2
    assert [(details["by"], details["refused"]) for *_, details in lockouts] == [
        ("pair", False),
        ("pair", True),
    ]


def test_a_reset_app_and_a_lifted_lockout_are_logged(client, olive, settings):
    superuser = log_in_verified(Client(), UserFactory(username="ada", is_superuser=True))
    superuser.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [olive.pk]},
    )
    call_command("reset_two_factor", "olive", stdout=StringIO())
    manager = UserFactory(username="fatima")
    manager.groups.add(Group.objects.get(name=OFFICE_MANAGERS))
    log_in_verified(Client(), manager).post(
        reverse("admin:axes_accessattempt_lift"), {"username": "olive"}
    )

    assert [entry for entry in logged() if entry[0] != Action.LOGIN_FAILED] == [
        (Action.TWO_FACTOR_RESET, "ada", "127.0.0.1", {"user": "olive"}),
        (Action.TWO_FACTOR_RESET, "", "", {"user": "olive", "by": "command"}),
        (Action.LOCKOUT_LIFTED, "fatima", "127.0.0.1", {"username": "olive", "address": ""}),
    ]


def test_a_login_ended_for_want_of_a_code_is_logged(client, olive):
    client.force_login(olive)

    client.get(reverse("admin:index"))

    assert logged() == [
        (
            Action.LOGGED_OUT,
            "olive",
            "127.0.0.1",
            {"why": "Please log in again, with a code from your authenticator app."},
        )
    ]
