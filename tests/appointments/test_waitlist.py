"""The waitlist: booked patients ask for an earlier time, and each freed time is offered
to them one at a time, in the order they asked, by email with a one-time link."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from appointments import services, tasks
from appointments.models import (
    Appointment,
    AppointmentRequest,
    Notification,
    WaitlistEntry,
    WaitlistOffer,
)
from appointments.services.waitlist import FreedTime
from practice.logs import clean_target
from tests.factories import (
    AppointmentRequestFactory,
    ClinicSessionFactory,
    UserFactory,
    VisitTypeFactory,
)
from tests.support.environment import require
from tests.support.schedule import MONDAY, local

pytestmark = pytest.mark.django_db

NEXT_MONDAY = MONDAY + timedelta(days=7)


@pytest.fixture(autouse=True)
def six_days_before(time_machine, practice):
    time_machine.move_to(local(MONDAY - timedelta(days=6), 12), tick=False)


@pytest.fixture
def session():
    return ClinicSessionFactory(
        valid_from=MONDAY - timedelta(days=14),
        visit_types=[VisitTypeFactory(name="Follow-up", duration_minutes=20)],
    )


@pytest.fixture
def book(session, committed):
    def book(starts_at, email):
        appointment = committed(
            services.appointment_book,
            appointment_request=AppointmentRequestFactory(email=email),
            starts_at=starts_at,
            location=session.location,
            by=None,
            surgeon=session.surgeon,
            visit_type=session.visit_types.get(),
        )
        mail.outbox.clear()
        return appointment

    return book


@pytest.fixture
def waiting(book, committed):
    """Three patients booked next Monday who asked for an earlier time: Bea first, then
    Al (whose time is later than Bea's), then Cy (the earliest, at 9:00)."""
    patients = {
        "bea": book(local(NEXT_MONDAY, 9, 20), "bea@patient.test"),
        "al": book(local(NEXT_MONDAY, 9, 40), "al@patient.test"),
        "cy": book(local(NEXT_MONDAY, 9), "cy@patient.test"),
    }
    for name in ("bea", "al", "cy"):
        committed(services.waitlist_join, appointment=patients[name])
    return patients


@pytest.fixture
def cancelled(book, committed, waiting):
    """Another patient, booked MONDAY at 10:00, cancels with their link."""
    appointment = book(local(MONDAY, 10), "xavi@patient.test")
    committed(services.appointment_cancel_by_patient, appointment=appointment)
    return appointment


def offers_to(email):
    return [
        message
        for message in mail.outbox
        if message.to == [email] and message.subject.startswith("An earlier time")
    ]


def link(message, kind):
    ending = {"offer": "earlier-time", "leave": "leave-waitlist"}[kind]
    return re.search(
        rf"https://practice\.test(/appointments/manage/[^/\s]+/{ending}/)", message.body
    )[1]


def token_of(path):
    return path.split("/")[3]


def test_a_patient_asks_for_an_earlier_time_on_the_manage_page(client, book, committed):
    from appointments import links

    appointment = book(local(NEXT_MONDAY, 9), "bea@patient.test")
    path = links.manage_path(appointment)

    response = committed(client.post, path, {"action": "waitlist"}, follow=True)

    assert "You are on the waitlist." in response.text
    assert "Leave the waitlist" in response.text
    [entry] = WaitlistEntry.objects.waiting()
    assert entry.appointment_request == appointment.appointment_request
    assert entry.visit_type == appointment.visit_type
    step = appointment.appointment_request.status_changes.last()
    assert step.detail == "The patient asked for an earlier time (waitlist)"
    assert step.changed_by_label == "The patient"


def test_a_freed_time_is_offered_to_the_first_who_asked_and_to_nobody_else(cancelled):
    [offer] = WaitlistOffer.objects.all()

    assert offer.entry.appointment_request.email == "bea@patient.test"
    assert offer.starts_at == local(MONDAY, 10)
    assert offer.expires_at == timezone.now() + timedelta(hours=4)
    [email] = offers_to("bea@patient.test")
    assert offers_to("al@patient.test") == offers_to("cy@patient.test") == []
    assert email.subject == "An earlier time for your appointment: Mon, Feb 1 at 10:00 AM"
    html, _ = email.alternatives[0]
    for body in (email.body, html):
        assert "/earlier-time/" in body
        assert "/leave-waitlist/" in body
        assert "Monday, February 1, 2027" in body


def test_no_time_is_offered_to_two_patients_at_once(cancelled, session):
    offer = WaitlistOffer.objects.get()
    al = WaitlistEntry.objects.get(appointment_request__email="al@patient.test")

    assert services.waitlist_move_on() == 0
    with pytest.raises(IntegrityError):
        WaitlistOffer.objects.create(
            entry=al,
            starts_at=offer.starts_at,
            ends_at=offer.ends_at,
            surgeon=session.surgeon,
            location=session.location,
            visit_type=offer.visit_type,
            expires_at=offer.expires_at,
        )


def test_the_offer_page_shows_the_time_and_taking_it_moves_the_appointment(
    client, cancelled, committed, waiting
):
    path = link(offers_to("bea@patient.test")[0], "offer")

    page = client.get(path)
    response = committed(client.post, path)

    assert "An earlier time for you" in page.text
    assert "10:00 AM" in page.text
    assert response.status_code == 302, re.findall(r"alert[^<]*<p>([^<]*)", response.text)
    bea = waiting["bea"].appointment_request.current_appointment()
    assert bea.starts_at == local(MONDAY, 10)
    waiting["bea"].refresh_from_db()
    assert waiting["bea"].status == Appointment.Status.MOVED
    assert not WaitlistEntry.objects.get(appointment_request__email="bea@patient.test").is_waiting
    [confirmation] = [
        message
        for message in mail.outbox
        if message.to == ["bea@patient.test"] and message.subject.startswith("Your appointment")
    ]
    assert "10:00 AM" in confirmation.subject
    assert any(message.subject.startswith("Moved by the patient") for message in mail.outbox)


def test_the_time_given_up_by_the_taker_is_offered_on_in_turn(client, cancelled, committed):
    committed(client.post, link(offers_to("bea@patient.test")[0], "offer"))

    # Bea's old time, 9:20 next Monday, is earlier than Al's (9:40) but not Cy's (9:00).
    [offer] = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OFFERED)
    assert offer.entry.appointment_request.email == "al@patient.test"
    assert offer.starts_at == local(NEXT_MONDAY, 9, 20)
    assert len(offers_to("al@patient.test")) == 1
    assert offers_to("cy@patient.test") == []


