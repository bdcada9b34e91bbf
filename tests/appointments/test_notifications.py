from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from appointments import services
from appointments.models import Notification
from appointments.tasks import send_notification
from tests.factories import AppointmentRequestFactory, NotificationFactory
from tests.support.processes import free_port

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


def test_retry_delay_grows_with_jitter_and_is_capped(settings):
    settings.NOTIFICATION_RETRY_BACKOFF, settings.NOTIFICATION_RETRY_BACKOFF_MAX = 30, 600
    delays = {
        attempts: [services.notification_retry_delay(attempts=attempts) for _ in range(400)]
        for attempts in range(1, 8)
    }

    for attempts, samples in delays.items():
        cap = min(30 * 2 ** (attempts - 1), 600)
        assert all(0 <= delay <= cap for delay in samples)
        # Jitter: the delays spread out, so failed workers do not all come back at once.
        assert len(set(samples)) > 10
    means = [sum(samples) / len(samples) for samples in delays.values()]
    # Exponential: each mean about doubles (15, 30, 60, ...) until the cap.
    assert means[0] < means[1] < means[2] < means[3] < means[4]
    assert means[3] > 3 * means[0]


def test_sweep_queues_rows_that_waited_too_long_and_only_those(appointment_request, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER + 60)
    stuck = NotificationFactory(appointment_request=appointment_request, next_attempt_at=long_ago)
    fresh = NotificationFactory(
        appointment_request=appointment_request, kind=Notification.Kind.ACKNOWLEDGMENT
    )

    assert services.notification_requeue_waiting() == 1

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


def test_a_held_row_is_tried_again_when_its_lease_ends(appointment_request, settings):
    claimed_at = timezone.now() - timedelta(seconds=5)
    held = NotificationFactory(
        appointment_request=appointment_request,
        status=Notification.Status.SENDING,
        claimed_at=claimed_at,
    )
    sent = NotificationFactory(
        appointment_request=appointment_request,
        kind=Notification.Kind.ACKNOWLEDGMENT,
        status=Notification.Status.SENT,
    )

    next_try = services.notification_next_try(notification_id=held.pk)

    assert next_try == claimed_at + timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    assert services.notification_next_try(notification_id=sent.pk) is None


def test_a_row_in_its_back_off_is_not_sent_before_its_time(appointment_request):
    later = timezone.now() + timedelta(minutes=5)
    backing_off = NotificationFactory(
        appointment_request=appointment_request, next_attempt_at=later
    )

    assert send(backing_off) is None

    backing_off.refresh_from_db()
    assert backing_off.status == Notification.Status.PENDING
    assert backing_off.attempts == 0
    assert mail.outbox == []
    assert services.notification_next_try(notification_id=backing_off.pk) == later
