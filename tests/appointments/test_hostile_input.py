"""Whatever is typed or posted into the appointment form: names in any script are kept as
typed, markup stays text, nothing reaches an email header, and nothing breaks the site."""

import email
import email.policy
import time
import uuid
from datetime import date
from typing import NamedTuple

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from appointments import spam
from appointments.emails import build_email
from appointments.forms import AppointmentRequestForm
from appointments.models import AppointmentRequest, Notification
from tests.factories import LocationFactory
from tests.support.forms import fresh_submission

pytestmark = pytest.mark.django_db

FORM_URL = reverse("appointments:request")
NAMES = ["प्रिया शर्मा", "محمد عبد الله", "Seán O'Brien-Nuñez"]
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
INJECTED_HEADER = "\r\nBcc: evil@example.com"
# What an email of ours may carry in its headers; nothing a patient typed may add one.
EMAIL_HEADERS = {
    "Content-Type",
    "MIME-Version",
    "Subject",
    "From",
    "To",
    "Reply-To",
    "Date",
    "Message-ID",
}


def change_page(client, appointment_request):
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment_request.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def sent_emails(appointment_request):
    """The office's and the patient's email about the request, as build_email makes them."""
    office, acknowledgment = (
        build_email(appointment_request.notifications.get(kind=kind))
        for kind in (Notification.Kind.OFFICE, Notification.Kind.ACKNOWLEDGMENT)
    )
    return office, acknowledgment


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_headers_are_ours(message):
    """Serialise the message as it goes on the wire, and read its headers back."""
    __tracebackhide__ = True
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert set(parsed.keys()) <= EMAIL_HEADERS
    for name, value in parsed.items():
        assert "\r" not in value, name
        assert "\n" not in value, name
    recipients = " ".join(message.recipients() + message.reply_to)
    assert "evil@example.com" not in recipients
    assert "evil@example.com" not in str(parsed["Reply-To"] or "")


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_are_saved_and_shown_as_typed(
    client, admin_client, valid_form_data, practice, name
):
    response = client.post(FORM_URL, valid_form_data | {"full_name": name}, follow=True)

    saved = AppointmentRequest.objects.get()
    assert saved.full_name == name
    assert response.context["reference"] == saved.reference
    assert f"Your reference is <strong>{saved.reference}</strong>" in response.text
    assert escape(name) in change_page(admin_client, saved)
    office, acknowledgment = sent_emails(saved)
    assert f"Dear {name}," in acknowledgment.body
    assert f"Dear {escape(name)}," in html_of(acknowledgment)
    assert f"Name:              {name}\n" in office.body
    assert escape(name) in html_of(office)
    for message in (office, acknowledgment):
        assert "&#x27;" not in message.body
        assert "&amp;" not in message.body
        assert_headers_are_ours(message)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", f"Ana{INJECTED_HEADER}"),
        ("full_name", "Ana\nMaría"),
        ("full_name", "Ana\rMaría"),
        ("email", f"ana@patient.test{INJECTED_HEADER}"),
        ("email", "ana@patient.test\nBcc:evil@example.com"),
        ("email", "ana\r\n@patient.test"),
        ("phone", f"(201) 555-0199{INJECTED_HEADER}"),
        ("surgery_place", f"Springfield{INJECTED_HEADER}"),
        ("referring_doctor", f"Dr. Lee{INJECTED_HEADER}"),
        ("full_name", "Ana\u2028María"),
        ("full_name", "Ana\x85María"),
    ],
)
def test_line_break_in_a_one_line_answer_is_refused(client, valid_form_data, field, value):
    response = client.post(FORM_URL, valid_form_data | {field: value})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert AppointmentRequest.objects.count() == 0


@pytest.mark.parametrize("field", [*AppointmentRequestForm.ANSWERS, "has_imaging", "consent"])
def test_no_answer_puts_a_line_break_into_an_email_header(
    client, valid_form_data, settings, practice, field
):
    settings.OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = True
    value = valid_form_data.get(field, "")
    if isinstance(value, list):
        value = value[0]

    client.post(FORM_URL, valid_form_data | {field: f"{value}{INJECTED_HEADER}"})

    for saved in AppointmentRequest.objects.all():
        for message in sent_emails(saved):
            assert_headers_are_ours(message)


def test_message_keeps_its_line_breaks_in_the_email_body_only(
    client, valid_form_data, settings, practice
):
    settings.OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = True

    client.post(FORM_URL, valid_form_data | {"message": f"Hello{INJECTED_HEADER}\r\nTo: x@y.z"})

    saved = AppointmentRequest.objects.get()
    assert saved.message == "Hello\nBcc: evil@example.com\nTo: x@y.z"
    office, acknowledgment = sent_emails(saved)
    assert "Hello\nBcc: evil@example.com\nTo: x@y.z" in office.body
    for message in (office, acknowledgment):
        assert_headers_are_ours(message)