def test_an_offer_link_works_once(client, cancelled, committed, waiting):
    path = link(offers_to("bea@patient.test")[0], "offer")
    committed(client.post, path)
    mail.outbox.clear()

    response = committed(client.post, path)

    assert response.status_code == 409
    assert "You have taken this time" in response.text
    assert "nothing" in response.text
    assert waiting["bea"].appointment_request.appointments.count() == 2
    assert mail.outbox == []


def test_a_forged_offer_link_is_refused_and_changes_nothing(client, cancelled, committed):
    path = link(offers_to("bea@patient.test")[0], "offer")
    leave_path = link(offers_to("bea@patient.test")[0], "leave")
    token = token_of(path)
    # A leave link's token, signed for another purpose, is no offer link either.
    crossed = path.replace(token, token_of(leave_path))
    altered = path.replace(token, token[:-3] + "xyz")
    nonsense = path.replace(token, "nonsense")

    for forged in (altered, crossed, nonsense):
        response = committed(client.post, forged)

        assert response.status_code == 400
        assert "This link is not valid" in response.text
    assert WaitlistOffer.objects.get().status == WaitlistOffer.Status.OFFERED


def test_an_unanswered_offer_expires_and_goes_to_the_next_patient(
    client, cancelled, committed, time_machine
):
    path = link(offers_to("bea@patient.test")[0], "offer")
    time_machine.move_to(timezone.now() + timedelta(hours=4, minutes=1), tick=False)

    committed(tasks.waitlist_move_on)

    bea_offer, al_offer = WaitlistOffer.objects.order_by("created_at", "pk")
    assert bea_offer.status == WaitlistOffer.Status.EXPIRED
    assert al_offer.status == WaitlistOffer.Status.OFFERED
    assert al_offer.starts_at == local(MONDAY, 10)
    assert len(offers_to("al@patient.test")) == 1
    late = committed(client.post, path)
    assert late.status_code == 410
    assert "This offer has ended" in late.text
    assert WaitlistOffer.objects.get(pk=bea_offer.pk).status == WaitlistOffer.Status.EXPIRED


def test_an_offer_email_queued_but_expired_is_not_sent(cancelled, time_machine):
    offer = WaitlistOffer.objects.get()
    notification = offer.notifications.get()
    notification.status = notification.Status.PENDING
    notification.save()
    mail.outbox.clear()
    time_machine.move_to(offer.expires_at, tick=False)

    services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == notification.Status.WITHDRAWN
    assert mail.outbox == []


