"""Every page sends the security headers: a strict Content-Security-Policy, no sniffing,
the referrer kept to the site, powerful browser features denied, and no framing."""

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlparse

import django_prose_editor
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from appointments import links
from faq.views import QuestionListView
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ConditionSectionFactory,
    QuestionFactory,
    UserFactory,
)
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


@pytest.fixture
def site(practice, condition):
    ConditionSectionFactory(condition=condition)
    QuestionFactory(condition=condition)
    return condition


@pytest.fixture
def staff_client(client):
    log_in_verified(client, UserFactory(is_superuser=True))
    return client


def manage_path():
    return urlparse(links.manage_url(AppointmentFactory())).path


def directives(policy):
    """The policy as {directive: [sources]}."""
    return {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_security_headers(response):
    __tracebackhide__ = True
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions.split(", ")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    sources = directives(policy)
    assert sources["default-src"] == ["'self'"]
    assert sources["frame-ancestors"] == ["'none'"]
    assert sources["object-src"] == ["'none'"]
    # Nothing from another origin: only 'self', 'none', a nonce or a hash.
    for source in (s for values in sources.values() for s in values):
        assert re.fullmatch(r"'(self|none|nonce-[\w+/=]+|sha256-[\w+/=]+)'", source), source


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/conditions/", 200),
        ("/conditions/revision-spine-surgery/", 200),
        ("/faq/", 200),
        ("/appointments/", 200),
        ("/appointments/?condition=revision-spine-surgery", 200),
        ("/appointments/manage/not-a-real-token/", 400),
        ("/sitemap.xml", 200),
        ("/robots.txt", 200),
        ("/no-such-page/", 404),
        ("/conditions/no-such-condition/", 404),
        ("/admin/login/", 200),
        ("/admin/", 302),
    ],
)
def test_public_pages_send_the_security_headers(client, site, path, status):
    # The second answer, for a public page, comes from the page cache.
    for response in (client.get(path), client.get(path)):
        assert response.status_code == status
        assert_security_headers(response)


def test_the_thanks_page_sends_the_security_headers(client, site):
    response = client.get(reverse("appointments:thanks"), follow=True)

    assert_security_headers(response)


def test_the_patients_manage_page_sends_the_security_headers(client, site):
    response = client.get(manage_path())

    assert response.status_code == 200
    assert_security_headers(response)


def test_the_server_error_page_sends_the_security_headers(site, monkeypatch):
    def fail(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(QuestionListView, "get_queryset", fail)
    response = Client(raise_request_exception=False).get("/faq/")

    assert response.status_code == 500
    assert_security_headers(response)


def test_the_csrf_failure_page_sends_the_security_headers(site):
    response = Client(enforce_csrf_checks=True).post("/appointments/", {})

    assert response.status_code == 403
    assert_security_headers(response)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/appointments/appointmentrequest/",
        "/admin/conditions/condition/",
        "/admin/conditions/condition/add/",
        "/admin/faq/question/add/",
        "/admin/practice/surgeon/add/",
        "/admin/appointments/notification/",
    ],
)
def test_admin_pages_send_the_security_headers(staff_client, site, path):
    response = staff_client.get(path)

    assert response.status_code == 200
    assert_security_headers(response)


def test_the_request_and_condition_change_pages_send_the_security_headers(staff_client, site):
    appointment_request = AppointmentRequestFactory(condition=site, is_urgent=True)
    for path in [
        reverse("admin:appointments_appointmentrequest_change", args=[appointment_request.pk]),
        reverse("admin:conditions_condition_change", args=[site.pk]),
    ]:
        response = staff_client.get(path)

        assert response.status_code == 200
        assert_security_headers(response)


def test_patient_pages_need_no_nonce(client, site):
    policy = client.get("/appointments/")["Content-Security-Policy"]

    assert directives(policy)["script-src"] == ["'self'"]


def test_the_rich_text_editors_import_map_carries_the_pages_nonce(staff_client, site):
    response = staff_client.get(reverse("admin:conditions_condition_change", args=[site.pk]))

    nonces = re.findall(r"'nonce-([\w+/=]+)'", response["Content-Security-Policy"])
    assert len(nonces) == 1
    assert f'<script type="importmap" nonce="{nonces[0]}">' in response.text


def test_each_request_has_a_nonce_of_its_own(staff_client, site):
    path = reverse("admin:conditions_condition_change", args=[site.pk])

    policies = {staff_client.get(path)["Content-Security-Policy"] for _ in range(2)}

    assert len(policies) == 2


def test_the_admin_marks_urgent_requests_without_inline_style(staff_client, site):
    AppointmentRequestFactory(condition=site, is_urgent=True, red_flags=["leg_weakness"])

    changelist = staff_client.get(reverse("admin:appointments_appointmentrequest_changelist"))

    assert '<strong class="urgent-marker">Urgent</strong>' in changelist.text
    assert "style=" not in changelist.text
    assert "/static/css/admin.css" in changelist.text


def test_the_editors_stylesheet_hash_matches_the_installed_editor():
    """Tiptap, inside django-prose-editor, adds ProseMirror's base rules as a <style>; the
    policy allows that one stylesheet by its hash. A new version of the editor may change
    the rules: this says which hash to put in PROSE_EDITOR_STYLE_HASH then."""
    editor_js = (
        Path(django_prose_editor.__file__).parent / "static/django_prose_editor/editor.js"
    ).read_text()
    stylesheets = re.findall(r"`(\.ProseMirror \{[^`]*)`", editor_js)
    assert len(stylesheets) == 1, "ProseMirror's base stylesheet is no longer where it was"
    digest = base64.b64encode(hashlib.sha256(stylesheets[0].encode()).digest()).decode()

    expected = f"'sha256-{digest}'"
    assert expected == settings.PROSE_EDITOR_STYLE_HASH
