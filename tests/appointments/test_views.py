from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from appointments.models import AppointmentRequest, Notification
from tests.factories import ConditionFactory

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
    ]:
        assert label in response.text


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
    form_page = client.get(FORM_URL)
    key = form_page.context["form"]["submission_key"].value()
    data = valid_form_data | {"submission_key": key}

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
