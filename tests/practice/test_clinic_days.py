from datetime import date, timedelta

import pytest
from django.utils import timezone

from practice.clinic_days import ClinicDays, booking_window, long_date
from practice.models import Weekday
from tests.factories import ClosureFactory, LocationFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db


def days(*weekdays):
    return ClinicDays(frozenset(weekdays), ())


@pytest.mark.parametrize(
    ("weekdays", "text", "when_open"),
    [
        (range(5), "Monday to Friday", "Monday to Friday"),
        ((0, 2, 4), "Monday, Wednesday and Friday", "on Monday, Wednesday and Friday"),
        ((1, 3), "Tuesday and Thursday", "on Tuesday and Thursday"),
        ((5,), "Saturday", "on Saturday"),
        ((0, 1), "Monday and Tuesday", "on Monday and Tuesday"),
    ],
)
def test_clinic_days_are_described_in_words(weekdays, text, when_open):
    assert days(*weekdays).days_text == text
    assert days(*weekdays).when_open == when_open


def test_practice_without_hours_is_open_on_weekdays():
    assert ClinicDays.for_location(None).days_text == "Monday to Friday"


def test_no_preference_means_any_published_location():
    OpeningHoursFactory(weekday=Weekday.MONDAY)
    OpeningHoursFactory(weekday=Weekday.THURSDAY)
    OpeningHoursFactory(weekday=Weekday.SUNDAY, location=LocationFactory(is_published=False))

    assert ClinicDays.for_location(None).weekdays == {Weekday.MONDAY, Weekday.THURSDAY}


def test_next_open_day_skips_closed_weekdays_and_closures():
    location = LocationFactory()
    OpeningHoursFactory(location=location, weekday=Weekday.MONDAY)
    first_monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    ClosureFactory(starts_on=first_monday, location=location)

    clinic_days = ClinicDays.for_location(location)

    assert clinic_days.next_open_day(timezone.localdate()) == first_monday + timedelta(days=7)


def test_past_closures_are_left_out():
    ClosureFactory(starts_on=timezone.localdate() - timedelta(days=3))

    assert ClinicDays.for_location(None).closures == ()


def test_booking_window_runs_from_tomorrow_to_the_horizon(settings):
    settings.APPOINTMENT_HORIZON_DAYS = 30

    assert booking_window(date(2026, 1, 10)) == (date(2026, 1, 11), date(2026, 2, 9))


def test_long_date_names_the_weekday():
    assert long_date(date(2026, 11, 26)) == "Thursday, November 26"
