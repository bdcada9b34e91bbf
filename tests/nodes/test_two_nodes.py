"""The practice on two machines behind one front: what staff change on one is what
patients see through the front, and losing a machine in the middle of patients' requests
loses none of them.

The figures of each test are printed; run with -s to see them.
"""

import threading
import time
import uuid
from collections import Counter
from contextlib import closing

import pytest

from tests.support.forms import png_image
from tests.support.processes import wait_until
from tests.support.web import Browserless

from .stack import ADMIN, STAFF_BACKUP_CODES, STAFF_PASSWORD, STAFF_USERNAME
from .traffic import (
    REFERENCE,
    THANKS,
    assert_each_emailed_once,
    outbox_rows,
    send_request,
)

pytestmark = pytest.mark.integration

CONDITION = "revision-spine-surgery"


def staff_on(node):
    """A member of staff logged in to the admin of this node itself, not through the front."""
    staff = Browserless(node.url, timeout=30)
    staff.log_in(ADMIN, STAFF_USERNAME, STAFF_PASSWORD, STAFF_BACKUP_CODES.pop())
    return staff


def test_a_page_changed_through_node_a_is_served_changed_through_the_front_at_once(stack, capsys):
    path = f"/conditions/{CONDITION}/"
    visitor = Browserless(stack.url)
    # Kept by the front (and by the site's own page cache), as a page read often is.
    assert wait_until(lambda: visitor.open(path).headers["X-Cache"] == "HIT", timeout=5)
    [[condition_id]] = stack.query(
        "SELECT id FROM conditions_condition WHERE slug = %s", [CONDITION]
    )
    summary = f"Revised on node A ({uuid.uuid4().hex[:8]})."

    saved = staff_on(stack.a).save_form(
        f"{ADMIN}conditions/condition/{condition_id}/change/",
        "condition_form",
        {"summary": summary, "_save": "Save"},
    )
    published = time.monotonic()

    assert saved.url == f"{stack.a.url}{ADMIN}conditions/condition/", saved.page[-3000:]
    seen = []
    while time.monotonic() - published < 3 and not seen:
        if summary in visitor.open(path).page:
            seen.append(time.monotonic() - published)
        time.sleep(0.02)
    assert seen, "the change was not served through the front within 3 s"
    [visible_after] = seen
    with capsys.disabled():
        print(f"\nPublish to visible through the front: {visible_after:.2f} s.")
    # The front keeps a page to the end of the clock second it was stored in, at most; then
    # a node renders it afresh while the front answers one more visitor with the old one.
    assert visible_after < 1.5


def test_a_photo_uploaded_through_node_a_is_served_through_the_front(stack):
    photo = png_image(600, 800)
    [[surgeon_id, slug]] = stack.query("SELECT id, slug FROM practice_surgeon")

    saved = staff_on(stack.a).save_form(
        f"{ADMIN}practice/surgeon/{surgeon_id}/change/",
        "surgeon_form",
        {"photo_alt": "The surgeon in a clinic room", "_save": "Save"},
        files={"photo": ("portrait.png", photo, "image/png")},
    )

    assert saved.url == f"{stack.a.url}{ADMIN}practice/surgeon/", saved.page[-3000:]
    [[name]] = stack.query("SELECT photo FROM practice_surgeon WHERE id = %s", [surgeon_id])
    served = Browserless(stack.url).open(f"/media/{name}")
    assert served.status == 200
    assert served.body == photo
    # From the shared folder by nginx itself, which alone sends this policy.
    assert served.headers["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; sandbox"
    )
    visitor = Browserless(stack.url)
    assert wait_until(lambda: f"/media/{name}" in visitor.open(f"/surgeons/{slug}/").page, 3)


POSTS = 48
CLIENTS = 4
SLOW_STEP = 'INSERT INTO "django_session"%'


def node_waits_on_a_lock(stack, node, query):
    return stack.query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        " AND wait_event_type = 'Lock' AND query LIKE %s",
        [node.name, query],
    )[0][0]


