import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from appointments import spam
from appointments.forms import SOMETHING_ELSE, AppointmentRequestForm
from practice.clinic_days import long_date
from practice.models import Weekday
from tests.factories import (
    ClosureFactory,
    ConditionFactory,
    LocationFactory,
    OpeningHoursFactory,
)

pytestmark = pytest.mark.django_db


def form_with(data, **changes):
    return AppointmentRequestForm(data=data | changes)


def location_open_on(*weekdays, **fields):
    location = LocationFactory(**fields)
    for weekday in weekdays:
        OpeningHoursFactory(location=location, weekday=weekday)
    return location


def next_day_on(weekday, after_days=1):
    """The first day on `weekday` at least `after_days` days from today."""
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_complete_request_is_valid(valid_form_data, condition):
    form = form_with(valid_form_data)

    assert form.is_valid(), form.errors
    fields = form.request_fields()
    assert fields["condition"] == condition
    assert fields["had_spine_surgery"] is True
    assert fields["consent_wording"] == AppointmentRequestForm.CONSENT_WORDING
    assert "consent" not in fields
    assert "has_imaging" not in fields


def test_complete_request_gives_the_service_every_answer(valid_form_data):
    form = form_with(valid_form_data)

    assert form.is_valid(), form.errors
    fields = form.request_fields()
    assert fields["contact_method"] == "phone"
    assert fields["voicemail_ok"] is True
    assert fields["patient_type"] == "new"
    assert fields["visit_kind"] == "second_opinion"
    assert fields["preferred_location"] is None
    assert fields["surgery_year"] == 2019
    assert fields["surgery_level"] == "lumbar"
    assert fields["surgery_place"] == "Springfield General Hospital"
    assert fields["imaging"] == ["mri", "x_ray"]
    assert fields["imaging_age"] == "under_6_months"
    assert fields["referring_doctor"] == "Dr. Lee, Riverside Family Practice"
    assert fields["red_flags"] == []


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("full_name", "Please tell us your name."),
        ("email", "Please give an email address so that we can reply."),
        ("phone", "Please give a phone number so that we can call you."),
        ("condition", "Please choose a condition, or “Something else”."),
        ("preferred_date", "Please choose a date."),
        ("had_spine_surgery", "Please answer yes or no."),
        ("preferred_time", "Please choose morning, afternoon or no preference."),
        ("consent", "Please tick this box so that we can contact you."),
        ("contact_method", "Please choose phone or email."),
        ("patient_type", "Please tell us whether you are a new or a returning patient."),
        ("visit_kind", "Please choose the kind of visit you would like."),
        ("has_imaging", "Please answer yes, no or not sure."),
    ],
)
def test_required_field_left_empty_is_named_at_the_field(valid_form_data, field, message):
    form = form_with(valid_form_data, **{field: ""})

    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert list(form.errors) == [field]


@pytest.mark.parametrize(
    "field", ["message", "referring_doctor", "surgery_level", "surgery_place", "red_flags"]
)
def test_optional_answer_may_be_left_empty(valid_form_data, field):
    form = form_with(valid_form_data, **{field: ""})

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("days_from_today", [-30, -1, 0])
def test_date_that_is_not_after_today_is_rejected(valid_form_data, days_from_today):
    day = timezone.localdate() + timedelta(days=days_from_today)
    form = form_with(valid_form_data, preferred_date=day.isoformat())

    assert form.errors["preferred_date"] == ["Please choose a date after today."]


def test_tomorrow_is_accepted_when_the_practice_is_open(valid_form_data):
    location_open_on(*Weekday)
    tomorrow = timezone.localdate() + timedelta(days=1)

    assert form_with(valid_form_data, preferred_date=tomorrow.isoformat()).is_valid()


def test_last_day_of_the_booking_horizon_is_accepted(valid_form_data, settings):
    settings.APPOINTMENT_HORIZON_DAYS = 90
    location_open_on(*Weekday)
    last = timezone.localdate() + timedelta(days=90)

    assert form_with(valid_form_data, preferred_date=last.isoformat()).is_valid()


def test_date_beyond_the_booking_horizon_is_rejected_naming_the_last_day(valid_form_data, settings):
    settings.APPOINTMENT_HORIZON_DAYS = 90
    location_open_on(*Weekday)
    last = timezone.localdate() + timedelta(days=90)

    form = form_with(valid_form_data, preferred_date=(last + timedelta(days=1)).isoformat())

    assert form.errors["preferred_date"] == [
        f"Please choose a date by {last:%A, %B} {last.day} (we book up to 90 days ahead)."
    ]


