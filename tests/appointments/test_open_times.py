"""The open times a patient may book: sessions, less closures and bookings, never too soon."""

from datetime import UTC, date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from appointments import services
from appointments.models import Appointment
from appointments.services import open_times_find
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ClinicSessionFactory,
    ClosureFactory,
    LocationFactory,
    SurgeonFactory,
    VisitTypeFactory,
)
from tests.support.environment import require
from tests.support.schedule import MONDAY, busy_diaries, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    """Noon, practice time, a week before MONDAY: every Monday session is past the notice."""
    time_machine.move_to(local(MONDAY - timedelta(days=7), 12), tick=False)


def clock_times(open_times):
    return [f"{timezone.localtime(o.start):%a %H:%M}" for o in open_times]


def test_a_session_is_cut_into_visits_of_the_visit_types_length():
    session = ClinicSessionFactory(starts=time(9), ends=time(10), valid_from=MONDAY)
    visit_type = session.visit_types.get()

    found = open_times_find(visit_type=visit_type, first_day=MONDAY, days=7)

    assert clock_times(found) == ["Mon 09:00", "Mon 09:20", "Mon 09:40"]
    assert {(o.end - o.start) for o in found} == {timedelta(minutes=20)}
    assert {(o.location, o.surgeon) for o in found} == {(session.location, session.surgeon)}


def test_only_the_sessions_that_see_the_visit_type_and_run_that_week():
    follow_up, other = VisitTypeFactory(), VisitTypeFactory()
    ClinicSessionFactory(visit_types=[follow_up], valid_from=MONDAY, ends=time(9, 20))
    ClinicSessionFactory(visit_types=[other], valid_from=MONDAY)
    ClinicSessionFactory(visit_types=[follow_up], valid_from=MONDAY + timedelta(days=7))
    ClinicSessionFactory(
        visit_types=[follow_up], valid_from=MONDAY - timedelta(days=60), valid_until=MONDAY
    )
    ClinicSessionFactory(visit_types=[follow_up], location=LocationFactory(is_published=False))

    found = open_times_find(visit_type=follow_up, first_day=MONDAY, days=7)

    assert clock_times(found) == ["Mon 09:00"] + [f"Mon 09:{m:02}" for m in (0, 20, 40)] + [
        f"Mon {h:02}:{m:02}" for h in (10, 11) for m in (0, 20, 40)
    ]


def test_nothing_sooner_than_the_booking_notice_nor_in_the_past(time_machine, settings):
    settings.BOOKING_MIN_NOTICE_HOURS = 24
    session = ClinicSessionFactory(valid_from=MONDAY - timedelta(days=7), ends=time(10))
    time_machine.move_to(local(MONDAY - timedelta(days=1), 9, 30), tick=False)

    found = open_times_find(
        visit_type=session.visit_types.get(), first_day=MONDAY - timedelta(days=7), days=14
    )

    assert [f"{o.local_start:%d %H:%M}" for o in found] == ["01 09:40"]


@pytest.mark.parametrize(
    "closure_of", ["practice", "location", "surgeon"], ids=lambda kind: f"{kind}-closed"
)
def test_a_closure_of_the_practice_the_location_or_the_surgeon_takes_the_day(closure_of):
    session = ClinicSessionFactory(valid_from=MONDAY, ends=time(9, 20))
    closed = {"location": session.location} if closure_of == "location" else {}
    closed |= {"surgeon": session.surgeon} if closure_of == "surgeon" else {}
    ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, **closed)

    found = open_times_find(visit_type=session.visit_types.get(), first_day=MONDAY, days=14)

    assert [o.start.date() for o in found] == [MONDAY + timedelta(days=7)]


def test_another_surgeons_leave_or_another_locations_closure_closes_nothing_here():
    session = ClinicSessionFactory(valid_from=MONDAY, ends=time(9, 20))
    ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, surgeon=SurgeonFactory())
    ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, location=LocationFactory())

    found = open_times_find(visit_type=session.visit_types.get(), first_day=MONDAY, days=1)

    assert clock_times(found) == ["Mon 09:00"]


def test_the_surgeons_booked_appointments_take_their_times_anywhere():
    session = ClinicSessionFactory(valid_from=MONDAY, ends=time(10))
    # 30 minutes from 9:10, at another location: overlaps 9:00 and 9:20.
    AppointmentFactory(
        surgeon=session.surgeon, starts_at=local(MONDAY, 9, 10), ends_at=local(MONDAY, 9, 40)
    )
    AppointmentFactory(
        surgeon=session.surgeon,
        starts_at=local(MONDAY, 9, 40),
        status=Appointment.Status.CANCELLED,
    )
    AppointmentFactory(surgeon=SurgeonFactory(), starts_at=local(MONDAY, 9, 40))

    found = open_times_find(visit_type=session.visit_types.get(), first_day=MONDAY, days=1)

    assert clock_times(found) == ["Mon 09:40"]


