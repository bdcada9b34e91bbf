"""What a patient does in the browser, shared by the browser tests."""

from datetime import timedelta

from django.utils import timezone

from practice.clinic_days import ClinicDays


def answer(page, question, option):
    page.get_by_role("group", name=question).get_by_label(option, exact=True).check()


def fill_in_a_valid_request(page):
    """Answer every question on the appointment form as a patient would; returns the date.

    The patient has had surgery and has scans, so the follow-up questions are answered too.
    """
    page.get_by_role("textbox", name="Full name").fill("Ana María Núñez")
    page.get_by_role("textbox", name="Email", exact=True).fill("ana@patient.test")
    page.get_by_role("textbox", name="Phone number").fill("(201) 555-0199")
    answer(page, "How would you like us to contact you?", "Phone")
    answer(page, "If by phone, may we leave a voicemail?", "Yes")
    answer(page, "Have you been a patient here before?", "No, I am a new patient")
    answer(page, "What would you like from the visit?", "A second opinion")
    preferred_date = ClinicDays.for_location(None).next_open_day(
        timezone.localdate() + timedelta(days=5)
    )
    page.get_by_label("Preferred date").fill(preferred_date.isoformat())
    answer(page, "Preferred time of day", "Morning")
    answer(page, "Have you had spine surgery before?", "Yes")
    page.get_by_label("If yes, in which year was your last spine operation?").fill("2019")
    answer(page, "Do you have any scans or X-rays of your spine?", "Yes")
    answer(page, "If yes, which ones?", "MRI")
    answer(page, "If yes, when was the most recent one taken?", "In the last 6 months")
    page.get_by_label("I agree that the practice may contact me").check()
    return preferred_date