def test_date_field_offers_days_from_tomorrow_to_the_horizon(settings):
    settings.APPOINTMENT_HORIZON_DAYS = 30
    tomorrow = timezone.localdate() + timedelta(days=1)
    last = timezone.localdate() + timedelta(days=30)

    field = str(AppointmentRequestForm()["preferred_date"])

    assert f'min="{tomorrow.isoformat()}"' in field
    assert f'max="{last.isoformat()}"' in field


def test_date_help_names_the_clinic_days():
    location_open_on(Weekday.MONDAY, Weekday.WEDNESDAY)
    location_open_on(Weekday.FRIDAY)

    help_text = AppointmentRequestForm().fields["preferred_date"].help_text

    assert help_text.startswith("We see patients on Monday, Wednesday and Friday,")


def test_day_when_every_location_is_closed_is_rejected_with_the_reason(valid_form_data):
    location_open_on(*Weekday)
    thanksgiving = next_day_on(Weekday.THURSDAY, after_days=2)
    ClosureFactory(starts_on=thanksgiving, reason="Thanksgiving")

    form = form_with(valid_form_data, preferred_date=thanksgiving.isoformat())

    assert form.errors["preferred_date"] == [
        f"We are closed on {long_date(thanksgiving)} (Thanksgiving). Please choose another day."
    ]


def test_every_day_of_a_longer_closure_is_rejected(valid_form_data):
    location_open_on(*Weekday)
    first = timezone.localdate() + timedelta(days=5)
    ClosureFactory(starts_on=first, ends_on=first + timedelta(days=6), reason="Holidays")

    for day in (first, first + timedelta(days=3), first + timedelta(days=6)):
        form = form_with(valid_form_data, preferred_date=day.isoformat())
        assert "(Holidays)" in form.errors["preferred_date"][0]
    after = first + timedelta(days=7)
    assert form_with(valid_form_data, preferred_date=after.isoformat()).is_valid()


def test_closure_of_the_chosen_location_is_rejected(valid_form_data):
    northside = location_open_on(*Weekday, name="Northside clinic")
    location_open_on(*Weekday, name="Downtown clinic")
    day = timezone.localdate() + timedelta(days=4)
    ClosureFactory(starts_on=day, location=northside, reason="Staff training")

    form = form_with(
        valid_form_data, preferred_date=day.isoformat(), preferred_location=northside.pk
    )

    assert form.errors["preferred_date"] == [
        f"The Northside clinic is closed on {long_date(day)} (Staff training). "
        "Please choose another day."
    ]


def test_closure_of_one_location_leaves_the_other_open(valid_form_data):
    northside = location_open_on(*Weekday, name="Northside clinic")
    downtown = location_open_on(*Weekday, name="Downtown clinic")
    day = timezone.localdate() + timedelta(days=4)
    ClosureFactory(starts_on=day, location=northside, reason="Staff training")

    form = form_with(
        valid_form_data, preferred_date=day.isoformat(), preferred_location=downtown.pk
    )

    assert form.is_valid(), form.errors


def test_closure_of_one_location_leaves_no_preference_open(valid_form_data):
    northside = location_open_on(*Weekday, name="Northside clinic")
    location_open_on(*Weekday, name="Downtown clinic")
    day = timezone.localdate() + timedelta(days=4)
    ClosureFactory(starts_on=day, location=northside, reason="Staff training")

    form = form_with(valid_form_data, preferred_date=day.isoformat(), preferred_location="")

    assert form.is_valid(), form.errors


def test_weekday_the_chosen_location_is_closed_is_rejected_naming_its_days(valid_form_data):
    northside = location_open_on(
        Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY, name="Northside clinic"
    )
    location_open_on(*Weekday, name="Downtown clinic")
    saturday = next_day_on(Weekday.SATURDAY)

    form = form_with(
        valid_form_data, preferred_date=saturday.isoformat(), preferred_location=northside.pk
    )

    assert form.errors["preferred_date"] == [
        "The Northside clinic is not open on Saturdays; "
        "it sees patients on Monday, Wednesday and Friday."
    ]


def test_weekday_another_location_is_open_is_accepted_with_no_preference(valid_form_data):
    location_open_on(Weekday.MONDAY, name="Northside clinic")
    location_open_on(Weekday.SATURDAY, name="Downtown clinic")
    saturday = next_day_on(Weekday.SATURDAY)

    form = form_with(valid_form_data, preferred_date=saturday.isoformat(), preferred_location="")

    assert form.is_valid(), form.errors


