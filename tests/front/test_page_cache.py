"""Public pages are answered by nginx from its own cache, for a second at most; the form,
staff and anyone with a session always reach the site; a change shows within a second."""

import re
import statistics
import time
import uuid

import pytest
from django.test import Client

from tests.factories import ConditionFactory, UserFactory
from tests.support.processes import wait_until
from tests.support.staff import log_in_verified
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def page():
    """A condition page of this test's own: no other test's copy is in the front's cache."""
    condition = ConditionFactory(slug=f"sciatica-{uuid.uuid4().hex[:8]}", summary="Version 0.")
    condition.path = condition.get_absolute_url()
    return condition


def kept(front, path):
    """The page as the front answers it from its cache (asked until it does: a copy kept
    at the very end of a clock second is gone at once)."""
    answer = wait_until(lambda: hit(fetch(front.url, path)), timeout=3, interval=0.01)
    assert answer, f"the front kept no copy of {path}"
    return answer


def hit(answer):
    return answer if answer.header("X-Cache") == "HIT" else None


def test_a_public_page_is_answered_by_the_front_without_asking_the_site(front, site, page):
    first = kept(front, page.path)
    asked = site.was_asked(page.path)

    answers = [fetch(front.url, page.path) for _ in range(10)]

    assert all(answer.status == 200 for answer in answers)
    assert all(answer.content == first.content for answer in answers)
    assert "Version 0." in first.text
    hits = [answer for answer in answers if hit(answer)]
    assert hits
    # The site rendered the page only for an answer that was not a copy (a second ended).
    assert site.was_asked(page.path) - asked == len(answers) - len(hits)


def test_made_up_query_strings_get_the_page_already_kept(front, site, page):
    first = kept(front, page.path)
    asked = site.was_asked(page.path)

    answers = [fetch(front.url, f"{page.path}?x={uuid.uuid4().hex}") for _ in range(20)]

    assert all(answer.content == first.content for answer in answers)
    hits = [answer for answer in answers if hit(answer)]
    assert len(hits) >= len(answers) - 3
    assert site.was_asked(page.path) - asked == len(answers) - len(hits)


def test_the_form_is_never_kept(front, site):
    asked = site.was_asked("/appointments/")

    answers = [fetch(front.url, "/appointments/") for _ in range(2)]

    assert [answer.status for answer in answers] == [200, 200]
    assert [answer.header("X-Cache") for answer in answers] == ["MISS", "MISS"]
    first, second = (answer.text for answer in answers)
    assert SUBMISSION_KEY.search(first)[1] != SUBMISSION_KEY.search(second)[1]
    assert CSRF_TOKEN.search(first)[1] != CSRF_TOKEN.search(second)[1]
    assert all("csrftoken=" in answer.header("Set-Cookie") for answer in answers)
    assert site.was_asked("/appointments/") - asked == 2


@pytest.mark.parametrize("cookie", ["sessionid=made-up", "messages=a-message-waiting"])
def test_a_visitor_with_a_session_always_reaches_the_site(front, site, page, cookie):
    kept(front, page.path)
    asked = site.was_asked(page.path)

    answers = [fetch(front.url, page.path, headers={"Cookie": cookie}) for _ in range(3)]

    assert [answer.header("X-Cache") for answer in answers] == ["BYPASS"] * 3
    assert all("private" in answer.header("Cache-Control") for answer in answers)
    assert site.was_asked(page.path) - asked == 3


def test_staff_get_pages_of_their_own_that_no_one_else_is_given(front, site, page):
    staff = Client()
    log_in_verified(staff, UserFactory(username="olive", is_superuser=True))
    cookie = {"Cookie": f"sessionid={staff.cookies['sessionid'].value}"}
    kept(front, page.path)

    public_page = fetch(front.url, page.path, headers=cookie)
    admin = fetch(front.url, "/admin/", headers=cookie)
    stranger = fetch(front.url, "/admin/")

    assert public_page.header("X-Cache") == "BYPASS"
    assert "private" in public_page.header("Cache-Control")
    assert admin.status == 200
    assert "olive" in admin.text
    assert stranger.status == 302
    assert stranger.header("Location").startswith("/admin/login/")


def test_a_change_shows_through_the_front_within_a_second(front, page):
    """Ten changes, each looked for until it shows. The front's copy lasts to the end of
    the clock second it was made in, so the changes are saved at moments spread over the
    second (else each would follow the last by a whole second and meet the worst case)."""
    delays, past_the_second = [], []
    for version in range(1, 11):
        moment = (version - 0.5) / 10
        time.sleep((moment - time.time() % 1) % 1)
        kept(front, page.path)
        page.summary = f"Version {version}."
        page.save()
        saved, rest_of_the_second = time.monotonic(), 1 - time.time() % 1
        shown = wait_until(
            lambda: page.summary in fetch(front.url, page.path).text, timeout=3, interval=0.02
        )
        delays.append(time.monotonic() - saved)
        past_the_second.append(delays[-1] - rest_of_the_second)
        assert shown, f"{page.summary} not shown after {delays[-1]:.2f} s"

    print(
        "\nA change to a condition page, seen through the front after (s): "
        + " ".join(f"{delay:.2f}" for delay in sorted(delays))
        + f"; median {statistics.median(delays):.2f}, max {max(delays):.2f}; at most "
        f"{max(past_the_second) * 1000:.0f} ms after the end of the second it was saved in"
    )
    assert max(delays) < 1.5


def test_the_first_visitor_after_a_quiet_spell_sees_the_change(front, page):
    """The front's copy is past its second and nobody has asked for the page since: the
    next visitor gets the page as it is now, not the copy, however old."""
    kept(front, page.path)
    copy_ends = int(time.time()) + 1
    # nginx's clock, which no test can move, ends the copy: let its second go by.
    time.sleep(copy_ends + 0.05 - time.time())
    page.summary = "Version 1."
    page.save()

    answer = fetch(front.url, page.path)

    assert answer.header("X-Cache") == "EXPIRED"
    assert "Version 1." in answer.text
