"""Strangers cannot guess their way into the admin: django-axes locks repeated failures out."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory
from tests.support.staff import app_code, authenticator

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:two_factor_code")
PASSWORD = "a-long-office-password"


def member_of_staff(username):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    authenticator(user)
    return user


@pytest.fixture
def staff_member():
    return member_of_staff("olive")


def log_in(client, username, password, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def reached_the_code_step(response):
    return response.status_code == 302 and response["Location"] == CODE


def test_five_wrong_passwords_lock_the_login_even_against_the_right_one(
    client, staff_member, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        refused = log_in(client, "olive", "guess")
        assert refused.status_code in (200, 429)

    response = log_in(client, "olive", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_or_two_do_not_stand_in_the_way(client, staff_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "olive", "typo").status_code == 200

    assert reached_the_code_step(log_in(client, "olive", PASSWORD))
    response = client.post(CODE, {"code": app_code(authenticator(staff_member))})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_member.pk)


def test_a_locked_out_name_does_not_lock_out_a_colleague(client, staff_member, settings):
    member_of_staff("maria")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "olive", "guess")

    assert reached_the_code_step(log_in(client, "maria", PASSWORD))


def test_behind_the_proxy_a_stranger_locks_out_only_their_own_address(
    client, staff_member, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    stranger = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    office = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "olive", "guess", **stranger)

    assert log_in(client, "olive", PASSWORD, **stranger).status_code == 429
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **office))


def test_the_admins_address_is_a_setting():
    """Set DJANGO_ADMIN_URL, and the admin (its login included) answers there, not at /admin/."""
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_ADMIN_URL": "office-7f3k/",
    }
    script = (
        "import django; django.setup();"
        "from django.urls import Resolver404, resolve, reverse\n"
        "def answers(path):\n"
        "    try:\n"
        "        return resolve(path).url_name\n"
        "    except Resolver404:\n"
        "        return 'nothing'\n"
        "print(reverse('admin:login'), answers('/admin/login/'), answers('/office-7f3k/login/'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["/office-7f3k/login/", "nothing", "login"], result.stderr