def test_the_leave_link_takes_the_patient_off_and_their_offer_goes_on(client, cancelled, committed):
    path = link(offers_to("bea@patient.test")[0], "leave")

    page = client.get(path)
    response = committed(client.post, path, follow=True)

    assert "Leave the waitlist?" in page.text
    assert "You have left the waitlist" in response.text
    bea = WaitlistEntry.objects.get(appointment_request__email="bea@patient.test")
    assert bea.left_because == WaitlistEntry.Left.LEFT
    assert bea.offers.get().status == WaitlistOffer.Status.WITHDRAWN
    [offer] = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OFFERED)
    assert offer.entry.appointment_request.email == "al@patient.test"
    assert "You are not on the waitlist" in client.get(path).text
    step = bea.appointment_request.status_changes.last()
    assert step.detail == "The patient left the waitlist"


def test_a_late_cancel_inside_the_booking_notice_is_still_offered(
    book, committed, waiting, time_machine
):
    appointment = book(local(MONDAY, 10), "xavi@patient.test")
    time_machine.move_to(local(MONDAY, 5), tick=False)

    committed(services.appointment_cancel_by_patient, appointment=appointment)

    assert WaitlistOffer.objects.get().starts_at == local(MONDAY, 10)
    assert WaitlistOffer.objects.get().expires_at == local(MONDAY, 6)


def test_a_time_less_than_four_hours_away_is_not_offered(book, committed, waiting, time_machine):
    appointment = book(local(MONDAY, 10), "xavi@patient.test")
    time_machine.move_to(local(MONDAY, 6, 30), tick=False)

    committed(services.appointment_cancel_by_patient, appointment=appointment)

    assert not WaitlistOffer.objects.exists()


def test_nobody_is_offered_a_time_later_than_their_own(book, committed, waiting):
    appointment = book(local(NEXT_MONDAY, 11), "xavi@patient.test")

    committed(services.appointment_cancel_by_patient, appointment=appointment)

    assert not WaitlistOffer.objects.exists()


def test_a_patient_who_cancels_leaves_the_waitlist(committed, waiting):
    committed(services.appointment_cancel_by_patient, appointment=waiting["bea"])

    bea = WaitlistEntry.objects.get(appointment_request__email="bea@patient.test")
    assert bea.left_because == WaitlistEntry.Left.APPOINTMENT_ENDED


def test_a_time_the_office_cancels_is_offered_too(book, committed, waiting):
    appointment = book(local(MONDAY, 10), "xavi@patient.test")

    committed(
        services.appointment_request_update,
        appointment_request=appointment.appointment_request,
        status=AppointmentRequest.Status.CANCELLED,
        by=UserFactory(),
    )

    [offer] = WaitlistOffer.objects.all()
    assert offer.entry.appointment_request.email == "bea@patient.test"
    assert offer.starts_at == local(MONDAY, 10)


def test_a_freed_time_whose_offer_was_lost_is_offered_by_the_beat_task(
    book, committed, waiting, django_capture_on_commit_callbacks
):
    appointment = book(local(MONDAY, 10), "xavi@patient.test")
    # The patient's cancel commits, but its process dies before offering the time.
    with django_capture_on_commit_callbacks(execute=False):
        services.appointment_cancel_by_patient(appointment=appointment)
    assert not WaitlistOffer.objects.exists()

    committed(tasks.waitlist_move_on)

    [offer] = WaitlistOffer.objects.all()
    assert offer.entry.appointment_request.email == "bea@patient.test"
    assert len(offers_to("bea@patient.test")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_time_offered_by_many_processes_at_once_goes_to_one_patient(session, waiting):
    require(connection.vendor == "postgresql", "The race is decided by PostgreSQL's locks")
    freed = FreedTime(
        surgeon=session.surgeon,
        location=session.location,
        visit_type=session.visit_types.get(),
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 10, 20),
    )
    start_together = threading.Barrier(8)

    def offer_it(_):
        try:
            start_together.wait()
            return services.waitlist_offer_time(time=freed)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = [offer for offer in pool.map(offer_it, range(8)) if offer]

    assert len(made) == 1
    assert WaitlistOffer.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.WAITLIST_OFFER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_taps_on_take_this_time_at_once_book_it_once(cancelled, waiting):
    require(connection.vendor == "postgresql", "The race is decided by PostgreSQL's locks")
    offer = WaitlistOffer.objects.get()
    start_together = threading.Barrier(4)

    def take(_):
        try:
            start_together.wait()
            return services.waitlist_offer_accept(offer=offer)
        except ValidationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(take, range(4)))

    assert sorted(map(str, outcomes)).count("offer_closed") == 3
    bea = waiting["bea"].appointment_request
    assert bea.appointments.count() == 2
    assert bea.current_appointment().starts_at == local(MONDAY, 10)


def test_the_logs_write_a_waitlist_links_token_as_token(cancelled):
    email = offers_to("bea@patient.test")[0]

    for kind, ending in [("offer", "earlier-time"), ("leave", "leave-waitlist")]:
        path = link(email, kind)
        assert clean_target(path) == f"/appointments/manage/[token]/{ending}/"
