"""Which days patients can be seen: the locations' opening hours, less the closures."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format

from .models import Closure, Location, Weekday

# Monday to Friday: the days of a practice that has not entered its hours yet.
WEEKDAYS = frozenset(range(Weekday.SATURDAY))


@dataclass(frozen=True)
class ClinicDays:
    weekdays: frozenset
    closures: tuple

    @classmethod
    def for_location(cls, location=None):
        """The days `location` is open, or any published location when it is None."""
        locations = [location] if location else list(Location.objects.published())
        prefetch_related_objects(locations, "opening_hours")
        return cls.for_locations(locations)[location.pk if location else None]

    @classmethod
    def for_locations(cls, locations):
        """The days of each of `locations` by id, and of any of them under None.

        `locations` are the published ones with their opening hours prefetched (as
        practice.selectors keeps them), so this reads only the closures: one query, where
        asking for_location() for each would take two per location.
        """
        # A surgeon's leave closes their clinics, not the location.
        closures = Closure.objects.filter(ends_on__gte=timezone.localdate(), surgeon=None)
        closures = list(closures.select_related("location"))
        everywhere = tuple(closure for closure in closures if closure.location_id is None)
        days, any_weekdays = {}, frozenset()
        for location in locations:
            weekdays = frozenset(period.weekday for period in location.opening_hours.all())
            here = tuple(c for c in closures if c.location_id in (None, location.pk))
            days[location.pk] = cls(weekdays or WEEKDAYS, here)
            any_weekdays |= weekdays
        days[None] = cls(any_weekdays or WEEKDAYS, everywhere)
        return days

    def closure_on(self, day):
        return next((c for c in self.closures if c.starts_on <= day <= c.ends_on), None)

    def is_open(self, day):
        return day.weekday() in self.weekdays and self.closure_on(day) is None

    @property
    def weekday_names(self):
        return [Weekday(day).label for day in sorted(self.weekdays)]

    @property
    def days_text(self):
        """“Monday to Friday”, or “Monday, Wednesday and Friday”."""
        days = sorted(self.weekdays)
        names = self.weekday_names
        if len(days) >= 3 and days[-1] - days[0] == len(days) - 1:
            return f"{names[0]} to {names[-1]}"
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    @property
    def when_open(self):
        """What follows “sees patients”: “Monday to Friday”, “on Tuesday and Thursday”."""
        text = self.days_text
        return text if " to " in text else f"on {text}"

    def next_open_day(self, on_or_after):
        """The first open day from `on_or_after`, looking no further than a year ahead."""
        for offset in range(366):
            day = on_or_after + timedelta(days=offset)
            if self.is_open(day):
                return day
        return None


def booking_window(today=None):
    """The first and last day a patient may ask for: after today, within the horizon."""
    today = today or timezone.localdate()
    return today + timedelta(days=1), today + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)


def long_date(day: date):
    return date_format(day, "l, F j")
