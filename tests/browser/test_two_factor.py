"""A member of staff sets up an authenticator app at their first login, and logs in with
its codes after that: in Chromium, through the real pages, typing the codes an app would
show for the key the page gives."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.support.staff import authenticator, code_from_key, unused_app_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-office-passphrase"
ADMIN_INDEX = "Content and appointment requests"


def give_password(page, base_url):
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("olive")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_set_up_their_app_then_log_in_with_its_codes(
    live_server, desktop_page, practice, time_machine
):
    # The clock runs on as usual; the test moves it past django-otp's pause after a wrong
    # code rather than wait for it (the live server's thread reads the same clock).
    time_machine.move_to(time.time(), tick=True)
    page = desktop_page
    user = UserFactory(username="olive")
    user.set_password(PASSWORD)
    user.save()

    give_password(page, live_server.url)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    key = page.locator("#set-up-key").inner_text()
    page.get_by_label("Code").fill(code_from_key(key))
    page.get_by_role("button", name="Confirm and log in").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name=ADMIN_INDEX)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    give_password(page, live_server.url)
    expect(
        page.get_by_role("heading", name="Type the code from your authenticator app")
    ).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is not right, or it has been used already.")).to_be_visible()
    expect(page.get_by_role("heading", name=ADMIN_INDEX)).not_to_be_visible()

    time_machine.shift(timedelta(seconds=2))
    page.get_by_label("Code").fill(unused_app_code(authenticator(user)))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=ADMIN_INDEX)).to_be_visible()
