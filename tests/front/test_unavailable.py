"""With no web process answering, a patient gets the practice's own page from the front:
a 503, to come back later, with the phone number to call meanwhile."""

import pytest

from tests.factories import PracticeFactory
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("POST", "/appointments/")])
def test_a_patient_gets_the_practices_page_with_its_phone_number(lone_front, method, path):
    # Saved here, as staff save it in the admin: the site writes the page to the media
    # folder that the front reads.
    PracticeFactory(name="Riverside Spine Practice", phone="+1 212 555 0199")
    body = b"full_name=Ana" if method == "POST" else None

    answer = fetch(lone_front.url, path, method=method, body=body)

    assert answer.status == 503
    assert answer.header("Retry-After") == "30"
    assert answer.header("Cache-Control") == "no-store"
    assert "Riverside Spine Practice" in answer.text
    assert 'href="tel:+12125550199"' in answer.text


def test_before_the_site_has_written_its_page_the_front_still_says_come_back(
    lone_front, media_root
):
    (media_root / "errors" / "503.html").unlink(missing_ok=True)

    answer = fetch(lone_front.url, "/")

    assert answer.status == 503
    assert answer.header("Retry-After") == "30"
