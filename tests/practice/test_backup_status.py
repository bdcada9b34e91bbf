"""The admin's front page says when the last good backup was taken, and warns when none
was in the last 26 hours; the backups' record is read-only."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from practice.groups import CONTENT_EDITORS, OFFICE_STAFF
from practice.models import BackupRun
from tests.factories import BackupRunFactory, UserFactory
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
WARNING = "No good backup in the last 26 hours"


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def member_of(client, group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    log_in_verified(client, user)
    return client


def test_the_front_page_says_when_the_last_good_backup_was_taken(admin_client):
    BackupRunFactory(finished_at=hours_ago(30))
    good = BackupRunFactory(finished_at=hours_ago(5))
    BackupRunFactory(finished_at=hours_ago(1), status=BackupRun.Status.FAILED)

    page = admin_client.get(INDEX).text

    taken = date_format(timezone.localtime(good.finished_at), "DATETIME_FORMAT")
    assert f"Last good backup: {taken}, 5\xa0hours ago." in page
    assert WARNING not in page


def test_the_front_page_warns_when_the_last_good_backup_is_over_26_hours_old(admin_client):
    BackupRunFactory(finished_at=hours_ago(27))
    BackupRunFactory(finished_at=hours_ago(2), status=BackupRun.Status.FAILED)

    page = admin_client.get(INDEX).text

    assert ", 1\xa0day, 3\xa0hours ago." in page
    assert WARNING in page
    assert reverse("admin:practice_backuprun_changelist") in page


def test_the_front_page_warns_when_no_backup_was_ever_taken(admin_client):
    page = admin_client.get(INDEX).text

    assert "No good backup has been taken yet." in page
    assert WARNING in page


def test_the_office_sees_the_backups_and_content_editors_do_not(client):
    BackupRunFactory(finished_at=hours_ago(40))

    assert WARNING in member_of(client, OFFICE_STAFF).get(INDEX).text
    assert "Last good backup" not in member_of(client, CONTENT_EDITORS).get(INDEX).text


def test_the_backups_record_is_read_only(admin_client):
    run = BackupRunFactory(status=BackupRun.Status.FAILED, error="pg_dump failed: disk full")

    listing = admin_client.get(reverse("admin:practice_backuprun_changelist"))
    shown = admin_client.get(reverse("admin:practice_backuprun_change", args=[run.pk]))

    assert run.file_name in listing.text
    assert "pg_dump failed: disk full" in shown.text
    assert admin_client.get(reverse("admin:practice_backuprun_add")).status_code == 403
    assert 'name="_save"' not in shown.text
