"""A worker dies while it sends an email: the email still arrives, once.

The mail server holds the message (FaultySMTP's "hold") so that the test can SIGKILL
the process that is sending it. The server has not answered yet, so, like a real one, it
keeps nothing; the outbox row says "sending", claimed by the dead process.

What "once" rests on: a row is claimed by a conditional UPDATE (pending, or sending with
an expired lease, to sending), so two workers never send it at the same time. What it
cannot cover: a worker that dies after the mail server answered 250 but before it marked
the row sent. Nothing on this side can tell that case from the one tested here, so when
the lease ends the email is sent again, with the same Message-ID, which lets the
receiving mail system drop the copy. Never lost wins over never twice in that window.
"""

import re
import threading
from collections import Counter

import pytest
from django.core import mail

from appointments import services
from appointments.models import Notification
from tests.factories import AppointmentRequestFactory, PracticeFactory
from tests.support.processes import connected_to, kill, wait_until
from tests.support.tasks import celery_publishing_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def queue_office_email(broker):
    notification = Notification.objects.create(
        appointment_request=AppointmentRequestFactory(),
        kind=Notification.Kind.OFFICE,
        recipients="office@practice.test",
    )
    with celery_publishing_to(broker.url):
        services.notification_queue(notification_ids=[notification.pk])
    return notification


def the_sending_process(mail_server, workers):
    """Wait until the mail server holds a message; return the pool process sending it."""
    assert mail_server.handler.holding.wait(timeout=30), [w.log()[-2000:] for w in workers]
    pool = [child for worker in workers for child in worker.children()]
    sender = connected_to(mail_server.port, pool)
    assert sender, pool
    return sender


def release_after_the_kill(mail_server, notification):
    """Let the server accept again, once it has seen the killed client go."""
    assert wait_until(lambda: mail_server.handler.abandoned, timeout=10)
    assert mail_server.handler.abandoned == [notification.message_id]
    assert mail_server.messages == []
    mail_server.handler.mode = "accept"


def assert_sent_once(mail_server, notification):
    assert wait_until(lambda: mail_server.messages, timeout=30)
    assert wait_until(
        lambda: Notification.objects.get(pk=notification.pk).status == "sent", timeout=10
    )
    [message] = mail_server.messages
    assert message["Message-ID"] == notification.message_id
    notification.refresh_from_db()
    # Claimed by the process that died, then by the one that sent it.
    assert notification.attempts == 2


def test_task_of_a_killed_pool_process_goes_back_to_the_broker_and_is_sent_once(
    redis_server, mail_server, celery_processes
):
    """acks_late and reject_on_worker_lost: the broker hands the task out again.

    No beat here, so no sweep: the redelivered task alone sends the email. It finds the
    row still claimed by the dead process (Celery notices a lost pool process within 5
    seconds; the lease here is 10), so it tries again when the lease ends.
    """
    PracticeFactory()
    lease = {"NOTIFICATION_SENDING_LEASE": "10"}
    workers = [
        celery_processes("worker", broker=redis_server, mail=mail_server, **lease),
        celery_processes("worker", broker=redis_server, mail=mail_server, **lease),
    ]
    mail_server.handler.mode = "hold"
    notification = queue_office_email(redis_server)

    kill(the_sending_process(mail_server, workers))
    release_after_the_kill(mail_server, notification)

    assert_sent_once(mail_server, notification)
    logs = "".join(worker.log() for worker in workers)
    assert "WorkerLostError" in logs
    assert "signal 9 (SIGKILL)" in logs
    received = re.findall(r"Task appointments\.send_notification\[(\S+)\] received", logs)
    # The first delivery, the redelivery, and its retry when the lease has ended.
    assert len(received) == 3
    assert len(set(received)) == 1
    assert f"appointments.send_notification[{received[0]}] retry: Retry in" in logs


def test_email_of_a_lost_worker_is_swept_up_and_sent_once_by_another(
    redis_server, mail_server, celery_processes
):
    """The whole worker dies (a machine lost): the broker keeps its unacknowledged task for
    its visibility timeout, an hour. The outbox sweep does not wait that long: when the
    row's lease ends, it queues the email for the worker that is left."""
    PracticeFactory()
    workers = [
        celery_processes("worker", broker=redis_server, mail=mail_server),
        celery_processes("worker", broker=redis_server, mail=mail_server),
    ]
    beat = celery_processes("beat", broker=redis_server, mail=mail_server)
    mail_server.handler.mode = "hold"
    notification = queue_office_email(redis_server)

    sender = the_sending_process(mail_server, workers)
    [lost] = [worker for worker in workers if sender in worker.children()]
    lost.kill()
    release_after_the_kill(mail_server, notification)

    assert_sent_once(mail_server, notification)
    [survivor] = [worker for worker in workers if worker is not lost]
    assert "appointments.requeue_waiting_notifications" in beat.log()
    assert re.search(
        r"requeue_waiting_notifications\[\S+\] succeeded in \S+: [1-9]", survivor.log()
    )
    # Later sweeps find nothing to send.
    sweeps = survivor.log().count("requeue_waiting_notifications")
    assert wait_until(
        lambda: survivor.log().count("requeue_waiting_notifications") >= sweeps + 6, timeout=10
    )
    assert len(mail_server.messages) == 1


def test_two_workers_holding_one_row_send_it_once(smtp_server, mailbox, settings):
    """Eight threads, each with its own database connection, send the same 25 rows at
    the same moment: the conditional update lets one of them send each row."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    PracticeFactory()
    notifications = [
        Notification.objects.create(
            appointment_request=AppointmentRequestFactory(),
            kind=Notification.Kind.OFFICE,
            recipients="office@practice.test",
        )
        for _ in range(25)
    ]
    start = threading.Barrier(8)
    sent_by = Counter()
    errors = []

    def worker(name):
        from django.db import connection

        try:
            for notification in notifications:
                start.wait(timeout=30)
                result = services.notification_send(notification_id=notification.pk)
                if result is not None:
                    sent_by[notification.pk, name] += 1
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Counter(pk for pk, _ in sent_by.elements()) == {n.pk: 1 for n in notifications}
    messages = mailbox.wait_for(25, timeout=30)
    assert Counter(message["Message-ID"] for message in messages) == {
        n.message_id: 1 for n in notifications
    }
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert mail.outbox == []  # the real SMTP backend, not the test outbox
