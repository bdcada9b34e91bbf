"""Staff's second factor: the password alone opens nothing; a code from the authenticator
app (or a backup code, once) finishes the login; a superuser, or a command on the server,
resets a lost app."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tests.support.staff import app_code, authenticator, code_from_key, log_in_verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:two_factor_code")
SET_UP = reverse("admin:two_factor_set_up")
INDEX = reverse("admin:index")
USERS = reverse("admin:auth_user_changelist")
PASSWORD = "a-long-office-password"
WRONG_CODE = "That code is not right, or it has been used already."


@pytest.fixture
def olive():
    user = UserFactory(username="olive")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def olives_app(olive):
    return authenticator(olive)


def give_password(client, next_url=INDEX):
    return client.post(LOGIN, {"username": "olive", "password": PASSWORD, "next": next_url})


def is_logged_in(client):
    return client.get(INDEX).status_code == 200


def test_the_right_password_alone_opens_nothing(client, olives_app):
    answer = give_password(client)

    assert answer.status_code == 302
    assert answer["Location"] == CODE
    assert "_auth_user_id" not in client.session
    assert client.get(INDEX)["Location"].startswith(LOGIN)


def test_a_code_from_the_app_finishes_the_login(client, olives_app):
    give_password(client, next_url="/admin/practice/closure/")

    code_page = client.get(CODE)
    answer = client.post(CODE, {"code": app_code(olives_app)})

    assert "Type the code from your authenticator app" in code_page.text
    assert 'autocomplete="one-time-code"' in code_page.text
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/practice/closure/"
    assert is_logged_in(client)


def test_a_wrong_code_says_so_and_changes_nothing(client, olives_app):
    give_password(client)

    answer = client.post(CODE, {"code": "12345"})

    assert answer.status_code == 200
    assert WRONG_CODE in answer.text
    assert 'class="errorlist' in answer.text
    assert "_auth_user_id" not in client.session
    assert not is_logged_in(client)


def test_a_code_used_once_is_refused_the_second_time(client, olives_app):
    code = app_code(olives_app)
    give_password(client)
    client.post(CODE, {"code": code})
    client.post(reverse("admin:logout"))
    stranger = Client()
    give_password(stranger)

    replayed = stranger.post(CODE, {"code": code})

    assert WRONG_CODE in replayed.text
    assert not is_logged_in(stranger)


def test_a_backup_code_logs_in_once(client, olive, time_machine):
    time_machine.move_to("2026-03-03 14:00:00+00:00", tick=False)
    give_password(client)
    client.get(SET_UP)
    client.post(SET_UP, {"code": app_code(TOTPDevice.objects.get(user=olive))})
    backup_code = StaticToken.objects.filter(device__user=olive).first().token
    client.post(reverse("admin:logout"))

    give_password(client)
    first = client.post(CODE, {"code": backup_code.upper()})
    client.post(reverse("admin:logout"))
    time_machine.shift(timedelta(seconds=30))
    give_password(client)
    second = client.post(CODE, {"code": backup_code})

    assert first.status_code == 302
    assert WRONG_CODE in second.text
    assert StaticToken.objects.filter(device__user=olive).count() == 9


def test_the_first_login_sets_up_the_app_with_a_qr_code_the_policy_allows(client, olive):
    assert give_password(client)["Location"] == SET_UP

    page = client.get(SET_UP)

    [svg] = re.findall(r'<svg[^>]*class="qr-code".*?</svg>', page.text, re.DOTALL)
    assert "<path" in svg
    assert "style" not in svg
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "no-store" in page["Cache-Control"]
    key = re.search(r'<code id="set-up-key">([A-Z2-7 ]+)</code>', page.text)[1]
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", key)
    # The same key until a code from it confirms it: reloading does not undo a scan.
    assert key in client.get(SET_UP).text
    assert "_auth_user_id" not in client.session

    confirmed = client.post(SET_UP, {"code": code_from_key(key)})

    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", confirmed.text)
    assert len(set(codes)) == 10
    assert "shown only this once" in confirmed.text
    assert "no-store" in confirmed["Cache-Control"]
    assert TOTPDevice.objects.get(user=olive).confirmed
    assert is_logged_in(client)


def test_a_wrong_code_does_not_set_up_the_app(client, olive):
    give_password(client)

    answer = client.post(SET_UP, {"code": "000000"})

    assert WRONG_CODE in answer.text
    assert not TOTPDevice.objects.get(user=olive).confirmed
    assert not is_logged_in(client)


def test_the_code_step_waits_no_longer_than_a_quarter_of_an_hour(client, olives_app, time_machine):
    time_machine.move_to("2026-03-03 14:00:00+00:00", tick=False)
    give_password(client)
    time_machine.shift(timedelta(minutes=16))

    answer = client.post(CODE, {"code": app_code(olives_app)}, follow=True)

    assert "Please log in with your user name and password first." in answer.text
    assert not is_logged_in(client)


def test_a_login_without_a_code_opens_no_admin_page(client, olive):
    """A login from before staff had a second factor: ended on its next page."""
    client.force_login(olive)

    answer = client.get(INDEX, follow=True)

    assert answer.redirect_chain[-1][0].startswith(LOGIN)
    assert "Please log in again, with a code from your authenticator app." in answer.text
    assert "_auth_user_id" not in client.session


def test_a_superuser_resets_a_lost_app_and_its_owner_is_logged_out(client, olive, olives_app):
    log_in_verified(client, olive)
    superuser = log_in_verified(Client(), UserFactory(username="ada", is_superuser=True))
    assert "has_authenticator" in superuser.get(USERS).text

    superuser.post(USERS, {"action": "reset_two_factor", "_selected_action": [olive.pk]})

    assert not TOTPDevice.objects.filter(user=olive).exists()
    answer = client.get(INDEX, follow=True)
    assert "Your authenticator app was reset, so you were logged out." in answer.text
    assert give_password(client)["Location"] == SET_UP


def test_only_a_superuser_may_reset_an_app(olive, olives_app):
    manager = UserFactory(username="lena")
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    colleague = log_in_verified(Client(), manager)

    page = colleague.get(USERS)
    colleague.post(USERS, {"action": "reset_two_factor", "_selected_action": [olive.pk]})

    assert page.status_code == 200
    assert "reset_two_factor" not in page.text
    assert TOTPDevice.objects.filter(user=olive).exists()


def test_the_command_resets_the_last_superusers_app(olive, olives_app):
    output = StringIO()

    call_command("reset_two_factor", "olive", stdout=output)

    assert output.getvalue() == (
        "Removed olive's authenticator app and 0 unused backup codes. At their next login "
        "they set up a new app.\n"
    )
    assert not TOTPDevice.objects.filter(user=olive).exists()
    with pytest.raises(CommandError, match="No user is named 'nobody'"):
        call_command("reset_two_factor", "nobody")


def test_check_deploy_refuses_staff_logins_with_a_password_alone(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False

    errors = run_checks(include_deployment_checks=True)

    assert "practice.E009" in [error.id for error in errors]


def test_make_run_lets_staff_in_with_a_password_alone(client, olive, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False

    answer = give_password(client)

    assert answer["Location"] == INDEX
    assert is_logged_in(client)
