"""What the front writes about visitors: no patient's search, no manage link's token, and
only for the front's own user to read."""

import stat

import pytest

from tests.support.processes import wait_until
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "MTIz:1tQZbX:" + "k" * 43


def test_the_access_log_holds_no_query_string_and_no_manage_token(front):
    fetch(front.url, f"/appointments/manage/{TOKEN}/?done=cancelled")
    fetch(front.url, "/admin/appointments/appointmentrequest/?q=Ana+Nunez+ana%40patient.test")

    # nginx writes its log a second late.
    assert wait_until(lambda: "/appointments/manage/[token]/" in front.access_log(), timeout=5)
    log = front.access_log()
    assert TOKEN not in log
    assert "kkkk" not in log
    assert "Nunez" not in log
    assert "patient.test" not in log
    assert "?" not in log


def test_the_fronts_folder_is_closed_to_other_users(front):
    mode = front.directory.stat().st_mode

    assert stat.S_IMODE(mode) & stat.S_IRWXO == 0
