"""The services both nodes share go down under traffic and come back: the site keeps
serving what it can, says what it cannot in the practice's own words, and recovers by
itself, without a restart of gunicorn or of the Celery workers."""

import time
import uuid
from collections import Counter

import pytest

from tests.support.processes import wait_until
from tests.support.web import Browserless

from .stack import ADMIN, STAFF_BACKUP_CODES, STAFF_PASSWORD, STAFF_USERNAME
from .traffic import (
    REFERENCE,
    THANKS,
    Patients,
    Visitors,
    assert_each_emailed_once,
    outbox_rows,
)

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"
UNAVAILABLE = "Sorry, our website is unavailable for a moment"


def processes(stack):
    """Every gunicorn and Celery process of the nodes, the workers' children too."""
    return {
        node.name: [
            (process.pid, sorted(process.children())) for process in (node.web, node.worker)
        ]
        for node in stack.nodes
    }


def is_the_practices_unavailable_page(answer, phone):
    return (
        answer.status == 503
        and UNAVAILABLE in answer.page
        and phone in answer.page
        and "Traceback" not in answer.page
        and "nginx" not in answer.page
    )


def test_postgresql_restarted_under_load(stack, patient_answers, capsys):
    [[phone]] = stack.query("SELECT phone FROM practice_practice")
    running = processes(stack)
    staff = Browserless(stack.url)
    staff.log_in(ADMIN, STAFF_USERNAME, STAFF_PASSWORD, STAFF_BACKUP_CODES.pop())
    patient = Browserless(stack.url, timeout=30)
    email = f"patient.{uuid.uuid4().hex[:8]}@postgres.test"
    request = patient.fill("/appointments/", patient_answers | {"email": email})

    with Visitors(stack.url) as visitors:
        visitors.wait_for(8)
        stack.postgres.stop()
        stopped = time.monotonic()
        read_before = len(visitors.done)
        # Meanwhile the patient, who had the form open, sends it; staff open the admin. The
        # outage lasts until the front has had to ask the nodes for pages several times.
        answers = []
        while len(asked_the_nodes(visitors.done[read_before:])) < 12:
            assert time.monotonic() - stopped < 30
            answers += [
                patient.open("/appointments/", request, FORM),
                Browserless(stack.url).open("/appointments/"),
                staff.open(ADMIN),
            ]
        read_during = visitors.done[read_before:]
        stack.postgres.start()
        started = time.monotonic()
        # The patient sends the form again, until it goes through.
        sent = wait_until(
            lambda: (
                (answer := patient.open("/appointments/", request, FORM)).url.endswith(THANKS)
                and answer
            ),
            timeout=30,
            interval=0.05,
        )
        recovered = time.monotonic() - started
        visitors.wait_for(8)

    # Public pages kept coming, whole, all along.
    assert visitors.done
    assert [page for page in visitors.done if page.status != 200 or not page.whole] == []
    assert len(read_during) >= 8
    # Everything else said the practice's own words, with its phone number.
    assert [a.status for a in answers if not is_the_practices_unavailable_page(a, phone)] == []
    assert answers[0].headers["Retry-After"] == "30"
    # Back by itself: the form, its emails and the admin, from the same processes.
    assert sent, stack.logs()
    [reference] = REFERENCE.findall(sent.page)
    assert stack.query(
        "SELECT reference FROM appointments_appointmentrequest WHERE email = %s", [email]
    ) == [(reference,)]
    assert_each_emailed_once(stack, {reference}, timeout=30)
    assert staff.open(ADMIN).status == 200
    assert processes(stack) == running

    with capsys.disabled():
        print(
            f"\nPostgreSQL down {started - stopped:.1f} s under traffic: {len(read_during)}"
            f" public pages read meanwhile, all whole ({cache_statuses(read_during)});"
            f" {len(answers)} form and admin requests answered with the practice's 503 page;"
            f" the form went through {recovered:.2f} s after PostgreSQL was back, no process"
            " restarted."
        )


def asked_the_nodes(pages):
    """The pages the front did not answer from its cache alone (fresh: HIT)."""
    return [page for page in pages if page.cache != "HIT"]


def cache_statuses(pages):
    counts = Counter(page.cache for page in pages)
    return ", ".join(f"{count} {status}" for status, count in counts.most_common())


def test_redis_restarted_under_load(stack, patient_answers, capsys):
    domain = f"{uuid.uuid4().hex[:8]}.redis.test"
    running = processes(stack)

    with Visitors(stack.url) as visitors, Patients(stack.url, patient_answers, domain) as patients:
        patients.wait_for(3)
        stack.redis.stop()
        stopped = time.monotonic()
        sent_before, read_before = len(patients.done), len(visitors.done)
        patients.wait_for(5)
        sent_during = patients.done[sent_before:]
        read_during = visitors.done[read_before:]
        stack.redis.start()
        started = time.monotonic()
        patients.wait_for(5)

    # Every patient landed on the thanks page; every page read came whole.
    assert [sent for sent in patients.done if sent.landed_on != stack.url + THANKS] == []
    assert [page for page in visitors.done if page.status != 200 or not page.whole] == []
    assert len(sent_during) >= 5
    shown = {sent.email: REFERENCE.search(sent.page)[1] for sent in patients.done}
    saved = dict(
        stack.query(
            "SELECT email, reference FROM appointments_appointmentrequest WHERE email LIKE %s",
            [f"%@{domain}"],
        )
    )
    assert saved == shown
    # The emails of the requests sent while Redis was down waited in the outbox; the
    # sweep sent them once it was back. Each email once, after a single claim.
    assert_each_emailed_once(stack, set(shown.values()))
    delivered = time.monotonic() - started
    assert outbox_rows(stack, f"%@{domain}") == {("sent", 1): 2 * len(shown)}
    assert processes(stack) == running

    with capsys.disabled():
        print(
            f"\nRedis down {started - stopped:.1f} s under traffic: {len(read_during)} public"
            f" pages read and {len(sent_during)} requests accepted meanwhile;"
            f" {len(shown)} requests in all, {2 * len(shown)} emails, none twice, the last"
            f" {delivered:.1f} s after Redis was back; no process restarted."
        )
