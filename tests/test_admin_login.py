"""Strangers cannot guess their way into the admin: django-axes locks repeated failures out."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "a-long-office-password"


@pytest.fixture
def staff_member():
    user = UserFactory(username="olive")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


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

    response = log_in(client, "olive", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_member.pk)


def test_a_locked_out_name_does_not_lock_out_a_colleague(client, staff_member, settings):
    colleague = UserFactory(username="maria")
    colleague.set_password(PASSWORD)
    colleague.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "olive", "guess")

    response = log_in(client, "maria", PASSWORD)

    assert response.status_code == 302
