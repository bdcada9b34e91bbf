"""The spam checks stay out of a patient's way in a real browser, Chromium's autofill included."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import AppointmentRequest
from tests.browser.axe import assert_accessible
from tests.browser.patient import fill_in_a_valid_request
from tests.factories import PracticeFactory
from tests.support.browser import chromium
from tests.support.forms import new_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium as in conftest, showing what its autofill makes of each field.

    With AutofillShowTypePredictions, Chromium writes its guess for each field into the
    field's `autofill-prediction` attribute, and how it came to it into
    `autofill-information`: the same heuristics that decide what it offers to fill.
    """
    with chromium(chromium_path, "--enable-features=AutofillShowTypePredictions") as browser:
        yield browser


def autofill_information(field):
    expect(field).to_have_attribute("autofill-prediction", re.compile(r"."))
    return field.get_attribute("autofill-information")


def test_autofill_fills_the_patients_details_and_never_the_trap(
    live_server, desktop_page, condition
):
    page = desktop_page
    page.goto(f"{live_server.url}/appointments/")
    # Chromium parses a form's fields for autofill once the person starts on it.
    page.get_by_role("textbox", name="Full name").click()

    expect(page.locator("#id_full_name")).to_have_attribute("autofill-prediction", "NAME_FULL")
    expect(page.locator("#id_email")).to_have_attribute("autofill-prediction", "EMAIL_ADDRESS")
    trap = page.locator("#id_leave_empty")
    information = autofill_information(trap)
    assert "overall type: UNKNOWN_TYPE" in information
    assert "heuristic type: UNKNOWN_TYPE" in information
    assert "pwm ml type: NO_SERVER_DATA" in information


def test_trap_is_hidden_from_people_screen_readers_and_the_keyboard(
    live_server, phone_page, condition
):
    page = phone_page
    page.goto(f"{live_server.url}/appointments/")

    expect(page.locator("#id_leave_empty")).to_be_attached()
    expect(page.locator("#id_leave_empty")).to_be_hidden()
    expect(page.get_by_role("textbox", name="Leave this box empty")).to_have_count(0)
    expect(page.get_by_label("Leave this box empty")).to_be_hidden()


def test_patient_who_takes_the_usual_time_is_not_stopped(
    live_server, phone_page, condition, settings, time_machine
):
    settings.APPOINTMENT_FORM_MIN_SECONDS = 3
    page = phone_page
    page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
    fill_in_a_valid_request(page)
    take_longer_than(settings.APPOINTMENT_FORM_MIN_SECONDS, time_machine)

    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    assert AppointmentRequest.objects.get().full_name == "Ana María Núñez"


def test_patient_who_is_too_quick_is_told_and_the_next_tap_sends(
    live_server, phone_page, condition, settings, time_machine
):
    settings.APPOINTMENT_FORM_MIN_SECONDS = 8
    page = phone_page
    shown = time.monotonic()
    page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
    fill_in_a_valid_request(page)
    page.get_by_role("button", name="Send request").click()
    assert elapsed(shown) < settings.APPOINTMENT_FORM_MIN_SECONDS, "the form went too slowly"

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("quicker than a person can fill in the form")
    expect(page.get_by_role("textbox", name="Full name")).to_have_value("Ana María Núñez")
    assert AppointmentRequest.objects.count() == 0

    take_longer_than(settings.APPOINTMENT_FORM_MIN_SECONDS, time_machine)
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    assert AppointmentRequest.objects.count() == 1


def test_patient_over_the_hourly_limit_gets_an_accessible_page_with_the_phone_number(
    live_server, phone_page, condition, settings
):
    PracticeFactory(phone="+1 555 0123")
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    # The browser comes "through a proxy" from an address of this test's own, so that no
    # earlier run's request, which Redis keeps for the hour, counts against it.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    page = phone_page
    page.set_extra_http_headers({"X-Forwarded-For": new_address()})
    for _ in range(2):
        page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
        fill_in_a_valid_request(page)
        page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Please call us about this request")
    expect(
        page.get_by_role("main").get_by_role("link", name="+1 555 0123").first
    ).to_have_attribute("href", "tel:+15550123")
    assert_accessible(page)
    assert AppointmentRequest.objects.count() == 1


def elapsed(since):
    return time.monotonic() - since


def take_longer_than(minimum, time_machine):
    """The patient takes their time: the clock that the live server reads the form's stamp
    by (this process's) moves on past the minimum, with no wait. Chromium and Playwright
    keep their own time."""
    time_machine.move_to(timezone.now() + timedelta(seconds=minimum + 1))