def test_weekday_no_location_is_open_is_rejected_naming_the_practice_days(valid_form_data):
    location_open_on(*range(Weekday.SATURDAY))
    sunday = next_day_on(Weekday.SUNDAY)

    form = form_with(valid_form_data, preferred_date=sunday.isoformat())

    assert form.errors["preferred_date"] == [
        "We are not open on Sundays; we see patients Monday to Friday."
    ]


def test_hours_of_an_unpublished_location_do_not_open_the_practice(valid_form_data):
    location_open_on(*range(Weekday.SATURDAY))
    location_open_on(Weekday.SUNDAY, is_published=False)
    sunday = next_day_on(Weekday.SUNDAY)

    form = form_with(valid_form_data, preferred_date=sunday.isoformat())

    assert "We are not open on Sundays" in form.errors["preferred_date"][0]


def test_location_is_not_asked_when_the_practice_has_one(valid_form_data):
    location_open_on(*Weekday)
    LocationFactory(is_published=False)

    form = form_with(valid_form_data)

    assert "preferred_location" not in form.fields
    assert form.is_valid(), form.errors
    assert form.request_fields()["preferred_location"] is None


def test_locations_are_offered_with_their_days_and_no_preference_first():
    location_open_on(*range(Weekday.SATURDAY), name="Downtown clinic", locality="Springfield")
    location_open_on(Weekday.TUESDAY, Weekday.THURSDAY, name="Riverside", locality="Riverside")
    LocationFactory(name="Closed for good", is_published=False)

    choices = AppointmentRequestForm().fields["preferred_location"].choices

    assert [label for _, label in choices] == [
        "No preference",
        "Downtown clinic, Springfield (Monday to Friday)",
        "Riverside, Riverside (Tuesday and Thursday)",
    ]


def test_chosen_location_is_recorded(valid_form_data):
    downtown = location_open_on(*Weekday)
    location_open_on(*Weekday)

    form = form_with(valid_form_data, preferred_location=downtown.pk)

    assert form.is_valid(), form.errors
    assert form.request_fields()["preferred_location"] == downtown


def test_unpublished_location_cannot_be_chosen(valid_form_data):
    location_open_on(*Weekday)
    location_open_on(*Weekday)
    hidden = location_open_on(*Weekday, is_published=False)

    form = form_with(valid_form_data, preferred_location=hidden.pk)

    assert form.errors["preferred_location"] == ["Please choose one of the places listed."]


@pytest.mark.parametrize("value", ["31/31/2030", "soon", "2030-02-30"])
def test_date_that_is_not_a_date_is_rejected(valid_form_data, value):
    form = form_with(valid_form_data, preferred_date=value)
    assert form.errors["preferred_date"] == ["Please enter a date like 2030-01-31."]


@pytest.mark.parametrize(
    "email",
    ["ana", "ana@", "ana@patient", "ana@patient.test\nBcc: x@y.z", '"ana,bob"@patient.test'],
)
def test_invalid_email_is_rejected(valid_form_data, email):
    form = form_with(valid_form_data, email=email)
    assert form.errors["email"] == ["Please enter an email address like name@example.com."]


