"""Diaries for the tests of open times and bookings: a Monday well ahead of the clock the
tests set, and the busy diaries of the issue's case for open times."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appointments.models import Appointment, AppointmentRequest
from tests.factories import ClinicSessionFactory, LocationFactory, SurgeonFactory

# A Monday well ahead; each test sets the clock some days before it.
MONDAY = date(2027, 2, 1)


def local(day, hour, minute=0):
    """`hour`:`minute` on `day`, in the practice's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def busy_diaries(visit_type, *, first_day, booked=500):
    """Sessions seeing `visit_type` from `first_day`, and `booked` 20-minute appointments
    from that day on: nine a day from 8:00, taking turns among the surgeons, so that a
    surgeon's own never overlap. Returns the surgeons and the locations."""
    surgeons = SurgeonFactory.create_batch(3)
    locations = LocationFactory.create_batch(2)
    for weekday in range(5):
        for index, surgeon in enumerate(surgeons):
            ClinicSessionFactory(
                surgeon=surgeon,
                location=locations[index % 2],
                weekday=weekday,
                starts=time(8),
                ends=time(17),
                valid_from=first_day,
                visit_types=[visit_type],
            )
    now = timezone.now()
    requests = AppointmentRequest.objects.bulk_create(
        AppointmentRequest(
            full_name="Diary Patient",
            email=f"diary{n}@patient.test",
            phone="+12015550199",
            preferred_date=first_day,
            had_spine_surgery=False,
            consent_wording="Test",
            consented_at=now,
        )
        for n in range(booked)
    )
    Appointment.objects.bulk_create(
        Appointment(
            appointment_request=request,
            surgeon=surgeons[n % 3],
            location=locations[n % 3 % 2],
            visit_type=visit_type,
            starts_at=(
                start := timezone.make_aware(
                    datetime.combine(first_day + timedelta(days=n // 9), time(8))
                )
                + timedelta(minutes=20 * (n % 9))
            ),
            ends_at=start + timedelta(minutes=20),
        )
        for n, request in enumerate(requests)
    )
    return surgeons, locations