def test_node_a_killed_mid_traffic_loses_no_patients_request(stack, patient_answers, capsys):
    """Node A's gunicorn is killed while it holds a patient's post: it has saved their
    request and is saving their session (the test holds a lock on the session table, so
    the post waits there). The front sends that post to node B, which finds the request
    by its submission key; and every later post goes to node B."""
    run = uuid.uuid4().hex[:8]
    emails = [f"patient{number}.{run}@kill.test" for number in range(POSTS)]
    landed = {}
    errors = []

    def send(number):
        try:
            landed[number] = send_request(stack.url, patient_answers, email=emails[number])
        except Exception as error:  # an error page, a refused connection, a timeout
            errors.append(f"patient {number}: {type(error).__name__}: {error}")

    def patient(first):
        for number in range(first, POSTS, CLIENTS):
            send(number)

    def one_more_patient():
        """Every patient's post may be waiting on node B: the front sends the next to A."""
        emails.append(f"patient{len(emails)}.{run}@kill.test")
        client = threading.Thread(target=send, args=(len(emails) - 1,))
        client.start()
        clients.append(client)

    def node_a_holds_a_post():
        if node_waits_on_a_lock(stack, stack.a, SLOW_STEP):
            return True
        one_more_patient()
        return False

    clients = [threading.Thread(target=patient, args=(first,)) for first in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        assert wait_until(lambda: len(landed) >= POSTS // 3, timeout=60), errors
        with closing(stack.connect()) as holder, holder.cursor() as lock:
            lock.execute("BEGIN")
            lock.execute("LOCK TABLE django_session IN EXCLUSIVE MODE")
            assert wait_until(node_a_holds_a_post, timeout=20, interval=1)
            answered_before = {emails[number] for number in list(landed)}
            saved_before = stack.query(
                "SELECT email, reference FROM appointments_appointmentrequest WHERE email LIKE %s",
                [f"%.{run}@kill.test"],
            )
            stack.a.web.kill()
            lock.execute("ROLLBACK")
        for client in list(clients):
            client.join(timeout=120)
    finally:
        if not stack.a.web.running():
            stack.a.start_web()
    assert wait_until(stack.a.web_answers, timeout=30), stack.a.logs()

    # Every patient landed on the thanks page, with a reference of their own.
    assert errors == []
    assert Counter(url for url, _ in landed.values()) == {stack.url + THANKS: len(emails)}
    shown = {emails[number]: REFERENCE.search(page)[1] for number, (_, page) in landed.items()}
    saved = dict(
        stack.query(
            "SELECT email, reference FROM appointments_appointmentrequest WHERE email LIKE %s",
            [f"%.{run}@kill.test"],
        )
    )
    assert len(saved) == len(emails)
    assert saved == shown
    # Those saved before the kill, and still waiting for their answer then, were shown the
    # reference saved then: the posts sent again found their requests.
    in_flight = {email for email, _ in saved_before} - answered_before
    assert in_flight
    assert all(shown[email] == reference for email, reference in saved_before)

    # The post node A held was sent again, to node B.
    retried = [
        line
        for line in stack.front.access_log().splitlines()
        if '"POST /appointments/"' in line
        and f"upstream={stack.a.address}, {stack.b.address}" in line
    ]
    assert retried, stack.front.access_log()[-3000:]

    # Every request emailed to the office and to the patient, once.
    assert_each_emailed_once(stack, set(shown.values()))
    assert outbox_rows(stack, f"%.{run}@kill.test") == {("sent", 1): 2 * len(emails)}

    with capsys.disabled():
        print(
            f"\nNode A killed after {len(answered_before)} of {len(emails)} posts from"
            f" {CLIENTS} patients at once and {len(emails) - POSTS} more,"
            f" {len(in_flight)} saved and waiting for their answer:"
            f" {len(landed)} thanks pages, {len(saved)} requests saved,"
            f" {len(retried)} post(s) retried on node B, {2 * len(emails)} emails, none twice."
        )
