import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from appointments.forms import SOMETHING_ELSE, AppointmentRequestForm
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db


def form_with(data, **changes):
    return AppointmentRequestForm(data=data | changes)


def test_complete_request_is_valid(valid_form_data, condition):
    form = form_with(valid_form_data)

    assert form.is_valid(), form.errors
    fields = form.request_fields()
    assert fields["condition"] == condition
    assert fields["had_spine_surgery"] is True
    assert fields["consent_wording"] == AppointmentRequestForm.CONSENT_WORDING
    assert "consent" not in fields


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
    ],
)
def test_required_field_left_empty_is_named_at_the_field(valid_form_data, field, message):
    form = form_with(valid_form_data, **{field: ""})

    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert list(form.errors) == [field]


def test_message_is_optional(valid_form_data):
    assert form_with(valid_form_data, message="").is_valid()


@pytest.mark.parametrize("days_from_today", [-30, -1, 0])
def test_date_that_is_not_after_today_is_rejected(valid_form_data, days_from_today):
    day = timezone.localdate() + timedelta(days=days_from_today)
    form = form_with(valid_form_data, preferred_date=day.isoformat())

    assert form.errors["preferred_date"] == ["Please choose a date after today."]


def test_tomorrow_is_accepted(valid_form_data):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert form_with(valid_form_data, preferred_date=tomorrow.isoformat()).is_valid()


def test_date_field_offers_nothing_before_tomorrow():
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert f'min="{tomorrow.isoformat()}"' in str(AppointmentRequestForm()["preferred_date"])


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
    "phone", ["555 0100", "+1 (555) 010-0199", "020.7946.0958", "+447700900123"]
)
def test_usual_phone_formats_are_accepted(valid_form_data, phone):
    assert form_with(valid_form_data, phone=phone).is_valid()


@pytest.mark.parametrize("phone", ["call me", "12345", "+1 555 0100 ext 2", "1" * 16])
def test_phone_that_cannot_be_dialled_is_rejected(valid_form_data, phone):
    form = form_with(valid_form_data, phone=phone)
    assert form.errors["phone"] == [
        "Please enter a phone number we can call, e.g. 555 0100 or +1 555 0100."
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


def test_each_showing_of_the_form_carries_a_new_submission_key():
    first = AppointmentRequestForm()["submission_key"].value()
    second = AppointmentRequestForm()["submission_key"].value()

    assert uuid.UUID(first) != uuid.UUID(second)


@pytest.mark.parametrize("key", ["", "not-a-uuid", "\x00"])
def test_a_missing_or_mangled_submission_key_does_not_stop_the_patient(valid_form_data, key):
    form = form_with(valid_form_data, submission_key=key)

    assert form.is_valid(), form.errors
    assert form.request_fields()["submission_key"] is None
