"""Patients and visitors using the site through the front while a test breaks something,
and what the office's mailbox then holds."""

import re
import threading
import time
from collections import Counter
from typing import NamedTuple

from tests.support.processes import wait_until
from tests.support.web import Browserless

REFERENCE = re.compile(r"Your reference is <strong>([^<]+)</strong>")
THANKS = "/appointments/thanks/"
# The public pages a visitor reads, each with words that only that page shows.
PUBLIC_PAGES = {
    "/": "<h1>Example Spine Practice</h1>",
    "/conditions/revision-spine-surgery/": "<h1>Revision spine surgery</h1>",
    "/faq/": "<h1>Questions and answers</h1>",
    "/surgeons/dr-jane-example/": "<h1>Dr. Jane Example</h1>",
}
SUBJECTS = {
    "office": re.compile(r"^(?:URGENT: )?New appointment request (\S+)$"),
    "acknowledgment": re.compile(r"^We have your appointment request \((\S+)\)$"),
}


def send_request(url, answers, **changes):
    """A patient loads the form through the front and sends it: where they land, and the
    page they see there."""
    return Browserless(url, timeout=60).submit("/appointments/", answers | changes)


class Traffic:
    """Requests sent one after another in a thread of their own for as long as the `with`
    block lasts; what came of each is kept in `done`."""

    def __init__(self):
        self.done = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        number = 0
        while not self.stopping.is_set():
            self.done.append(self.one(number))
            number += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(timeout=60)

    def wait_for(self, count, timeout=60):
        """Wait until `count` more requests are done; returns how many were done before."""
        before = len(self.done)
        deadline = time.monotonic() + timeout
        while len(self.done) < before + count and time.monotonic() < deadline:
            time.sleep(0.02)
        return before


class Page(NamedTuple):
    path: str
    status: int | str
    cache: str | None
    whole: bool


class Visitors(Traffic):
    """A visitor reading the public pages, one after the other, again and again."""

    def __init__(self, url):
        super().__init__()
        self.browser = Browserless(url, timeout=10)

    def one(self, number):
        path, words = list(PUBLIC_PAGES.items())[number % len(PUBLIC_PAGES)]
        try:
            answer = self.browser.open(path)
        except OSError as error:  # no answer at all
            return Page(path, type(error).__name__, None, False)
        whole = words in answer.page and answer.page.rstrip().endswith("</html>")
        return Page(path, answer.status, answer.headers["X-Cache"], whole)


class Sent(NamedTuple):
    email: str
    landed_on: str
    page: str


class Patients(Traffic):
    """Patients sending the form, one after the other, each with an address of their own
    at `domain`."""

    def __init__(self, url, answers, domain):
        super().__init__()
        self.url = url
        self.answers = answers
        self.domain = domain

    def one(self, number):
        email = f"patient{number}@{self.domain}"
        try:
            return Sent(email, *send_request(self.url, self.answers, email=email))
        except Exception as error:  # an error page, a refused connection, a timeout
            return Sent(email, f"{type(error).__name__}: {error}", "")


def emails_about(mailbox, references):
    """How many of each kind of email the mail server holds for each of `references`."""
    found = Counter()
    for message in mailbox.messages:
        for kind, subject in SUBJECTS.items():
            matched = subject.match(message["Subject"])
            if matched and matched[1] in references:
                found[matched[1], kind] += 1
    return found


def repeated_emails(mailbox, references):
    """Each email about `references` that arrived more than once, by its subject: the
    Message-ID each copy came with (one ID twice: one outbox row sent twice; two: two
    rows), the client's address and port, and when. For a failing test's message."""
    copies = {}
    for message, arrival in zip(mailbox.messages, mailbox.arrivals, strict=True):
        if any(
            (found := subject.match(message["Subject"])) and found[1] in references
            for subject in SUBJECTS.values()
        ):
            copies.setdefault(message["Subject"], []).append(f"{message['Message-ID']} {arrival}")
    return {subject: found for subject, found in copies.items() if len(found) > 1}


def all_emailed_once(references):
    return {(reference, kind): 1 for reference in references for kind in SUBJECTS}


def assert_each_emailed_once(stack, references, timeout=60):
    """Wait until the office's email and the patient's about each of `references` have
    arrived, each once; on failure, say which came more than once."""
    assert wait_until(
        lambda: emails_about(stack.mailbox, references) == all_emailed_once(references), timeout
    ), f"Sent more than once: {repeated_emails(stack.mailbox, references)}; {stack.logs()}"


def outbox_rows(stack, email_pattern):
    """The status and attempts of each outbox row of the requests whose email is LIKE
    `email_pattern`, counted."""
    return Counter(
        stack.query(
            "SELECT n.status, n.attempts FROM appointments_notification n"
            " JOIN appointments_appointmentrequest r ON r.id = n.appointment_request_id"
            " WHERE r.email LIKE %s",
            [email_pattern],
        )
    )
