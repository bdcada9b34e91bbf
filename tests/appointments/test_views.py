from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from appointments.models import AppointmentRequest, Notification
from tests.factories import ConditionFactory, LocationFactory, PracticeFactory
from tests.support.forms import fresh_submission

pytestmark = pytest.mark.django_db

FORM_URL = reverse("appointments:request")


def test_form_page_asks_for_each_detail(client, condition):
    response = client.get(FORM_URL)

    assert response.status_code == 200
    for label in [
        "Full name",
        "Email",
        "Phone number",
        "What would you like to see the surgeon about?",
        "Preferred date",
        "Preferred time of day",
        "Have you had spine surgery before?",
        "Anything you would like us to know (optional)",
        "I agree that the practice may contact me",
        "Do you have any of these right now?",
        "How would you like us to contact you?",
        "If by phone, may we leave a voicemail?",
        "Have you been a patient here before?",
        "What would you like from the visit?",
        "If yes, in which year was your last spine operation?",
        "If yes, which part of your spine was operated on? (optional)",
        "If yes, where was it done? (optional)",
        "Do you have any scans or X-rays of your spine?",
        "If yes, which ones?",
        "If yes, when was the most recent one taken?",
        "Which doctor referred you to us? (optional)",
    ]:
        assert label in response.text


def test_emergency_alert_after_the_symptoms_names_the_numbers_to_call(client, condition):
    PracticeFactory(phone="+1 555 0123")

    response = client.get(FORM_URL)

    alert = response.text.split('class="alert alert-danger red-flag-alert" role="alert"')[1]
    alert = alert.split("</div>")[0]
    assert "you need emergency care now, not a web request" in alert
    assert '<a href="tel:911">911</a> in the US' in alert
    assert '<a href="tel:+15550123">+1 555 0123</a>' in alert


def test_location_is_asked_only_when_the_practice_has_more_than_one(client, condition):
    LocationFactory(name="Downtown clinic")
    assert "Where would you like to be seen?" not in client.get(FORM_URL).text

    LocationFactory(name="Riverside clinic")
    response = client.get(FORM_URL)
    assert "Where would you like to be seen?" in response.text
    assert "No preference" in response.text


def test_condition_in_the_address_is_preselected(client, condition):
    ConditionFactory(title="Pseudarthrosis")

    response = client.get(FORM_URL, {"condition": condition.slug})

    assert f'<option value="{condition.slug}" selected>' in response.text
    assert response.text.count(" selected>") == 1


def test_unknown_condition_in_the_address_preselects_nothing(client, condition):
    response = client.get(FORM_URL, {"condition": "no-such-page"})

    assert response.status_code == 200
    assert " selected>" not in response.text


def test_invalid_request_shows_errors_keeps_input_and_saves_nothing(client, valid_form_data):
    data = valid_form_data | {"email": "not-an-email", "consent": ""}

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert "Please check 2 answers" in response.text
    assert "Please enter an email address like name@example.com." in response.text
    assert "Please tick this box so that we can contact you." in response.text
    assert 'value="Ana María Núñez"' in response.text
    assert 'value="not-an-email"' in response.text
    assert "The pain came back a year after my fusion." in response.text
    assert AppointmentRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_valid_request_is_saved_with_two_emails_waiting(client, valid_form_data, condition):
    response = client.post(FORM_URL, valid_form_data)

    assert response.status_code == 302
    assert response.url == reverse("appointments:thanks")
    saved = AppointmentRequest.objects.get()
    assert saved.full_name == "Ana María Núñez"
    assert saved.condition == condition
    assert saved.had_spine_surgery is True
    assert saved.status == AppointmentRequest.Status.NEW
    assert saved.consented_at is not None
    assert "may contact me" in saved.consent_wording
    assert saved.surgery_year == 2019
    assert saved.imaging == ["mri", "x_ray"]
    assert saved.voicemail_ok is True
    assert saved.is_urgent is False
    kinds = set(saved.notifications.values_list("kind", "status"))
    assert kinds == {
        (Notification.Kind.OFFICE, Notification.Status.PENDING),
        (Notification.Kind.ACKNOWLEDGMENT, Notification.Status.PENDING),
    }


def test_emails_go_out_once_the_request_is_committed(
    client, valid_form_data, practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, valid_form_data)

    assert sorted(message.to for message in mail.outbox) == [
        ["ana@patient.test"],
        ["office@practice.test", "manager@practice.test"],
    ]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_thanks_page_shows_the_reference_of_this_request(client, valid_form_data):
    response = client.post(FORM_URL, valid_form_data, follow=True)

    reference = AppointmentRequest.objects.get().reference
    assert response.status_code == 200
    assert f"Your reference is <strong>{reference}</strong>" in response.text
    assert "What happens next" in response.text


def test_phone_is_saved_in_one_format_and_shown_formatted(client, valid_form_data):
    client.post(FORM_URL, valid_form_data | {"phone": "201.555.0199"})

    assert AppointmentRequest.objects.values_list("phone", flat=True).get() == "+12015550199"
    assert str(AppointmentRequest.objects.get().phone) == "+1 201-555-0199"


