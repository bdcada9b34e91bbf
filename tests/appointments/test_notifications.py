from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from appointments import services
from appointments.models import Notification
from appointments.tasks import send_notification
from tests.factories import AppointmentRequestFactory, NotificationFactory
from tests.support import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment_request(practice):
    return AppointmentRequestFactory(
        full_name="Ana María Núñez",
        email="ana@patient.test",
        phone="(201) 555-0199",
        message="The pain came back a year after my fusion at L4-L5.",
    )


@pytest.fixture
def unreachable_mail_server(settings):
    """A real SMTP client pointed at a loopback port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()


def send(notification):
    return services.notification_send(notification_id=notification.pk)


def test_office_notification_reaches_the_office_with_reply_to_the_patient(appointment_request):
    notification = NotificationFactory(
        appointment_request=appointment_request,
        recipients="office@practice.test, manager@practice.test",
    )

    send(notification)

    [message] = mail.outbox
    assert message.to == ["office@practice.test", "manager@practice.test"]
    assert message.reply_to == ["ana@patient.test"]
    assert message.subject == f"New appointment request {appointment_request.reference}"
    admin_path = f"/admin/appointments/appointmentrequest/{appointment_request.pk}/change/"
    admin_link = f"{settings.SITE_URL}{admin_path}"
    html, _ = message.alternatives[0]
    for body in (message.body, html):
        assert admin_link in body
        assert "+1 201-555-0199" in body
        assert appointment_request.condition.title in body
    assert "Ana María Núñez" in message.body
    assert "Ana María Núñez" in html


def test_office_notification_leaves_clinical_free_text_behind_the_login(appointment_request):
    send(NotificationFactory(appointment_request=appointment_request))

    [message] = mail.outbox
    html, _ = message.alternatives[0]
    for text in (message.subject, message.body, html):
        assert "fusion" not in text
    assert "kept behind the staff login" in message.body


def test_acknowledgment_gives_the_patient_a_reference_and_the_practice_phone(appointment_request):
    notification = NotificationFactory(
        appointment_request=appointment_request,
        kind=Notification.Kind.ACKNOWLEDGMENT,
        recipients="ana@patient.test",
    )

    send(notification)

    [message] = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.to == ["ana@patient.test"]
    assert message.reply_to == ["hello@practice.test"]
    assert appointment_request.reference in message.subject
    for body in (message.body, html):
        assert appointment_request.reference in body
        assert "+1 555 0123" in body
        assert "What happens next" in body
        assert "fusion" not in body
        assert appointment_request.condition.title not in body


def test_names_with_apostrophes_read_naturally_in_the_plain_text(practice):
    appointment_request = AppointmentRequestFactory(full_name="Seán O'Brien <Jr>")

    send(NotificationFactory(appointment_request=appointment_request))

    [message] = mail.outbox
    assert "Seán O'Brien <Jr>" in message.body
    assert "O&#x27;Brien &lt;Jr&gt;" in message.alternatives[0][0]


def test_sent_row_is_marked_with_its_time_and_never_sent_again(appointment_request):
    notification = NotificationFactory(appointment_request=appointment_request)

    send(notification)
    again = send(notification)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert again is None
    assert len(mail.outbox) == 1


def test_every_attempt_carries_the_same_message_id(appointment_request):
    notification = NotificationFactory(appointment_request=appointment_request)
    send(notification)
    notification.refresh_from_db()

    assert mail.outbox[0].extra_headers["Message-ID"] == notification.message_id
    assert notification.message_id.startswith(f"<notification-{notification.pk}.")


def test_row_held_by_a_working_worker_is_left_alone(appointment_request):
    notification = NotificationFactory(
        appointment_request=appointment_request,
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=5),
    )

    assert send(notification) is None
    assert mail.outbox == []


def test_row_held_by_a_vanished_worker_is_taken_over(appointment_request, settings):
    notification = NotificationFactory(
        appointment_request=appointment_request,
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1),
    )

    send(notification)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_mail_server_down_leaves_the_row_waiting_with_the_error(
    appointment_request, unreachable_mail_server, settings
):
    notification = NotificationFactory(appointment_request=appointment_request)

    send(notification)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at > notification.created_at
    assert notification.next_attempt_at <= timezone.now() + timedelta(
        seconds=settings.NOTIFICATION_RETRY_BACKOFF
    )


def test_row_is_marked_failed_after_the_last_attempt(
    appointment_request, unreachable_mail_server, settings
):
    notification = NotificationFactory(
        appointment_request=appointment_request,
        attempts=settings.NOTIFICATION_MAX_ATTEMPTS - 1,
    )

    send(notification)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == settings.NOTIFICATION_MAX_ATTEMPTS


def test_retry_delay_grows_and_is_capped(settings):
    for attempts in range(1, 12):
        cap = min(
            settings.NOTIFICATION_RETRY_BACKOFF * 2 ** (attempts - 1),
            settings.NOTIFICATION_RETRY_BACKOFF_MAX,
        )
        assert 0 <= services.retry_delay(attempts) <= cap


def test_sweep_queues_rows_that_waited_too_long_and_only_those(appointment_request, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER + 60)
    stuck = NotificationFactory(appointment_request=appointment_request, next_attempt_at=long_ago)
    fresh = NotificationFactory(
        appointment_request=appointment_request, kind=Notification.Kind.ACKNOWLEDGMENT
    )

    assert services.notifications_requeue_waiting() == 1

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == Notification.Status.SENT
    assert fresh.status == Notification.Status.PENDING


def test_office_recipients_fall_back_to_the_server_setting(settings, valid_form_data, condition):
    settings.OFFICE_EMAIL = ["front-desk@practice.test"]

    appointment_request = services.appointment_request_create(
        full_name="Ana",
        email="ana@patient.test",
        phone="555 0100",
        condition=condition,
        preferred_date=timezone.localdate() + timedelta(days=2),
        preferred_time="any",
        had_spine_surgery=False,
        message="",
        consent_wording="I agree.",
    )

    office = appointment_request.notifications.get(kind=Notification.Kind.OFFICE)
    assert office.recipient_list == ["front-desk@practice.test"]


def test_run_in_process_a_failed_email_waits_instead_of_holding_up_the_patient(
    appointment_request, unreachable_mail_server
):
    notification = NotificationFactory(appointment_request=appointment_request)

    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1


def test_a_held_row_is_free_to_take_over_when_its_lease_ends(appointment_request, settings):
    claimed_at = timezone.now() - timedelta(seconds=5)
    held = NotificationFactory(
        appointment_request=appointment_request,
        status=Notification.Status.SENDING,
        claimed_at=claimed_at,
    )
    waiting = NotificationFactory(
        appointment_request=appointment_request, kind=Notification.Kind.ACKNOWLEDGMENT
    )

    held_until = services.notification_held_until(notification_id=held.pk)

    assert held_until == claimed_at + timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    assert services.notification_held_until(notification_id=waiting.pk) is None
