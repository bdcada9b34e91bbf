"""Celery beat runs on both nodes, as `make up` on two machines starts it: each sweep runs
twice as often, and still each reminder, and each email queued again, goes once."""

import json
import re
import uuid
from collections import Counter

import pytest

from tests.support.processes import wait_until

pytestmark = pytest.mark.integration

WAITING = 3
# In the stack's Django shell: an appointment tomorrow (its reminder due now, the stack's
# day being at noon), and emails saved a minute ago whose tasks never reached the broker.
SETUP = """
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from appointments.models import Notification
from tests.factories import AppointmentFactory, NotificationFactory

tomorrow = timezone.localdate() + timedelta(days=1)
appointment = AppointmentFactory(
    appointment_request__email="{reminded}",
    starts_at=timezone.make_aware(datetime.combine(tomorrow, time(10))),
)
a_minute_ago = timezone.now() - timedelta(minutes=1)
waiting = [
    NotificationFactory(
        kind=Notification.Kind.ACKNOWLEDGMENT,
        appointment_request__email=address,
        recipients=address,
        next_attempt_at=a_minute_ago,
    )
    for address in {waiting}
]
print(json.dumps([appointment.pk, [row.pk for row in waiting]]))
"""


def sent(node, task):
    """How many times this node's beat has sent `task`."""
    return len(re.findall(rf"Sending due task \S+ \({re.escape(task)}\)", node.beat.log()))


def done(stack, task):
    """How many times the nodes' workers have run `task`."""
    pattern = rf"Task {re.escape(task)}\[[^\]]+\] succeeded"
    return sum(len(re.findall(pattern, node.worker.log())) for node in stack.nodes)


def emails_to(stack, addresses):
    """The subject of each email the mail server holds for each of `addresses`."""
    received = {address: [] for address in addresses}
    for message in stack.mailbox.messages:
        if message["To"] in received:
            received[message["To"]].append(message["Subject"])
    return received


def test_each_reminder_and_each_requeued_email_goes_once(stack, capsys):
    run = uuid.uuid4().hex[:8]
    reminded = f"reminded.{run}@beat.test"
    waiting = [f"waiting{number}.{run}@beat.test" for number in range(WAITING)]
    sweeps = ["appointments.queue_due_reminders", "appointments.requeue_waiting_notifications"]

    appointment_id, waiting_ids = json.loads(
        stack.django(SETUP.format(reminded=reminded, waiting=waiting))
    )

    assert wait_until(lambda: all(emails_to(stack, [reminded, *waiting]).values()), 30), (
        stack.logs()
    )
    # Then each beat sends each sweep three times more, and the workers run them all.
    sent_before = {node.name: {task: sent(node, task) for task in sweeps} for node in stack.nodes}
    done_before = {task: done(stack, task) for task in sweeps}
    assert wait_until(
        lambda: (
            all(
                sent(node, task) >= sent_before[node.name][task] + 3
                for node in stack.nodes
                for task in sweeps
            )
            and all(done(stack, task) >= done_before[task] + 6 for task in sweeps)
        ),
        timeout=30,
    ), stack.logs()

    received = emails_to(stack, [reminded, *waiting])
    [reminder] = received.pop(reminded)
    assert reminder.startswith("Reminder: your appointment tomorrow")
    assert {address: len(subjects) for address, subjects in received.items()} == dict.fromkeys(
        waiting, 1
    )
    # Each sent after a single claim: no copy is on its way either.
    rows = stack.query(
        "SELECT status, attempts FROM appointments_notification"
        " WHERE appointment_id = %s OR id = ANY(%s)",
        [appointment_id, waiting_ids],
    )
    assert Counter(rows) == {("sent", 1): 1 + WAITING}
    with capsys.disabled():
        runs = {task: done(stack, task) - done_before[task] for task in sweeps}
        print(
            f"\nBeat on both nodes: after the emails went, {runs[sweeps[0]]} reminder sweeps"
            f" and {runs[sweeps[1]]} re-queue sweeps more; 1 reminder and {WAITING}"
            " re-queued emails, each sent once."
        )
