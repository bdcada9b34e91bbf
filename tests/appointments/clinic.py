"""A surgeon's Monday clinic, and patients booked into it, for the tests of the patient's
own changes and of the waitlist."""

from datetime import date, datetime, time

from django.utils import timezone

# A Monday well ahead; the tests set the clock a week before it.
MONDAY = date(2027, 2, 1)


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
