"""The office's rules hold wherever a change comes from: the admin, a shell, a command.

Each is a service in appointments/services that refuses with a message for staff.
"""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import services
from appointments.models import Appointment, AppointmentRequest
from practice.groups import CONTENT_EDITORS, OFFICE_STAFF
from tests.factories import (
    AppointmentRequestFactory,
    ClosureFactory,
    LocationFactory,
    OpeningHoursFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday_at_the_practice")]

Status = AppointmentRequest.Status


def in_group(name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def office_user():
    return in_group(OFFICE_STAFF)


@pytest.fixture
def clinic():
    """Open on Mondays only."""
    clinic = LocationFactory(name="Riverside clinic")
    OpeningHoursFactory(location=clinic, weekday=0)
    return clinic


def next_weekday(weekday, hour=10):
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_a_day_the_clinic_is_closed_cannot_be_booked(office_user, clinic):
    starts_at = next_weekday(0)
    ClosureFactory(location=clinic, starts_on=starts_at.date(), reason="Staff training")
    appointment_request = AppointmentRequestFactory()

    with pytest.raises(ValidationError) as refused:
        services.appointment_book(
            appointment_request=appointment_request,
            starts_at=starts_at,
            location=clinic,
            by=office_user,
        )

    assert refused.value.messages == ["Riverside clinic is closed that day: Staff training."]
    assert not Appointment.objects.exists()
    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.NEW


def test_a_weekday_the_clinic_does_not_see_patients_cannot_be_booked(office_user, clinic):
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(
            appointment_request=AppointmentRequestFactory(),
            starts_at=next_weekday(2),
            location=clinic,
            by=office_user,
        )

    assert refused.value.code == "not_open"
    assert "does not see patients on Wednesdays" in refused.value.messages[0]


def test_a_time_that_has_passed_cannot_be_booked(office_user, clinic):
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(
            appointment_request=AppointmentRequestFactory(),
            starts_at=timezone.now() - timedelta(minutes=1),
            location=clinic,
            by=office_user,
        )

    assert refused.value.code in {"time_passed", "day_passed"}


def test_scheduled_needs_a_time_and_a_place(office_user):
    appointment_request = AppointmentRequestFactory()

    with pytest.raises(ValidationError):
        services.appointment_request_update(
            appointment_request=appointment_request, status=Status.SCHEDULED, by=office_user
        )

    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.NEW


def test_only_a_new_request_is_marked_as_contacted(office_user):
    scheduled = AppointmentRequestFactory(status=Status.SCHEDULED)

    with pytest.raises(ValidationError) as refused:
        services.appointment_request_mark_contacted(appointment_request=scheduled, by=office_user)

    assert refused.value.messages == [
        "Only a new request can be marked as contacted; this one is scheduled."
    ]
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


def test_marking_as_contacted_records_who_did_it(office_user):
    appointment_request = AppointmentRequestFactory()

    services.appointment_request_mark_contacted(
        appointment_request=appointment_request, by=office_user
    )

    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.CONTACTED
    step = appointment_request.status_changes.get()
    assert (step.from_status, step.to_status, step.changed_by) == (
        Status.NEW,
        Status.CONTACTED,
        office_user,
    )


def test_a_request_is_given_only_to_staff_who_may_work_it(office_user):
    appointment_request = AppointmentRequestFactory()

    with pytest.raises(ValidationError):
        services.appointment_request_assign(
            appointment_request=appointment_request,
            assignee=in_group(CONTENT_EDITORS),
            by=office_user,
        )

    appointment_request.refresh_from_db()
    assert appointment_request.assignee is None
    services.appointment_request_assign(
        appointment_request=appointment_request, assignee=office_user, by=office_user
    )
    appointment_request.refresh_from_db()
    assert appointment_request.assignee == office_user