def test_markup_in_every_free_text_answer_is_kept_as_text_and_shown_as_text(
    client, admin_client, valid_form_data, settings, practice
):
    settings.OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = True
    answers = {
        "full_name": SCRIPT,
        "surgery_place": IMAGE,
        "referring_doctor": f"{IMAGE}{SCRIPT}",
        "message": f"{SCRIPT}\n{IMAGE}",
    }

    client.post(FORM_URL, valid_form_data | answers)

    saved = AppointmentRequest.objects.get()
    for name, value in answers.items():
        assert getattr(saved, name) == value
    page = change_page(admin_client, saved)
    office, acknowledgment = sent_emails(saved)
    for html in (page, html_of(office), html_of(acknowledgment)):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert escape(SCRIPT) in page
    assert escape(IMAGE) in page
    assert escape(SCRIPT) in html_of(acknowledgment)
    for value in answers.values():
        assert escape(value).replace("\n", "<br>") in html_of(office)
        assert value in office.body


def test_markup_is_shown_as_text_when_the_form_comes_back_with_a_mistake(client, valid_form_data):
    answers = {
        "full_name": SCRIPT,
        "surgery_place": IMAGE,
        "referring_doctor": IMAGE,
        "message": SCRIPT,
        "email": f"{IMAGE}@x",
        "phone": SCRIPT,
    }

    response = client.post(FORM_URL, valid_form_data | answers)

    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert escape(SCRIPT) in response.text
    assert escape(IMAGE) in response.text
    assert AppointmentRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "N" * 151, "Please shorten your name to 150 characters."),
        (
            "email",
            "ana@" + ("a" * 60 + ".") * 5 + "test",
            "Please enter an email address of at most 254 characters.",
        ),
        ("phone", "2" * 300, "Please enter a phone number we can call"),
        ("surgery_place", "S" * 201, "Please shorten this to 200 characters."),
        ("referring_doctor", "D" * 201, "Please shorten this to 200 characters."),
        ("message", "M" * 2001, "Please shorten your message to 2000 characters (it has 2001)."),
        ("surgery_year", "2019" * 2000, "Please enter the year"),
        ("preferred_date", "2030-01-01" * 1000, "Please enter a date like 2030-01-31."),
        ("full_name", "N" * 1_000_000, "Please shorten your name to 150 characters."),
    ],
    ids=lambda value: value if len(str(value)) < 20 else None,
)
def test_over_long_answer_is_refused_with_a_message_at_its_field(
    client, valid_form_data, field, value, message
):
    response = client.post(FORM_URL, valid_form_data | {field: value})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert any(error.startswith(message) for error in errors[field])
    assert AppointmentRequest.objects.count() == 0


@pytest.mark.parametrize(
    "address",
    ["ana@" + "ä" * 63 + ".test", "ana@\ue000.test", "ana@\u00ad.test"],
    ids=["label-too-long-once-encoded", "private-use", "soft-hyphen-only"],
)
def test_email_domain_that_cannot_be_addressed_is_refused(client, valid_form_data, address):
    response = client.post(FORM_URL, valid_form_data | {"email": address})

    assert list(response.context["form"].errors) == ["email"]
    assert AppointmentRequest.objects.count() == 0


def test_international_email_domain_is_accepted_and_addressed(client, valid_form_data, practice):
    client.post(FORM_URL, valid_form_data | {"email": "ana@müller.test"})

    saved = AppointmentRequest.objects.get()
    office, acknowledgment = sent_emails(saved)
    assert acknowledgment.message()["To"] == "ana@xn--mller-kva.test"
    assert office.message()["Reply-To"] == "ana@xn--mller-kva.test"


class StampFor(NamedTuple):
    """Stands in for a genuine stamp of `seconds_ago`, made in the test once the posted key
    is known: bound to that key ("own"), to another ("other"), or to none (the old kind)."""

    seconds_ago: float
    key: str

    def make(self, posted_key):
        shown_at = time.time() - self.seconds_ago
        if self.key == "none":
            return signing.dumps(int(shown_at), salt=spam.STAMP_SALT)
        key = last(posted_key) if self.key == "own" else uuid.uuid4()
        return spam.form_stamp(key, shown_at)


def last(value):
    """The value the form reads from a field posted with `value`: the last of a list."""
    return (value[-1] if value else None) if isinstance(value, list) else value


