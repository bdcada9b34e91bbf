"""Robots are turned away from the appointment form; a person who trips a check is told
what to do, and nothing is saved or emailed for them until they do it."""

import re
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail, signing
from django.test import RequestFactory
from django.urls import reverse

from appointments import spam
from appointments.models import AppointmentRequest
from tests.factories import PracticeFactory
from tests.support.environment import redis_cache
from tests.support.forms import fresh_submission, new_address
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db

FORM_URL = reverse("appointments:request")
MINUTE = 60
HOUR = 60 * MINUTE


@pytest.fixture
def minimum_time(settings):
    settings.APPOINTMENT_FORM_MIN_SECONDS = 3
    return settings.APPOINTMENT_FORM_MIN_SECONDS


@pytest.fixture
def address():
    return new_address()


def spam_codes(response):
    return [error.code for error in response.context["form"].non_field_errors().as_data()]


def shown_stamp(response):
    return re.search(r'name="shown_at" value="([^"]*)"', response.text).group(1)


def shown_key(response):
    return re.search(r'name="submission_key" value="([^"]*)"', response.text).group(1)


def hidden_fields(response):
    """What the page sends back in its hidden fields: its submission key and its stamp."""
    return {"submission_key": shown_key(response), "shown_at": shown_stamp(response)}


def assert_nothing_saved_or_sent():
    __tracebackhide__ = True
    assert AppointmentRequest.objects.count() == 0
    assert mail.outbox == []


def test_form_page_has_a_signed_stamp_and_a_box_people_never_see(client, condition):
    response = client.get(FORM_URL)

    key = uuid.UUID(shown_key(response))
    assert spam.stamp_problem(shown_stamp(response), key, now=time.time() + 60) is None
    # The stamp is good for this page's key only.
    assert spam.stamp_problem(shown_stamp(response), uuid.uuid4(), now=time.time() + 60) == (
        spam.STAMP_INVALID
    )
    trap = re.search(
        r'<div\s+class="form-trap"\s+aria-hidden="true">(.*?)</div>', response.text, re.S
    )
    assert trap, "the honeypot sits in a container that screen readers skip"
    assert '<label\n                for="id_leave_empty"' in trap.group(1)
    assert "Leave this box empty" in trap.group(1)
    field = re.search(r"<input [^>]*name=\"leave_empty\"[^>]*>", trap.group(1)).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    assert "style=" not in trap.group(0)


def test_the_box_is_hidden_by_the_sites_stylesheet():
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert re.search(r"^\.form-trap \{\s*display: none;\s*\}", css, re.M)


def test_filled_honeypot_saves_nothing_and_the_box_is_emptied_for_sending_again(
    client, valid_form_data, practice
):
    response = client.post(FORM_URL, valid_form_data | {"leave_empty": "Buy cheap pills"})

    assert response.status_code == 200
    assert spam_codes(response) == [spam.HONEYPOT_FILLED]
    assert "the box marked “Leave this box empty” had something in it" in response.text
    assert f'If this keeps happening, please call us on <a href="{practice.phone_href}">' in (
        response.text
    )
    assert 'name="leave_empty"' in response.text
    assert "Buy cheap pills" not in response.text
    assert_nothing_saved_or_sent()

    again = client.post(FORM_URL, valid_form_data | {"leave_empty": ""})

    assert again.status_code == 302
    assert AppointmentRequest.objects.count() == 1


def test_form_sent_sooner_than_a_person_could_is_refused(
    client, valid_form_data, minimum_time, time_machine
):
    # The stamp counts whole seconds: with the clock stopped on one, the form is sent
    # exactly a second too soon, however long the request takes.
    time_machine.move_to(int(time.time()), tick=False)
    key = valid_form_data["submission_key"]
    stamp = spam.form_stamp(key, time.time() - minimum_time + 1)

    response = client.post(FORM_URL, valid_form_data | {"shown_at": stamp})

    assert response.status_code == 200
    assert spam_codes(response) == [spam.SENT_TOO_QUICKLY]
    assert "Please check your answers and press “Send request” again." in response.text
    # The time the form was first shown still counts, so sending again soon works.
    assert hidden_fields(response) == {"submission_key": key, "shown_at": stamp}
    assert_nothing_saved_or_sent()


