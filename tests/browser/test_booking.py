"""A patient on a phone books from the condition page, in Chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import expect

from appointments.models import AppointmentRequest
from tests.browser.patient import fill_in_a_valid_request
from tests.factories import ConditionSectionFactory, PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_overflows_sideways(page):
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_patient_books_from_the_condition_page(live_server, phone_page, condition):
    PracticeFactory()
    ConditionSectionFactory(condition=condition, heading="Why a second operation is different")
    page = phone_page

    page.goto(f"{live_server.url}/conditions/revision-spine-surgery/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision spine surgery")
    assert not page_overflows_sideways(page)

    page.get_by_role("main").get_by_role("link", name="Book an appointment").first.click()

    expect(page).to_have_url(re.compile(r"/appointments/\?condition=revision-spine-surgery$"))
    expect(page.get_by_label("What would you like to see the surgeon about?")).to_have_value(
        "revision-spine-surgery"
    )
    assert not page_overflows_sideways(page)
    preferred_date = fill_in_a_valid_request(page)
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    appointment_request = AppointmentRequest.objects.get()
    expect(page.get_by_text("Your reference is")).to_contain_text(appointment_request.reference)
    assert appointment_request.full_name == "Ana María Núñez"
    assert appointment_request.preferred_date == preferred_date
    assert appointment_request.condition == condition


def test_mistakes_are_shown_at_the_field_and_what_was_typed_is_kept(
    live_server, phone_page, condition
):
    page = phone_page
    page.goto(f"{live_server.url}/appointments/")

    page.get_by_role("textbox", name="Full name").fill("Ana María Núñez")
    page.get_by_role("textbox", name="Email", exact=True).fill("ana-at-patient")
    page.get_by_role("button", name="Send request").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Have you had spine surgery before?").click()
    expect(page.get_by_role("radio", name="Yes")).to_be_in_viewport()
    email = page.get_by_role("textbox", name="Email", exact=True)
    expect(page.get_by_role("textbox", name="Full name")).to_have_value("Ana María Núñez")
    expect(email).to_have_value("ana-at-patient")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email_error")).to_have_text(
        "Please enter an email address like name@example.com."
    )
    assert AppointmentRequest.objects.count() == 0