def test_answers_that_do_not_apply_are_not_saved(client, valid_form_data):
    client.post(
        FORM_URL,
        valid_form_data
        | {"had_spine_surgery": "no", "has_imaging": "no", "contact_method": "email"},
    )

    saved = AppointmentRequest.objects.get()
    assert (saved.surgery_year, saved.surgery_level, saved.surgery_place) == (None, "", "")
    assert (saved.imaging, saved.imaging_age) == ([], "")
    assert saved.voicemail_ok is None


def test_errors_are_summarised_in_the_order_of_the_page(client, valid_form_data):
    data = valid_form_data | {"full_name": "", "imaging": [], "consent": "", "red_flags": "x"}

    response = client.post(FORM_URL, data)

    summary = response.text.split('id="form-errors"')[1].split("</ul>")[0]
    links = ["#id_red_flags_0", "#id_full_name", "#id_imaging_0", "#id_consent"]
    assert [summary.index(f'href="{link}"') for link in links] == sorted(
        summary.index(f'href="{link}"') for link in links
    )


def test_request_with_an_emergency_symptom_is_urgent(client, valid_form_data):
    response = client.post(FORM_URL, valid_form_data | {"red_flags": ["saddle_numbness"]})

    assert response.status_code == 302
    saved = AppointmentRequest.objects.get()
    assert saved.is_urgent is True
    assert saved.red_flags == ["saddle_numbness"]


def test_thanks_page_after_an_emergency_symptom_repeats_the_emergency_advice(
    client, valid_form_data
):
    PracticeFactory(phone="+1 555 0123")

    response = client.post(
        FORM_URL, valid_form_data | {"red_flags": ["bladder_bowel"]}, follow=True
    )

    assert "Please get emergency care now" in response.text
    assert '<a href="tel:911">911</a> in the US' in response.text
    assert '<a href="tel:+15550123">+1 555 0123</a>' in response.text
    assert "Your reference is" in response.text


def test_thanks_page_without_an_emergency_symptom_gives_no_emergency_advice(
    client, valid_form_data
):
    response = client.post(FORM_URL, valid_form_data, follow=True)

    assert "Please get emergency care now" not in response.text


def test_thanks_page_forgets_an_earlier_emergency_after_a_routine_request(client, valid_form_data):
    client.post(FORM_URL, valid_form_data | {"red_flags": ["bladder_bowel"]})

    response = client.post(FORM_URL, valid_form_data | fresh_submission(), follow=True)

    assert AppointmentRequest.objects.count() == 2
    assert "Please get emergency care now" not in response.text


def test_thanks_page_without_a_request_shows_no_reference(client):
    response = client.get(reverse("appointments:thanks"))

    assert response.status_code == 200
    assert "Your reference is" not in response.text


@pytest.mark.parametrize(
    ("changes", "field_in_error"),
    [
        ({"full_name": "x" * 100_000}, "full_name"),
        ({"preferred_date": "9999-12-31T99:99"}, "preferred_date"),
        ({"preferred_date": "10000-01-01"}, "preferred_date"),
        ({"condition": "' OR 1=1 --"}, "condition"),
        ({"phone": "\x00\x01\x02"}, "phone"),
        ({"email": "a@" + "b" * 300 + ".test"}, "email"),
        ({"message": "<script>alert(1)</script>" * 100}, "message"),
    ],
)
def test_strange_input_gets_a_message_at_its_field_and_saves_nothing(
    client, valid_form_data, changes, field_in_error
):
    response = client.post(FORM_URL, valid_form_data | changes)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field_in_error]
    assert AppointmentRequest.objects.count() == 0


def test_a_repeated_answer_counts_once(client, valid_form_data):
    data = valid_form_data | {"had_spine_surgery": ["yes", "no"]}

    response = client.post(FORM_URL, data)

    assert response.status_code == 302
    assert AppointmentRequest.objects.get().had_spine_surgery is False


def test_a_second_tap_on_send_saves_and_emails_once(
    client, valid_form_data, django_capture_on_commit_callbacks
):
    form = client.get(FORM_URL).context["form"]
    # What the page holds, sent back twice (no minimum time in the test settings).
    data = valid_form_data | {name: form[name].value() for name in ("submission_key", "shown_at")}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(FORM_URL, data, follow=True)
        second = client.post(FORM_URL, data, follow=True)

    reference = AppointmentRequest.objects.get().reference
    assert f"Your reference is <strong>{reference}</strong>" in first.text
    assert f"Your reference is <strong>{reference}</strong>" in second.text
    assert len(mail.outbox) == 2


def test_with_the_broker_down_the_patient_still_gets_the_thanks_page(
    client, valid_form_data, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, valid_form_data, follow=True)

    assert response.status_code == 200
    assert "Your reference is" in response.text
    saved = AppointmentRequest.objects.get()
    assert [n.status for n in saved.notifications.all()] == ["pending", "pending"]
    assert mail.outbox == []


def test_bytes_that_are_not_utf8_get_a_message_not_an_error(client, valid_form_data):
    body = urlencode(valid_form_data | {"full_name": ""}) + "&full_name=%ED%A0%80%FF"

    response = client.post(FORM_URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code in (200, 302)