def test_form_sent_after_the_minimum_time_is_accepted(client, valid_form_data, minimum_time):
    stamp = spam.form_stamp(valid_form_data["submission_key"], time.time() - minimum_time - 1)

    response = client.post(FORM_URL, valid_form_data | {"shown_at": stamp})

    assert response.status_code == 302
    assert AppointmentRequest.objects.count() == 1


def an_hour_ago():
    return int(time.time()) - HOUR


@pytest.mark.parametrize(
    "make_stamp",
    [
        lambda key: None,
        lambda key: "",
        lambda key: "not a stamp",
        lambda key: signing.dumps([an_hour_ago(), key], salt="another.purpose"),
        lambda key: signing.dumps([an_hour_ago(), key], salt=spam.STAMP_SALT, key="another-key"),
        lambda key: signing.dumps(["yesterday", key], salt=spam.STAMP_SALT),
        lambda key: signing.dumps([True, key], salt=spam.STAMP_SALT),
        # A stamp of before stamps named their key, and ones with something else for it.
        lambda key: signing.dumps(an_hour_ago(), salt=spam.STAMP_SALT),
        lambda key: signing.dumps([an_hour_ago()], salt=spam.STAMP_SALT),
        lambda key: signing.dumps([an_hour_ago(), None], salt=spam.STAMP_SALT),
        lambda key: signing.dumps([an_hour_ago(), key, "more"], salt=spam.STAMP_SALT),
        lambda key: signing.dumps({"shown_at": an_hour_ago(), "key": key}, salt=spam.STAMP_SALT),
    ],
    ids=[
        "missing",
        "empty",
        "garbage",
        "other-salt",
        "other-key",
        "not-a-time",
        "true-for-a-time",
        "no-key-inside",
        "only-a-time",
        "null-key-inside",
        "too-long",
        "a-dict",
    ],
)
def test_missing_or_forged_stamp_is_refused_and_replaced(
    client, valid_form_data, minimum_time, make_stamp
):
    posted_key = valid_form_data["submission_key"]
    stamp = make_stamp(posted_key)
    data = valid_form_data | {"shown_at": stamp}
    if stamp is None:
        del data["shown_at"]

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert spam_codes(response) == [spam.STAMP_INVALID]
    assert "Your answers are still here." in response.text
    assert 'value="Ana María Núñez"' in response.text
    # The page comes back as if shown now, with a key of its own and a stamp bound to it.
    new_key = uuid.UUID(shown_key(response))
    assert str(new_key) != posted_key
    new_stamp = shown_stamp(response)
    assert spam.stamp_problem(new_stamp, new_key) == spam.SENT_TOO_QUICKLY
    assert spam.stamp_problem(new_stamp, new_key, now=time.time() + minimum_time) is None
    assert_nothing_saved_or_sent()


def test_stamp_reused_with_another_key_is_refused_and_saves_nothing(
    client, valid_form_data, minimum_time
):
    other_key = str(uuid.uuid4())

    response = client.post(FORM_URL, valid_form_data | {"submission_key": other_key})

    assert response.status_code == 200
    assert spam_codes(response) == [spam.STAMP_INVALID]
    assert "Your answers are still here." in response.text
    new_key = uuid.UUID(shown_key(response))
    assert str(new_key) not in (other_key, valid_form_data["submission_key"])
    assert spam.stamp_problem(shown_stamp(response), new_key) == spam.SENT_TOO_QUICKLY
    assert_nothing_saved_or_sent()


def test_one_stamp_lets_one_request_through_however_many_keys_come_with_it(
    client, valid_form_data, minimum_time, address
):
    """A robot that fetched the form once cannot send request after request with its stamp."""
    first = client.post(FORM_URL, valid_form_data, REMOTE_ADDR=address)
    assert first.status_code == 302

    for _ in range(3):
        again = client.post(
            FORM_URL, valid_form_data | {"submission_key": str(uuid.uuid4())}, REMOTE_ADDR=address
        )
        assert again.status_code == 200
        assert spam_codes(again) == [spam.STAMP_INVALID]

    assert AppointmentRequest.objects.count() == 1
    assert AppointmentRequest.objects.get().submission_key == uuid.UUID(
        valid_form_data["submission_key"]
    )