# Random posts: every field of the form, followed up or not.
FIELDS = [
    *AppointmentRequestForm.ANSWERS,
    "has_imaging",
    "consent",
    "submission_key",
    "shown_at",
    "leave_empty",
]
# A few values that each field takes, so that random posts are often saved too.
PLAUSIBLE = {
    "red_flags": ["bladder_bowel", "leg_weakness", "nope"],
    "contact_method": ["phone", "email"],
    "voicemail_ok": ["yes", "no"],
    "patient_type": ["new", "returning"],
    "condition": ["revision-spine-surgery", "something-else"],
    "visit_kind": ["first_opinion", "second_opinion", "earlier_operation"],
    "preferred_time": ["morning", "afternoon", "any"],
    "had_spine_surgery": ["yes", "no"],
    "surgery_level": ["cervical", "lumbar", "not_sure"],
    "has_imaging": ["yes", "no", "not_sure"],
    "imaging": ["mri", "ct", "x_ray"],
    "imaging_age": ["under_6_months", "over_a_year"],
    "consent": ["on", "off", ""],
    "submission_key": ["5b0b6d6e-2f5c-4d39-9f0e-0d9b2f1c8a11", ""],
    "leave_empty": [""],
    # Stand-ins for the two locations' ids, which the test puts in.
    "preferred_location": ["", "first", "second"],
}
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
awkward_text = st.text(
    st.one_of(
        st.sampled_from("\r\n\t\x00\x0b\x0c\x1b\x7f\x85\u2028\u2029\u202e\ufeff<>&\"'%;@,"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=40,
)
long_text = st.builds(lambda part, times: (part or "x") * times, any_text, st.integers(50, 3000))
odd_email = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z0-9.+_-]{1,20}", fullmatch=True),
    st.text(st.characters(min_codepoint=0x2D, exclude_categories=["Cs"]), min_size=1, max_size=70),
    st.sampled_from(["test", "com", "xn--p1ai", "中国"]),
)


def field_values(field):
    plausible = [st.sampled_from(PLAUSIBLE[field])] if field in PLAUSIBLE else []
    if field == "preferred_date":
        plausible.append(st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat))
    if field == "surgery_year":
        plausible.append(st.integers(-10, 10_000).map(str))
    if field == "email":
        plausible += [st.emails(), odd_email]
    if field == "phone":
        plausible.append(st.from_regex(r"\+?[0-9 ().-]{1,30}", fullmatch=True))
    if field == "shown_at":
        plausible.append(
            st.builds(
                StampFor,
                st.one_of(
                    st.sampled_from([60, 0, -60, 25 * 60 * 60]),
                    st.floats(-1e12, 1e12, allow_nan=False),
                ),
                st.sampled_from(["own", "other", "none"]),
            )
        )
    return st.one_of(
        *plausible,
        st.none(),  # the field is left out
        any_text,
        awkward_text,
        long_text,
        st.lists(st.one_of(any_text, *plausible), max_size=4),
    )


# A few fields changed at a time, so that many posts are saved and checked too.
random_changes = st.lists(st.sampled_from(FIELDS), max_size=5, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: field_values(name) for name in names})
)


# The fixtures (the database, the condition, two locations, the valid answers) are set up
# once for all the examples, which is what this test wants: each example only posts and adds
# requests, and it looks only at the requests its own post saved.
@settings(
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=random_changes)
def test_random_posts_never_break_the_site_nor_save_anything_invalid(
    valid_form_data, practice, locations, changes
):
    # Each example is a page of its own: a new submission key, and a stamp bound to it.
    data = valid_form_data | fresh_submission()
    data |= {name: value for name, value in changes.items() if value is not None}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
    places = {"first": str(locations[0].pk), "second": str(locations[1].pk)}
    if isinstance(place := data.get("preferred_location"), str):
        data["preferred_location"] = places.get(place, place)
    if "shown_at" in data:
        stamps = data["shown_at"] if isinstance(data["shown_at"], list) else [data["shown_at"]]
        stamps = [
            stamp.make(data.get("submission_key")) if isinstance(stamp, StampFor) else stamp
            for stamp in stamps
        ]
        data["shown_at"] = stamps if isinstance(data["shown_at"], list) else stamps[0]
    saved_before = set(AppointmentRequest.objects.values_list("pk", flat=True))

    response = Client().post(FORM_URL, data)

    assert response.status_code in (200, 302)
    saved = AppointmentRequest.objects.exclude(pk__in=saved_before)
    if response.status_code == 200:
        assert not saved.exists()
    else:
        # Through only with a genuine stamp, and saved (now or before) under the key the
        # stamp was made for: one stamp, one request.
        _, key = spam.read_stamp(last(data.get("shown_at")))
        assert set(saved) <= {AppointmentRequest.objects.get(submission_key=key)}
    # How often each happens: pytest --hypothesis-show-statistics.
    event("refused" if response.status_code == 200 else "saved" if saved else "sent again")
    for appointment_request in saved:
        appointment_request.full_clean()
        assert appointment_request.consent_wording == AppointmentRequestForm.CONSENT_WORDING
        assert appointment_request.consented_at is not None
        for message in sent_emails(appointment_request):
            assert_headers_are_ours(message)


@pytest.fixture
def locations():
    """Two places, so that the form asks where, and that answer is posted at random too."""
    return [LocationFactory(name="Downtown clinic"), LocationFactory(name="Northside clinic")]
