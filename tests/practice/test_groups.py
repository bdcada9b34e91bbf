"""The staff groups that every migrate puts in place (practice/groups.py)."""

import pytest
from django.contrib.auth.models import Group, Permission

from practice.groups import (
    CONTENT_EDITORS,
    GROUP_PERMISSIONS,
    OFFICE_MANAGERS,
    OFFICE_STAFF,
    sync_groups,
)

pytestmark = pytest.mark.django_db


def permissions_of(name):
    return set(
        Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    )


@pytest.mark.parametrize("name", [OFFICE_STAFF, OFFICE_MANAGERS, CONTENT_EDITORS])
def test_each_group_has_every_permission_listed_for_it(name):
    assert permissions_of(name) == set(GROUP_PERMISSIONS[name])


def test_content_editors_have_no_permission_on_appointments():
    assert not {app for app, _ in permissions_of(CONTENT_EDITORS)} & {"appointments"}


def test_office_managers_may_do_all_the_office_does_and_change_the_contact_details():
    assert permissions_of(OFFICE_STAFF) < permissions_of(OFFICE_MANAGERS)
    assert ("practice", "change_contact_details") in permissions_of(OFFICE_MANAGERS)
    assert ("practice", "change_contact_details") not in permissions_of(OFFICE_STAFF)
    assert ("practice", "change_contact_details") not in permissions_of(CONTENT_EDITORS)


def test_syncing_again_puts_a_group_back_as_listed():
    office = Group.objects.get(name=OFFICE_STAFF)
    office.permissions.add(Permission.objects.get(codename="delete_appointmentrequest"))

    sync_groups()
    sync_groups()

    assert Group.objects.filter(name=OFFICE_STAFF).count() == 1
    assert permissions_of(OFFICE_STAFF) == set(GROUP_PERMISSIONS[OFFICE_STAFF])