@pytest.mark.parametrize("key", [None, "", "not-a-key"], ids=["missing", "empty", "mangled"])
def test_stamp_without_its_key_is_refused_and_the_next_tap_sends(client, valid_form_data, key):
    data = valid_form_data | {"submission_key": key}
    if key is None:
        del data["submission_key"]

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert spam_codes(response) == [spam.STAMP_INVALID]
    assert "part of the page was missing" in response.text
    assert_nothing_saved_or_sent()

    # With no minimum time (the test settings), the page's new key and stamp go at once.
    again = client.post(FORM_URL, data | hidden_fields(response), follow=True)

    saved = AppointmentRequest.objects.get()
    assert f"Your reference is <strong>{saved.reference}</strong>" in again.text
    assert str(saved.submission_key) == shown_key(response)


def test_the_same_key_and_stamp_twice_is_one_request_with_the_thanks_page_both_times(
    client, valid_form_data, minimum_time, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(FORM_URL, valid_form_data, follow=True)
        second = client.post(FORM_URL, valid_form_data, follow=True)

    saved = AppointmentRequest.objects.get()
    for response in (first, second):
        assert response.redirect_chain == [(reverse("appointments:thanks"), 302)]
        assert f"Your reference is <strong>{saved.reference}</strong>" in response.text
    assert len(mail.outbox) == 2  # the office's and the patient's, once


def test_tampered_stamp_is_refused(client, valid_form_data):
    _, signature = valid_form_data["shown_at"].rsplit(":", 1)
    tampered = f"{spam.form_stamp(time.time() - 2 * HOUR).rsplit(':', 1)[0]}:{signature}"

    response = client.post(FORM_URL, valid_form_data | {"shown_at": tampered})

    assert spam_codes(response) == [spam.STAMP_INVALID]
    assert_nothing_saved_or_sent()


def test_page_left_open_for_hours_is_still_accepted(client, valid_form_data, minimum_time):
    stamp = spam.form_stamp(valid_form_data["submission_key"], time.time() - 10 * HOUR)

    response = client.post(FORM_URL, valid_form_data | {"shown_at": stamp})

    assert response.status_code == 302


def test_page_left_open_past_the_limit_keeps_the_answers_and_sends_at_the_next_tap(
    client, valid_form_data, minimum_time, settings
):
    key = valid_form_data["submission_key"]
    stamp = spam.form_stamp(key, time.time() - (settings.APPOINTMENT_FORM_MAX_AGE_HOURS + 1) * HOUR)

    response = client.post(FORM_URL, valid_form_data | {"shown_at": stamp})

    assert response.status_code == 200
    assert spam_codes(response) == [spam.STAMP_EXPIRED]
    assert "the page had been open for a long time" in response.text
    assert 'value="Ana María Núñez"' in response.text
    assert shown_key(response) == key
    assert_nothing_saved_or_sent()

    again = client.post(FORM_URL, valid_form_data | hidden_fields(response))

    assert again.status_code == 302
    assert AppointmentRequest.objects.count() == 1


def test_more_requests_than_the_hourly_limit_get_a_page_with_the_phone_number(
    client, valid_form_data, settings, address, django_capture_on_commit_callbacks
):
    PracticeFactory(phone="+1 555 0123")
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            accepted = client.post(
                FORM_URL, valid_form_data | fresh_submission(), REMOTE_ADDR=address
            )
            assert accepted.status_code == 302

        refused = client.post(FORM_URL, valid_form_data | fresh_submission(), REMOTE_ADDR=address)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= HOUR
    assert "We have already received 2 appointment requests" in refused.text
    assert '<a href="tel:+15550123">+1 555 0123</a>' in refused.text
    assert AppointmentRequest.objects.count() == 2
    assert len(mail.outbox) == 4  # the office's and the patient's, for each request saved
    elsewhere = client.post(
        FORM_URL, valid_form_data | fresh_submission(), REMOTE_ADDR=new_address()
    )
    assert elsewhere.status_code == 302


def test_forms_with_mistakes_do_not_count_against_the_limit(
    client, valid_form_data, settings, address
):
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    for _ in range(3):
        response = client.post(FORM_URL, valid_form_data | {"email": "x"}, REMOTE_ADDR=address)
        assert response.status_code == 200

    assert client.post(FORM_URL, valid_form_data, REMOTE_ADDR=address).status_code == 302


def test_second_tap_at_the_limit_still_finds_the_first_request(
    client, valid_form_data, settings, address
):
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1

    first = client.post(FORM_URL, valid_form_data, REMOTE_ADDR=address, follow=True)
    second = client.post(FORM_URL, valid_form_data, REMOTE_ADDR=address, follow=True)

    reference = AppointmentRequest.objects.get().reference
    assert f"Your reference is <strong>{reference}</strong>" in first.text
    assert second.status_code == 200
    assert f"Your reference is <strong>{reference}</strong>" in second.text


def test_without_a_proxy_a_forwarded_header_cannot_dodge_the_limit(
    client, valid_form_data, settings, address
):
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = []
    first = client.post(
        FORM_URL, valid_form_data, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert first.status_code == 302

    response = client.post(
        FORM_URL,
        valid_form_data | fresh_submission(),
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR="192.0.2.2",
    )

    assert response.status_code == 429


def test_behind_a_proxy_each_patient_has_a_limit_of_their_own(
    client, valid_form_data, settings, address
):
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    proxy = "10.0.0.5"

    def post(forwarded_for):
        return client.post(
            FORM_URL,
            valid_form_data | fresh_submission(),
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    assert post(address) == 302
    assert post(new_address()) == 302
    # What the client wrote into the header itself is not believed: the proxy's entry is.
    assert post(f"{new_address()}, {address}") == 429


def test_a_sender_that_is_not_the_front_cannot_dodge_the_limit(
    client, valid_form_data, settings, address
):
    """A forged header per try, from an address next to the front's: one limit for all."""
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.5"]

    statuses = [
        client.post(
            FORM_URL,
            valid_form_data | fresh_submission(),
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=new_address(),
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [302, 429, 429]


def test_requests_go_through_when_the_cache_is_down(client, valid_form_data, settings, address):
    settings.APPOINTMENT_REQUESTS_PER_HOUR = 1
    settings.CACHES = redis_cache(
        f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5, socket_timeout=0.5
    )

    for _ in range(2):
        response = client.post(FORM_URL, valid_form_data | fresh_submission(), REMOTE_ADDR=address)
        assert response.status_code == 302

    assert AppointmentRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "192.0.2.1"}, [], "192.0.2.1"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, [], "2001:db8:1:2::"),
        ({"REMOTE_ADDR": "::ffff:192.0.2.1"}, [], "192.0.2.1"),
        ({"REMOTE_ADDR": ""}, [], None),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, [], "10.0.0.5"),
        (
            {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.1"},
            ["10.0.0.5"],
            "192.0.2.1",
        ),
        (
            {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.1"},
            ["10.0.0.0/24"],
            "192.0.2.1",
        ),
        # A sender outside the trusted network writes what it likes: not believed.
        (
            {"REMOTE_ADDR": "10.0.1.5", "HTTP_X_FORWARDED_FOR": "192.0.2.1"},
            ["10.0.0.0/24"],
            "10.0.1.5",
        ),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "unknown"}, ["10.0.0.5"], "10.0.0.5"),
        ({"REMOTE_ADDR": "10.0.0.5"}, ["10.0.0.5"], "10.0.0.5"),
        # gunicorn on a Unix socket: no sender address, the front's header alone.
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, ["unix"], "192.0.2.1"),
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, [], None),
    ],
)
def test_client_address(settings, meta, proxies, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().post(FORM_URL, **meta)

    assert spam.client_address(request) == expected