@pytest.mark.parametrize(
    ("phone", "e164"),
    [
        ("(201) 555-0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("+1 201 555 0123", "+12015550123"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_usual_phone_formats_are_read_as_one_number(valid_form_data, phone, e164):
    form = form_with(valid_form_data, phone=phone)

    assert form.is_valid(), form.errors
    assert form.request_fields()["phone"].as_e164 == e164


def test_phone_without_a_country_code_is_read_in_the_practice_region(valid_form_data):
    form = form_with(valid_form_data, phone="2015550123")

    assert form.is_valid(), form.errors
    assert form.request_fields()["phone"].country_code == 1


@pytest.mark.parametrize(
    "phone", ["call me", "12345", "555 0100", "+1 555 0100", "020 7946 0958", "1" * 16]
)
def test_phone_that_cannot_be_dialled_is_rejected(valid_form_data, phone):
    form = form_with(valid_form_data, phone=phone)
    assert form.errors["phone"] == [
        "Please enter a phone number we can call, such as (201) 555-0123, "
        "or with its country code, such as +44 20 7946 0958."
    ]


def test_name_with_a_line_break_is_rejected(valid_form_data):
    form = form_with(valid_form_data, full_name="Ana\r\nBcc: someone@else.test")
    assert form.errors["full_name"] == ["Please write this on one line."]


def test_overlong_name_is_rejected(valid_form_data):
    form = form_with(valid_form_data, full_name="A" * 151)
    assert form.errors["full_name"] == ["Please shorten your name to 150 characters."]


def test_message_over_the_limit_is_rejected(valid_form_data):
    form = form_with(valid_form_data, message="x" * 2001)
    assert form.errors["message"] == [
        "Please shorten your message to 2000 characters (it has 2001)."
    ]


def test_message_at_the_limit_is_accepted(valid_form_data):
    assert form_with(valid_form_data, message="x" * 2000).is_valid()


def test_line_breaks_count_once_as_the_browser_counts_them(valid_form_data):
    form = form_with(valid_form_data, message="line\r\n" * 400)

    assert form.is_valid(), form.errors
    assert form.request_fields()["message"] == ("line\n" * 400).strip()


def test_something_else_is_a_valid_choice_without_a_condition(valid_form_data):
    form = form_with(valid_form_data, condition=SOMETHING_ELSE)

    assert form.is_valid(), form.errors
    assert form.request_fields()["condition"] is None


def test_draft_condition_cannot_be_chosen(valid_form_data):
    draft = ConditionFactory(is_published=False)
    form = form_with(valid_form_data, condition=draft.slug)
    assert form.errors["condition"] == ["Please choose one of the options in the list."]


def test_condition_choices_are_published_conditions_then_something_else(condition):
    ConditionFactory(title="Draft page", is_published=False)
    ConditionFactory(title="Adjacent-segment disease")

    choices = [label for _, label in AppointmentRequestForm().fields["condition"].choices]

    assert choices == [
        "Choose one",
        "Adjacent-segment disease",
        "Revision spine surgery",
        "Something else, or I'm not sure",
    ]


def test_unknown_time_of_day_is_rejected(valid_form_data):
    form = form_with(valid_form_data, preferred_time="midnight")
    assert form.errors["preferred_time"] == ["Please choose morning, afternoon or no preference."]


def test_previous_surgery_answer_must_be_yes_or_no(valid_form_data):
    form = form_with(valid_form_data, had_spine_surgery="maybe")
    assert list(form.errors) == ["had_spine_surgery"]


def test_no_previous_surgery_is_recorded_as_no(valid_form_data):
    form = form_with(valid_form_data, had_spine_surgery="no")

    assert form.is_valid(), form.errors
    assert form.request_fields()["had_spine_surgery"] is False


def test_surgery_details_are_dropped_when_there_was_no_surgery(valid_form_data):
    form = form_with(valid_form_data, had_spine_surgery="no", surgery_year="not a year")

    assert form.is_valid(), form.errors
    fields = form.request_fields()
    assert fields["surgery_year"] is None
    assert fields["surgery_level"] == ""
    assert fields["surgery_place"] == ""


def test_year_of_surgery_is_needed_after_yes(valid_form_data):
    form = form_with(valid_form_data, surgery_year="")

    assert form.errors == {
        "surgery_year": [
            "Please enter the year of your last operation, such as 2019. A guess is fine."
        ]
    }


def test_part_and_place_of_surgery_are_optional_after_yes(valid_form_data):
    form = form_with(valid_form_data, surgery_level="", surgery_place="")

    assert form.is_valid(), form.errors
    assert form.request_fields()["surgery_year"] == 2019


def test_year_of_surgery_in_the_future_is_rejected(valid_form_data):
    this_year = timezone.localdate().year

    form = form_with(valid_form_data, surgery_year=str(this_year + 1))

    assert form.errors["surgery_year"] == [
        f"Please enter the year of an operation you have already had ({this_year} or earlier)."
    ]


def test_this_year_is_accepted_for_surgery(valid_form_data):
    this_year = timezone.localdate().year
    assert form_with(valid_form_data, surgery_year=str(this_year)).is_valid()


def test_year_of_surgery_long_ago_is_rejected(valid_form_data):
    this_year = timezone.localdate().year

    form = form_with(valid_form_data, surgery_year=str(this_year - 81))

    assert form.errors["surgery_year"] == [
        f"Please enter a year from {this_year - 80} to {this_year}."
    ]


@pytest.mark.parametrize("year", ["last year", "2019.5", "'19"])
def test_year_of_surgery_that_is_not_a_year_is_rejected(valid_form_data, year):
    form = form_with(valid_form_data, surgery_year=year)
    assert form.errors["surgery_year"] == ["Please enter the year as four digits, such as 2019."]


@pytest.mark.parametrize("answer", ["no", "not_sure"])
def test_scan_details_are_dropped_without_a_yes(valid_form_data, answer):
    form = form_with(valid_form_data, has_imaging=answer, imaging=["mri", "pet"])

    assert form.is_valid(), form.errors
    assert form.request_fields()["imaging"] == []
    assert form.request_fields()["imaging_age"] == ""


def test_kind_of_scan_is_needed_after_yes(valid_form_data):
    form = form_with(valid_form_data, imaging=[])

    assert form.errors == {
        "imaging": ["Please tick the scans you have, or answer “Not sure” above."]
    }


def test_age_of_the_scans_is_needed_after_yes(valid_form_data):
    form = form_with(valid_form_data, imaging_age="")

    assert form.errors == {
        "imaging_age": ["Please say when the most recent scan was taken, or choose “Not sure”."]
    }


def test_voicemail_answer_is_dropped_when_contact_is_by_email(valid_form_data):
    form = form_with(valid_form_data, contact_method="email", voicemail_ok="yes")

    assert form.is_valid(), form.errors
    assert form.request_fields()["voicemail_ok"] is None


def test_voicemail_question_is_needed_when_contact_is_by_phone(valid_form_data):
    form = form_with(valid_form_data, voicemail_ok="")
    assert form.errors == {"voicemail_ok": ["Please answer yes or no."]}


def test_no_voicemail_is_recorded_as_no(valid_form_data):
    form = form_with(valid_form_data, voicemail_ok="no")

    assert form.is_valid(), form.errors
    assert form.request_fields()["voicemail_ok"] is False


def test_ticked_emergency_symptoms_are_recorded(valid_form_data):
    form = form_with(valid_form_data, red_flags=["bladder_bowel", "leg_weakness"])

    assert form.is_valid(), form.errors
    assert form.request_fields()["red_flags"] == ["bladder_bowel", "leg_weakness"]


def test_emergency_symptoms_offered_are_the_three_red_flags():
    labels = [label for _, label in AppointmentRequestForm().fields["red_flags"].choices]

    assert labels == [
        "Sudden loss of bladder or bowel control",
        "Numbness between the legs or around the bottom",
        "Leg weakness that is getting worse quickly",
    ]


def test_unknown_emergency_symptom_is_rejected(valid_form_data):
    form = form_with(valid_form_data, red_flags=["headache"])
    assert form.errors["red_flags"] == ["Please tick only the symptoms listed."]


def test_referring_doctor_on_two_lines_is_rejected(valid_form_data):
    form = form_with(valid_form_data, referring_doctor="Dr. Lee\nBcc: x@y.z")
    assert form.errors["referring_doctor"] == ["Please write this on one line."]


def test_each_showing_of_the_form_carries_a_new_submission_key():
    first = AppointmentRequestForm()["submission_key"].value()
    second = AppointmentRequestForm()["submission_key"].value()

    assert uuid.UUID(first) != uuid.UUID(second)


def test_each_showing_of_the_form_carries_a_stamp_bound_to_its_key():
    form = AppointmentRequestForm(initial={"condition": "revision-spine-surgery"})
    key = uuid.UUID(form["submission_key"].value())
    stamp = form["shown_at"].value()
    later = time.time() + 60

    assert spam.stamp_problem(stamp, key, now=later) is None
    assert spam.stamp_problem(stamp, uuid.uuid4(), now=later) == spam.STAMP_INVALID
    assert spam.stamp_problem(stamp, None, now=later) == spam.STAMP_INVALID
    assert form["condition"].value() == "revision-spine-surgery"


@pytest.mark.parametrize("key", ["", "not-a-uuid", "\x00"])
def test_a_missing_or_mangled_submission_key_asks_once_more_with_a_new_key(valid_form_data, key):
    form = form_with(valid_form_data, submission_key=key)

    assert not form.is_valid()
    assert [error.code for error in form.non_field_errors().as_data()] == [spam.STAMP_INVALID]
    assert form.errors.keys() == {"__all__"}
    new_key = uuid.UUID(form["submission_key"].value())
    assert spam.stamp_problem(form["shown_at"].value(), new_key) is None  # no minimum here
    assert form_with(form.data).is_valid()
