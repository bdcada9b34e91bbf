"""A patient on a phone books from the condition page, in Chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import expect

from appointments.models import AppointmentRequest
from tests.browser.patient import answer, fill_in_a_valid_request
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
    surgery = page.get_by_role("group", name="Have you had spine surgery before?")
    expect(surgery.get_by_role("radio", name="Yes")).to_be_in_viewport()
    email = page.get_by_role("textbox", name="Email", exact=True)
    expect(page.get_by_role("textbox", name="Full name")).to_have_value("Ana María Núñez")
    expect(email).to_have_value("ana-at-patient")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email_error")).to_have_text(
        "Please enter an email address like name@example.com."
    )
    assert AppointmentRequest.objects.count() == 0


def test_surgery_questions_appear_only_after_yes(live_server, phone_page, condition):
    page = phone_page
    page.goto(f"{live_server.url}/appointments/")
    year = page.get_by_label("If yes, in which year was your last spine operation?")
    place = page.get_by_label("If yes, where was it done? (optional)")
    expect(year).to_be_hidden()
    expect(place).to_be_hidden()

    answer(page, "Have you had spine surgery before?", "Yes")

    expect(year).to_be_visible()
    expect(place).to_be_visible()
    expect(page.get_by_role("group", name="If yes, which part of your spine")).to_be_visible()

    answer(page, "Have you had spine surgery before?", "No")

    expect(year).to_be_hidden()


def test_scan_and_voicemail_questions_appear_only_after_the_answer_that_asks_them(
    live_server, phone_page, condition
):
    page = phone_page
    page.goto(f"{live_server.url}/appointments/")
    which_scans = page.get_by_role("group", name="If yes, which ones?")
    voicemail = page.get_by_role("group", name="If by phone, may we leave a voicemail?")
    expect(which_scans).to_be_hidden()
    expect(voicemail).to_be_hidden()

    answer(page, "Do you have any scans or X-rays of your spine?", "Not sure")
    answer(page, "How would you like us to contact you?", "Email")
    expect(which_scans).to_be_hidden()
    expect(voicemail).to_be_hidden()

    answer(page, "Do you have any scans or X-rays of your spine?", "Yes")
    answer(page, "How would you like us to contact you?", "Phone")
    expect(which_scans).to_be_visible()
    expect(voicemail).to_be_visible()


def test_emergency_alert_appears_when_a_symptom_is_ticked(live_server, phone_page, condition):
    PracticeFactory(phone="+1 555 0123")
    page = phone_page
    page.goto(f"{live_server.url}/appointments/")
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(0)

    symptoms = page.get_by_role("group", name="Do you have any of these right now?")
    symptoms.get_by_label("Leg weakness that is getting worse quickly").check()

    expect(alert).to_be_visible()
    expect(alert).to_contain_text("you need emergency care now, not a web request")
    expect(alert.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(alert.get_by_role("link", name="+1 555 0123")).to_be_visible()
    assert not page_overflows_sideways(page)

    symptoms.get_by_label("Leg weakness that is getting worse quickly").uncheck()
    expect(alert).to_have_count(0)


def test_urgent_request_can_still_be_sent_and_thanks_page_repeats_the_advice(
    live_server, phone_page, condition
):
    PracticeFactory(phone="+1 555 0123")
    page = phone_page
    page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
    page.get_by_label("Sudden loss of bladder or bowel control").check()
    fill_in_a_valid_request(page)

    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    advice = page.get_by_role("alert")
    expect(advice).to_contain_text("Please get emergency care now")
    expect(advice.get_by_role("link", name="911")).to_be_visible()
    assert AppointmentRequest.objects.get().is_urgent


def test_whole_form_works_without_javascript(live_server, phone_page_without_javascript, condition):
    page = phone_page_without_javascript
    page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
    expect(page.get_by_label("If yes, in which year was your last spine operation?")).to_be_hidden()

    preferred_date = fill_in_a_valid_request(page)
    page.get_by_label("If yes, where was it done? (optional)").fill("Springfield General")
    answer(
        page, "If yes, which part of your spine was operated on? (optional)", "Lower back (lumbar)"
    )
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    saved = AppointmentRequest.objects.get()
    assert saved.preferred_date == preferred_date
    assert saved.voicemail_ok is True
    assert (saved.surgery_year, saved.surgery_level, saved.surgery_place) == (
        2019,
        "lumbar",
        "Springfield General",
    )
    assert (saved.imaging, saved.imaging_age) == (["mri"], "under_6_months")