def test_a_nine_oclock_clinic_starts_at_nine_either_side_of_the_clocks_changing():
    # The clocks go forward on Sunday, March 14, 2027 (America/New_York).
    before = date(2027, 3, 8)
    session = ClinicSessionFactory(valid_from=before, ends=time(9, 20))

    found = open_times_find(visit_type=session.visit_types.get(), first_day=before, days=14)

    assert [f"{o.local_start:%m-%d %H:%M}" for o in found] == ["03-08 09:00", "03-15 09:00"]
    assert [o.start.utcoffset() for o in found] == [timedelta(hours=-5), timedelta(hours=-4)]


def test_a_time_the_clocks_skip_is_never_offered():
    sunday = date(2027, 3, 14)
    session = ClinicSessionFactory(
        weekday=6,
        starts=time(1),
        ends=time(4),
        valid_from=sunday,
        visit_types=[VisitTypeFactory(duration_minutes=30)],
    )

    found = open_times_find(visit_type=session.visit_types.get(), first_day=sunday, days=1)

    assert [f"{o.local_start:%H:%M}" for o in found] == ["01:00", "01:30", "03:00", "03:30"]


def test_sixty_days_of_two_locations_and_three_surgeons_take_four_queries(
    django_assert_max_num_queries,
):
    visit_type = VisitTypeFactory()
    busy_diaries(visit_type, first_day=MONDAY)

    with django_assert_max_num_queries(4):
        found = open_times_find(visit_type=visit_type, first_day=MONDAY, days=60)

    assert len(found) > 3000
    assert not any(
        o.surgeon == a.surgeon and o.start < a.ends_at and a.starts_at < o.end
        for a in Appointment.objects.filter(starts_at__lt=local(MONDAY, 12))
        for o in found
    )


def test_postgresql_refuses_two_overlapping_bookings_of_one_surgeon_even_raw():
    require(connection.vendor == "postgresql", "The exclusion constraint is PostgreSQL's")
    booked = AppointmentFactory(
        surgeon=SurgeonFactory(), starts_at=local(MONDAY, 9), ends_at=local(MONDAY, 9, 30)
    )
    columns = (
        "appointment_request_id, starts_at, ends_at, location_id, surgeon_id, status, "
        "created_at, link_key"
    )

    def insert(starts_at, ends_at, surgeon_id, status="booked"):
        other = AppointmentRequestFactory()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO appointments_appointment ({columns}) "
                "VALUES (%s, %s, %s, %s, %s, %s, now(), gen_random_uuid())",
                [
                    other.pk,
                    starts_at,
                    ends_at,
                    booked.location_id,
                    surgeon_id,
                    status,
                ],
            )

    with pytest.raises(IntegrityError, match="no_overlapping_appointments_per_surgeon"):
        insert(local(MONDAY, 9, 20), local(MONDAY, 9, 40), booked.surgeon_id)
    insert(local(MONDAY, 9, 30), local(MONDAY, 10), booked.surgeon_id)
    insert(local(MONDAY, 9, 20), local(MONDAY, 9, 40), booked.surgeon_id, status="cancelled")
    insert(local(MONDAY, 9, 20), local(MONDAY, 9, 40), SurgeonFactory().pk)


def test_booking_a_time_another_patient_has_just_taken_says_so_and_saves_nothing():
    session = ClinicSessionFactory(valid_from=MONDAY)
    taken = AppointmentFactory(
        surgeon=session.surgeon, starts_at=local(MONDAY, 9), ends_at=local(MONDAY, 9, 20)
    )
    patient = AppointmentRequestFactory()

    with pytest.raises(ValidationError, match="That time has just gone") as refused:
        services.appointment_book(
            appointment_request=patient,
            starts_at=local(MONDAY, 9, 10),
            location=session.location,
            by=None,
            surgeon=session.surgeon,
            visit_type=session.visit_types.get(),
        )

    assert refused.value.code == "taken"
    assert list(Appointment.objects.all()) == [taken]
    assert not patient.notifications.exists()


def test_a_time_read_back_in_utc_is_a_time_that_exists():
    location = LocationFactory()
    in_utc = local(MONDAY, 9).astimezone(UTC)

    services.appointment_validate_time(starts_at=in_utc, location=location)

    with pytest.raises(ValidationError, match="the clocks change that night"):
        services.appointment_validate_time(
            starts_at=local(date(2027, 3, 14), 2, 30), location=location
        )
