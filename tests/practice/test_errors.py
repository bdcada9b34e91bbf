"""No stack trace ever reaches a page: errors end on the practice's own pages, and
/healthz says which service is down.

The tests run with DEBUG off, as production does (pytest-django turns it off).
"""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from appointments.views import AppointmentRequestView
from faq.views import QuestionListView
from practice import unavailable
from practice.models import Practice
from tests.support.environment import require
from tests.support.processes import free_port

# What Django's debug pages and a Python traceback show; none may reach a patient.
TRACES = ["Traceback", "most recent call last", "RuntimeError", "site-packages", "DEBUG"]


@pytest.fixture
def failing_faq(monkeypatch):
    def fail(self):
        raise RuntimeError("the code has a bug")

    monkeypatch.setattr(QuestionListView, "get_queryset", fail)


def assert_no_trace(page):
    for trace in TRACES:
        assert trace not in page, trace


@pytest.mark.django_db
def test_a_view_that_raises_gets_the_practices_error_page_with_its_phone(practice, failing_faq):
    response = Client(raise_request_exception=False).get("/faq/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong on our side" in page
    assert '<a href="tel:+15550123">+1 555 0123</a>' in page
    assert_no_trace(page)


@pytest.mark.django_db
def test_a_form_post_while_the_database_is_down_gets_the_page_written_for_it(
    practice, valid_form_data, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    """The page written when the practice's details were saved: it needs no database."""
    practice.phone = "+1 555 0199"
    with django_capture_on_commit_callbacks(execute=True):
        practice.save()

    def fail(self, form):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(AppointmentRequestView, "form_valid", fail)
    monkeypatch.setattr(Practice, "get_solo", classmethod(database_down))

    response = Client(raise_request_exception=False).post(
        reverse("appointments:request"), valid_form_data
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, our website is unavailable for a moment" in page
    assert '<a href="tel:+15550199">+1 555 0199</a>' in page
    assert_no_trace(page)
    assert "Connection refused" not in page


def database_down(cls):
    raise OperationalError("the database is down")


@pytest.mark.django_db
def test_error_page_stands_when_the_practices_details_cannot_be_read(failing_faq, monkeypatch):
    monkeypatch.setattr(Practice, "get_solo", classmethod(database_down))

    response = Client(raise_request_exception=False).get("/faq/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong on our side" in page
    assert_no_trace(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/no-such-page/", "/conditions/no-such-condition/", "/faq/no-such-question/"],
)
def test_missing_pages_are_the_practices_own_without_a_trace(client, practice, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert '<a href="tel:+15550123">+1 555 0123</a>' in response.text
    assert "Using the URLconf" not in response.text  # Django's debug 404
    assert_no_trace(response.text)


def test_health_check_is_503_when_the_database_is_down(client, django_db_blocker):
    """A real connection attempt to a port where no database listens."""
    require(connection.vendor == "postgresql", "needs a database server (DATABASE_URL)")
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        try:
            response = client.get(reverse("practice:healthz"))
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)

    assert response.status_code == 503
    assert response.json() == {"database": "down", "cache": "up", "broker": "up", "status": "down"}


@pytest.mark.django_db
def test_the_page_for_a_database_outage_is_rewritten_when_the_practice_changes(
    practice, media_root, django_capture_on_commit_callbacks
):
    page = media_root / "errors" / "503.html"
    practice.name, practice.phone = "Riverside Spine", "+1 555 0142"
    with django_capture_on_commit_callbacks(execute=True):
        practice.save()

    assert "Riverside Spine on" in page.read_text()
    assert '<a href="tel:+15550142">+1 555 0142</a>' in page.read_text()
    assert_no_trace(page.read_text())


def test_without_the_written_page_the_outage_page_still_stands(media_root):
    page = unavailable.page_content()

    assert "Sorry, our website is unavailable for a moment" in page
    assert "tel:" not in page
