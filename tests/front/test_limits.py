"""What a client sends costs the site nothing until it is whole and within bounds: nginx
refuses a body over 10 MB itself, and takes in a slow upload before handing it on, so
that a phone on a bad line never holds one of the site's few workers."""

import socket
import threading
import time
import urllib.parse

import pytest

from tests.support.processes import wait_until
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

OVER_THE_CAP = 11 * 1024 * 1024


def connect(front):
    return socket.create_connection(("127.0.0.1", front.port), timeout=10)


def post_head(path, headers):
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def status_of(connection):
    return int(connection.makefile("rb").readline().split()[1])


def test_a_body_over_the_cap_is_refused_before_it_is_sent(front, site):
    asked = site.was_asked("/appointments/")
    with connect(front) as connection:
        connection.sendall(post_head("/appointments/", [f"Content-Length: {OVER_THE_CAP}"]))

        assert status_of(connection) == 413
    assert site.was_asked("/appointments/") == asked


def test_a_body_over_the_cap_in_chunks_is_refused_as_it_comes(front, site):
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
    asked = site.was_asked("/appointments/")
    with connect(front) as connection:
        connection.sendall(post_head("/appointments/", ["Transfer-Encoding: chunked"]))
        for _ in range(OVER_THE_CAP // (64 * 1024)):
            connection.sendall(chunk)

        assert status_of(connection) == 413
    assert site.was_asked("/appointments/") == asked


def test_a_slow_upload_does_not_hold_the_sites_only_worker(front, site):
    body = urllib.parse.urlencode({"full_name": "Ana", "message": "It hurts. " * 100}).encode()
    head = post_head(
        "/appointments/",
        ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"],
    )
    sent = []
    other_visitor_answered = threading.Event()

    def dribble(connection):
        """A few bytes at a time, until the other visitor has had their page."""
        connection.sendall(head)
        for start in range(0, len(body), 4):
            if other_visitor_answered.is_set():
                connection.sendall(body[start:])
                return
            connection.sendall(body[start : start + 4])
            sent.append(start)
            time.sleep(0.05)

    with connect(front) as connection:
        slow = threading.Thread(target=dribble, args=(connection,))
        slow.start()
        try:
            assert wait_until(lambda: len(sent) >= 20, timeout=10)  # a second of dribbling
            # Were the worker waiting on the slow body, this would wait for it: for ever.
            other = fetch(front.url, "/appointments/", timeout=5)
            still_sending = slow.is_alive()
        finally:
            other_visitor_answered.set()
            slow.join(timeout=10)
        slow_status = status_of(connection)

    assert other.status == 200
    assert still_sending
    # The site's one worker had the other visitor's request before the slow one's.
    asked = [request for request in site.requests() if request[1] == "/appointments/"]
    assert asked[-2:] == [("GET", "/appointments/"), ("POST", "/appointments/")]
    assert slow_status == 403  # the form's CSRF check: it reached the site, whole
