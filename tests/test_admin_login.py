"""Strangers cannot guess their way into the admin.

django-axes locks out a user name from one address (the pair, after 5 failures); the
site's own counts lock out an address whatever the names it tries (20: password
spraying), and a user name whatever the addresses (10, for a day). A wrong code counts
as a wrong password. A refused login changes nothing, and the office manager can lift a
lockout.
"""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from practice.groups import OFFICE_MANAGERS, OFFICE_STAFF
from tests.factories import UserFactory
from tests.support.staff import app_code, authenticator, log_in_verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:two_factor_code")
LOCKOUTS = reverse("admin:axes_accessattempt_changelist")
LIFT = reverse("admin:axes_accessattempt_lift")
PASSWORD = "a-long-office-password"
STRANGER = {"REMOTE_ADDR": "203.0.113.66"}
OFFICE = {"REMOTE_ADDR": "198.51.100.20"}
# 2 p.m. at the practice: a lockout's end is told in its time.
AFTERNOON = datetime(2026, 3, 3, 14, 0, tzinfo=ZoneInfo("America/New_York"))


def member_of_staff(username):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    authenticator(user)
    return user


@pytest.fixture
def staff_member():
    return member_of_staff("olive")


@pytest.fixture
def afternoon(time_machine):
    time_machine.move_to(AFTERNOON, tick=False)
    return time_machine


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


def test_password_spraying_from_one_address_is_stopped_at_twenty(client, staff_member, afternoon):
    """Five user names, four passwords each: never five for one name, which is all that
    axes counts, but twenty from one address."""
    names = ["olive", "maria", "james", "priya", "sam"]
    tries = [
        log_in(client, name, f"Spring2026!{n}", **STRANGER) for name in names for n in range(4)
    ]

    assert [answer.status_code for answer in tries] == [200] * 19 + [429]
    refused = log_in(client, "olive", PASSWORD, **STRANGER)
    assert refused.status_code == 429
    assert (
        "Too many failed logins from this address (203.0.113.66): logging in from here is "
        "paused until 3 p.m." in refused.text
    )
    assert "ask the office manager" in refused.text
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **OFFICE))


def test_a_name_tried_from_many_addresses_is_paused_for_a_day(client, staff_member, afternoon):
    member_of_staff("maria")
    tries = [log_in(client, "olive", "guess", REMOTE_ADDR=f"192.0.2.{n}") for n in range(1, 11)]

    assert [answer.status_code for answer in tries] == [200] * 9 + [429]
    refused = log_in(client, "olive", PASSWORD, **OFFICE)
    assert refused.status_code == 429
    assert (
        "Too many failed logins for this user name: it is paused until 2 p.m. on "
        "Wednesday, March 4." in refused.text
    )
    assert reached_the_code_step(log_in(client, "maria", PASSWORD, **OFFICE))
    afternoon.shift(timedelta(hours=2))
    assert log_in(client, "olive", PASSWORD, **OFFICE).status_code == 429
    afternoon.shift(timedelta(hours=22))
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **OFFICE))


@pytest.mark.parametrize(
    "trusted_proxies", [[], ["127.0.0.1"]], ids=["no trusted front", "another sender"]
)
def test_a_new_forwarded_address_per_try_does_not_spread_the_count(
    client, staff_member, settings, trusted_proxies
):
    """Forwarded-For is believed only from a trusted front: the stranger's own address
    counts every try, whatever the header says."""
    settings.TRUSTED_PROXIES = trusted_proxies
    tries = [
        log_in(client, f"name{n}", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}", **STRANGER)
        for n in range(20)
    ]

    refused = log_in(client, "olive", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99", **STRANGER)

    assert tries[-1].status_code == 429
    assert refused.status_code == 429
    assert "from this address (203.0.113.66)" in refused.text


def test_a_refused_login_changes_nothing(client, staff_member, afternoon):
    for n in range(20):
        log_in(client, f"name{n}", "guess", **STRANGER)
    recorded = list(AccessAttempt.objects.values_list("username", "failures_since_start"))

    for _ in range(3):
        assert log_in(client, "olive", "guess", **STRANGER).status_code == 429

    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == recorded
    afternoon.shift(timedelta(minutes=61))
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **STRANGER))


def test_wrong_codes_count_as_wrong_passwords(client, staff_member, afternoon, settings):
    assert reached_the_code_step(log_in(client, "olive", PASSWORD))
    right = int(app_code(authenticator(staff_member)))
    wrong = f"{(right + 1) % 1_000_000:06d}"

    answers = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answers.append(client.post(CODE, {"code": wrong}))
        # Past django-otp's own pause after a wrong code (1, 2, 4... seconds).
        afternoon.shift(timedelta(seconds=30))

    assert [answer.status_code for answer in answers[:-1]] == [200] * 4
    assert answers[-1].status_code == 429
    assert "Too many failed logins" in answers[-1].text
    assert log_in(client, "olive", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def office_manager():
    manager = UserFactory(username="fatima")
    manager.groups.add(Group.objects.get(name=OFFICE_MANAGERS))
    return log_in_verified(Client(), manager)


def test_the_office_manager_lifts_a_lockout_from_the_list(client, staff_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "olive", "guess", **STRANGER)
    manager = office_manager()
    assert "olive" in manager.get(LOCKOUTS).text

    lifted = manager.post(
        LOCKOUTS,
        {
            "action": "lift_lockout",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert "Lifted: olive from 203.0.113.66. They may log in again." in lifted.text
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **STRANGER))


def test_the_office_manager_finds_lockouts_under_staff_logins_on_the_front_page():
    front_page = office_manager().get("/admin/").text

    assert "Staff logins" in front_page
    assert "Axes" not in front_page


def test_the_office_manager_lifts_a_user_names_lockout_by_its_name(client, staff_member):
    """A user name stays paused for a day, long after axes has stopped listing its
    failures: the office manager lifts it by name."""
    for n in range(1, 11):
        log_in(client, "olive", "guess", REMOTE_ADDR=f"192.0.2.{n}")
    AccessAttempt.objects.all().delete()
    manager = office_manager()
    assert manager.get(LOCKOUTS).status_code == 200
    assert LIFT in manager.get(LOCKOUTS).text

    nothing = manager.post(LIFT, {"username": "", "address": ""})
    not_an_address = manager.post(LIFT, {"address": "the front desk"})
    lifted = manager.post(LIFT, {"username": "Olive"}, follow=True)

    assert "Give a user name, an address, or both." in nothing.text
    assert "Enter a valid IPv4 or IPv6 address." in not_an_address.text
    assert "Lifted. They may log in again." in lifted.text
    assert reached_the_code_step(log_in(client, "olive", PASSWORD, **OFFICE))


def test_only_the_office_manager_may_lift_a_lockout():
    office = UserFactory(username="omar")
    office.groups.add(Group.objects.get(name=OFFICE_STAFF))
    staff = log_in_verified(Client(), office)

    assert staff.get(LIFT).status_code == 403
    assert staff.post(LIFT, {"username": "olive"}).status_code == 403


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
