"""Emails that could not be sent: staff see them on the admin's index and send them again.

The worker's side (retries, the attempts and the error on the row, the row marked failed)
runs against a real failing mail server in tests/integration/test_mail_server_failing.py.
"""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import Notification
from practice.groups import CONTENT_EDITORS, OFFICE_STAFF
from tests.factories import NotificationFactory, UserFactory
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

Status = Notification.Status
CHANGELIST = reverse("admin:appointments_notification_changelist")
FAILED_LIST = f"{CHANGELIST}?status__exact=failed"


def logged_in(client, group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    log_in_verified(client, user)
    return client


@pytest.fixture
def office(client):
    return logged_in(client, OFFICE_STAFF)


def failed(**fields):
    return NotificationFactory(
        status=Status.FAILED, attempts=6, last_error="SMTPDataError: (451, b'Busy')", **fields
    )


def test_admin_index_counts_recent_failed_emails_and_links_to_them(office, practice):
    failed()
    failed()
    NotificationFactory(status=Status.SENT)
    long_dealt_with = failed()
    Notification.objects.filter(pk=long_dealt_with.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )

    page = office.get(reverse("admin:index")).text

    [href] = re.findall(r'<a href="([^"]+)">2 emails could not be sent in the last 14 days', page)
    listed = office.get(html.unescape(href))
    assert len(listed.context["cl"].result_list) == 2


def test_admin_index_says_nothing_of_emails_when_none_failed(office, practice):
    NotificationFactory(status=Status.SENT)
    NotificationFactory(status=Status.PENDING)

    assert "could not be sent" not in office.get(reverse("admin:index")).text


def test_content_editors_are_not_told_of_failed_emails(client, practice):
    failed()

    page = logged_in(client, CONTENT_EDITORS).get(reverse("admin:index")).text

    assert "could not be sent" not in page


def test_the_status_filter_lists_the_failed_emails_only(office, practice):
    failed_one = failed()
    sent = NotificationFactory(status=Status.SENT)

    response = office.get(FAILED_LIST)

    assert list(response.context["cl"].result_list) == [failed_one]
    assert sent not in response.context["cl"].result_list


def test_send_again_sends_a_failed_email_once_and_skips_the_rest(
    office, practice, django_capture_on_commit_callbacks
):
    failed_one = failed()
    sent = NotificationFactory(status=Status.SENT, attempts=1)

    # Tests run tasks in process: the email is sent when the action's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            CHANGELIST,
            {"action": "send_again", "_selected_action": [failed_one.pk, sent.pk]},
            follow=True,
        )

    assert "Queued 1 email to be sent again. Skipped 1 that had not failed." in response.text
    failed_one.refresh_from_db()
    assert failed_one.status == Status.SENT
    assert failed_one.attempts == 1
    assert failed_one.last_error == ""
    [message] = mail.outbox
    assert message.to == ["office@practice.test"]


def test_send_again_is_offered_only_to_staff_who_may_change_emails(client, practice):
    viewer = UserFactory()
    viewer.user_permissions.add(
        *Group.objects.get(name=OFFICE_STAFF).permissions.exclude(codename="change_notification")
    )
    log_in_verified(client, viewer)
    failed_one = failed()

    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "send_again" not in response.text
    client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed_one.pk]})

    failed_one.refresh_from_db()
    assert failed_one.status == Status.FAILED
    assert mail.outbox == []


def test_send_again_gives_a_failed_email_fresh_attempts(
    practice, django_capture_on_commit_callbacks
):
    failed_one = failed()

    with django_capture_on_commit_callbacks() as queued:
        assert services.notification_send_again(notification_ids=[failed_one.pk]) == 1

    failed_one.refresh_from_db()
    assert failed_one.status == Status.PENDING
    assert failed_one.attempts == 0
    assert failed_one.claimed_at is None
    assert len(queued) == 1


def test_send_again_leaves_emails_that_did_not_fail_alone(practice):
    pending = NotificationFactory(status=Status.PENDING, attempts=2)
    sent = NotificationFactory(status=Status.SENT, attempts=1)

    assert services.notification_send_again(notification_ids=[pending.pk, sent.pk]) == 0

    pending.refresh_from_db()
    sent.refresh_from_db()
    assert (pending.status, pending.attempts) == (Status.PENDING, 2)
    assert (sent.status, sent.attempts) == (Status.SENT, 1)
    assert mail.outbox == []
