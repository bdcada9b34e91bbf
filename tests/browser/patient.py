"""What a patient does in the browser, shared by the browser tests."""

from datetime import timedelta

from django.utils import timezone


def fill_in_a_valid_request(page):
    """Answer every question on the appointment form as a patient would; returns the date."""
    page.get_by_role("textbox", name="Full name").fill("Ana María Núñez")
    page.get_by_role("textbox", name="Email", exact=True).fill("ana@patient.test")
    page.get_by_role("textbox", name="Phone number").fill("+1 555 0199")
    preferred_date = timezone.localdate() + timedelta(days=5)
    page.get_by_label("Preferred date").fill(preferred_date.isoformat())
    page.get_by_role("group", name="Preferred time of day").get_by_label("Morning").check()
    page.get_by_role("group", name="Have you had spine surgery before?").get_by_label("Yes").check()
    page.get_by_label("I agree that the practice may contact me").check()
    return preferred_date
