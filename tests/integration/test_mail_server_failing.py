"""The mail server fails: a real worker retries with back-off, records every attempt and
the last error on the outbox row, and marks it failed past the limit; staff send it again
from the admin once the server works, and it arrives once.

The workers here allow 3 attempts, 1 second before the first retry and at most 2 after
(FAST_OUTBOX); production waits 30 seconds, doubling up to 10 minutes, for 6 attempts.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from appointments import services
from appointments.models import Notification
from practice.groups import OFFICE_STAFF
from tests.factories import AppointmentRequestFactory, PracticeFactory, UserFactory
from tests.support.processes import wait_until
from tests.support.staff import log_in_verified
from tests.support.tasks import celery_publishing_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAX_ATTEMPTS = 3


def break_the_server(mail_server, how):
    if how == "down":
        mail_server.down()
    else:
        mail_server.handler.mode = how


def office_email(**fields):
    appointment_request = AppointmentRequestFactory(**fields)
    return Notification.objects.create(
        appointment_request=appointment_request,
        kind=Notification.Kind.OFFICE,
        recipients="office@practice.test",
    )


@pytest.mark.parametrize(
    ("how", "error"),
    [
        ("down", "ConnectionRefusedError"),
        ("refuse", "SMTPDataError: (451, b'4.3.0 Mail server busy, try again later')"),
        ("drop", "SMTPServerDisconnected: Connection unexpectedly closed"),
    ],
    ids=["down", "refusing", "dropping"],
)
def test_failing_mail_server_is_tried_with_back_off_until_the_row_is_failed(
    redis_server, mail_server, celery_processes, how, error
):
    PracticeFactory()
    worker = celery_processes("worker", broker=redis_server, mail=mail_server)
    break_the_server(mail_server, how)

    with celery_publishing_to(redis_server.url):
        notification = office_email()
        services.notification_queue(notification_ids=[notification.pk])

        assert wait_until(
            lambda: Notification.objects.get(pk=notification.pk).status == "failed", timeout=30
        ), worker.log()[-3000:]

    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS
    assert error in notification.last_error
    if how != "down":
        assert mail_server.handler.attempts == [how] * MAX_ATTEMPTS
    assert mail_server.messages == []
    # Each retry waited its turn, from the row's clock.
    assert worker.log().count("Retry in") == MAX_ATTEMPTS - 1


def test_staff_send_a_failed_email_again_and_it_arrives_once(
    client, redis_server, mail_server, celery_processes
):
    PracticeFactory()
    celery_processes("worker", broker=redis_server, mail=mail_server)
    mail_server.handler.mode = "refuse"
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=OFFICE_STAFF))
    log_in_verified(client, staff)

    with celery_publishing_to(redis_server.url):
        notification = office_email()
        services.notification_queue(notification_ids=[notification.pk])
        assert wait_until(
            lambda: Notification.objects.get(pk=notification.pk).status == "failed", timeout=30
        )
        index = client.get(reverse("admin:index")).text
        assert "1 email could not be sent in the last 14 days" in index

        # The mail server works again; staff send the email again from the failed list.
        mail_server.handler.mode = "accept"
        changelist = reverse("admin:appointments_notification_changelist")
        response = client.post(
            f"{changelist}?status__exact=failed",
            {"action": "send_again", "_selected_action": [notification.pk]},
            follow=True,
        )
        assert "Queued 1 email to be sent again." in response.text

        assert wait_until(lambda: mail_server.messages, timeout=30)
        assert wait_until(
            lambda: Notification.objects.get(pk=notification.pk).status == "sent", timeout=10
        )
        # Clicking again on the sent email queues nothing.
        client.post(changelist, {"action": "send_again", "_selected_action": [notification.pk]})

    [message] = mail_server.messages
    assert message["Message-ID"] == notification.message_id
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.last_error == ""
    assert "could not be sent" not in client.get(reverse("admin:index")).text
