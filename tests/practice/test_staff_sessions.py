"""A staff login ends after half an hour without a page, and with the browser."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.support.staff import app_code, authenticator, log_in_verified

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")


@pytest.fixture
def moment(time_machine):
    time_machine.move_to("2026-03-03 09:00:00-05:00", tick=False)
    return time_machine


def test_a_staff_login_ends_after_thirty_minutes_without_a_page(client, moment):
    log_in_verified(client, UserFactory(is_superuser=True))
    assert client.get(INDEX).status_code == 200

    moment.shift(timedelta(minutes=29))
    assert client.get(INDEX).status_code == 200
    moment.shift(timedelta(minutes=29))
    assert client.get(INDEX).status_code == 200
    moment.shift(timedelta(minutes=31))
    answer = client.get(INDEX, follow=True)

    assert answer.redirect_chain[-1][0].startswith(LOGIN)
    assert "you were logged out after 30 minutes without activity" in answer.text
    assert "_auth_user_id" not in client.session


def test_a_staff_login_in_use_still_ends_after_a_working_day(client, moment, settings):
    log_in_verified(client, UserFactory(is_superuser=True))
    for _ in range(settings.SESSION_COOKIE_AGE // (20 * 60)):
        assert client.get(INDEX).status_code == 200
        moment.shift(timedelta(minutes=20))
    moment.shift(timedelta(minutes=1))

    answer = client.get(INDEX, follow=True)

    assert answer.redirect_chain[-1][0].startswith(LOGIN)
    assert "A login lasts 12 hours at most: please log in again." in answer.text


def test_the_staff_login_cookie_ends_with_the_browser(client, moment):
    user = UserFactory(username="olive")
    user.set_password("a-long-office-password")
    user.save()
    client.post(LOGIN, {"username": "olive", "password": "a-long-office-password"})

    answer = client.post(reverse("admin:two_factor_code"), {"code": app_code(authenticator(user))})

    cookie = answer.cookies["sessionid"]
    assert cookie.value
    assert not cookie["max-age"]
    assert not cookie["expires"]
