"""What the front and the web processes write about visitors: no patient's search, no
manage link's or calendar feed's token, and the front's only for its own user to read."""

import os
import stat
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from appointments import links
from tests.factories import AppointmentFactory, CalendarFeedFactory
from tests.support.processes import ROOT, ChildProcess, free_port, wait_until
from tests.support.web import Browserless, fetch

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "MTIz:1tQZbX:" + "k" * 43
ADMIN_SEARCH = "/admin/appointments/appointmentrequest/?q=Jane+Doe"
MANAGE_LINK = f"/appointments/manage/{TOKEN}/?done=cancelled"
FEED = "/appointments/calendar/" + "f" * 43 + ".ics"


def procfile_command(name):
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process == name:
            return command.strip()
    raise LookupError(name)


@pytest.fixture(scope="module")
def web_as_the_procfile_runs_it(site_environment, tmp_path_factory):
    """The Procfile's `web` command, as `make up` runs it (systemd runs the same: see
    tests/practice/test_going_live.py); what it writes to stdout and stderr, in a file."""
    port = free_port()
    environment = site_environment | {
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    output = tmp_path_factory.mktemp("procfile-web") / "web.log"
    process = ChildProcess(
        ["sh", "-c", f"exec {procfile_command('web')}"], env=environment, log_path=output
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(Browserless(url).answers, timeout=30), process.log()
        yield url, process
    finally:
        process.stop()


def logged_after_answering(url, process):
    """The output once the web process has logged every request answered so far: its one
    worker logs each answer before it takes the next, so the marker comes last."""
    marker = f"/log-tests/{uuid.uuid4().hex}"
    fetch(url, marker)
    assert wait_until(lambda: marker in process.log(), timeout=10), process.log()
    return process.log()


def test_the_web_processes_log_no_search_and_no_token(
    web_as_the_procfile_runs_it,
):
    url, process = web_as_the_procfile_runs_it
    live_link = urlsplit(links.manage_url(AppointmentFactory())).path
    token = live_link.split("/")[-2]
    fetch(url, ADMIN_SEARCH, headers={"Referer": f"https://practice.test{ADMIN_SEARCH}"})
    fetch(url, live_link, headers={"Referer": f"https://practice.test{live_link}"})
    fetch(url, MANAGE_LINK)
    feed = CalendarFeedFactory()
    fetch(url, feed.get_absolute_url())
    # Refused, and so named in Django's warnings too: no CSRF cookie, a token altered.
    fetch(url, live_link, method="POST", body=b"choice=cancel")

    log = logged_after_answering(url, process)

    assert '"GET /admin/appointments/appointmentrequest/ HTTP/1.1" 302' in log
    assert '"GET /appointments/manage/[token]/ HTTP/1.1" 200' in log
    assert '"https://practice.test/appointments/manage/[token]/"' in log
    assert '"https://practice.test/admin/appointments/appointmentrequest/"' in log
    assert '"GET /appointments/manage/[token]/?done=cancelled HTTP/1.1" 400' in log
    assert "Forbidden (CSRF cookie not set.): /appointments/manage/[token]/" in log
    assert "Bad Request: /appointments/manage/[token]/" in log
    assert '"GET /appointments/calendar/[token].ics HTTP/1.1" 200' in log
    for trace in [token, TOKEN, "kkkk", "Jane", "Doe", feed.token]:
        assert trace not in log, trace


def test_the_access_log_holds_no_query_string_and_no_manage_or_feed_token(front):
    fetch(front.url, f"/appointments/manage/{TOKEN}/?done=cancelled")
    fetch(front.url, FEED)
    fetch(front.url, "/admin/appointments/appointmentrequest/?q=Ana+Nunez+ana%40patient.test")

    # nginx writes its log a second late.
    assert wait_until(lambda: "/appointments/manage/[token]/" in front.access_log(), timeout=5)
    log = front.access_log()
    assert TOKEN not in log
    assert "kkkk" not in log
    assert "/appointments/calendar/[token].ics" in log
    assert "ffff" not in log
    assert "Nunez" not in log
    assert "patient.test" not in log
    assert "?" not in log


def test_the_fronts_folder_is_closed_to_other_users(front):
    mode = front.directory.stat().st_mode

    assert stat.S_IMODE(mode) & stat.S_IRWXO == 0
