"""The open times as JSON, for the practice's other sites and apps to show availability.

`/appointments/open-times.json` alone lists what may be asked for: the visit types that
patients may book online (`slug`, `name`) and the locations that see them (`id`, `name`).
With `?visit_type=<slug>`, and optionally `location=<id>`, `from=YYYY-MM-DD` (today by
default) and `days=` (14 by default, at most 60, never past the booking horizon), it
lists that visit type's open times. Bad input is a 400 with `{"error": …, "field": …}`.

The answer is the same for everyone: no cookie is read or set, any origin may read it
(CORS), and it is kept whole in the shared cache (appointments/open_times_cache.py) and
by the front for a second, like the public pages.
"""

import hashlib
import json
import math
from datetime import timedelta
from functools import partial

from django import forms
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practice.models import Location
from practice.page_cache import front_cache_until

from .open_times_cache import open_times_key, read, store
from .scheduling import VisitType
from .services.open_times import MOST_DAYS, booking_notice, open_times_find

DEFAULT_DAYS = 14
# How long a browser or another site's proxy may keep an answer without asking again.
MAX_AGE_SECONDS = 60


class OpenTimesQuery(forms.Form):
    """The query string, checked without the database: the cache is looked in first."""

    visit_type = forms.SlugField(
        required=False,
        max_length=VisitType._meta.get_field("slug").max_length,
        error_messages=dict.fromkeys(
            ["invalid", "max_length"],
            gettext_lazy(
                "Give a visit type's slug, as this address lists them without parameters."
            ),
        ),
    )
    location = forms.IntegerField(
        required=False,
        # Within the id column's range: a larger number would be the database's error.
        min_value=1,
        max_value=2**63 - 1,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"],
            gettext_lazy("Give a location's id, as this address lists them without parameters."),
        ),
    )
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MOST_DAYS,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"],
            format_lazy(gettext_lazy("Give a number of days from 1 to {most}."), most=MOST_DAYS),
        ),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.last_day = today + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)
        # "from" is a Python keyword: the field is added by its name.
        self.fields["from"] = forms.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages={"invalid": gettext_lazy("Give a date as YYYY-MM-DD.")},
        )

    def clean_from(self):
        day = self.cleaned_data["from"] or self.today
        if day < self.today:
            raise forms.ValidationError(
                _("That day has passed: give today or a later day."), code="past"
            )
        if day > self.last_day:
            raise forms.ValidationError(
                _("We book up to %(days)d days ahead: give a day up to %(last)s.")
                % {"days": settings.APPOINTMENT_HORIZON_DAYS, "last": self.last_day.isoformat()},
                code="beyond_horizon",
            )
        return day

    def clean(self):
        data = super().clean()
        asks_for_times = any(self.data.get(name) for name in ["location", "from", "days"])
        if not data.get("visit_type") and asks_for_times and "visit_type" not in self.errors:
            self.add_error(
                "visit_type",
                _("Name a visit type (?visit_type=<slug>) to list its open times."),
            )
        return data

    def window(self):
        """The first day and how many days, stopping at the booking horizon."""
        first_day = self.cleaned_data["from"]
        days = self.cleaned_data["days"] or DEFAULT_DAYS
        return first_day, min(days, (self.last_day - first_day).days + 1)

    def first_error(self):
        field, errors = next(iter(self.errors.items()))
        return field, errors[0]


class Refused(Exception):
    def __init__(self, field, message):
        self.field, self.message = field, message


def open_times_json(request):
    if request.method not in ("GET", "HEAD"):
        response = error_response(None, _("Only GET and HEAD are answered here."), status=405)
        response["Allow"] = "GET, HEAD"
        return response
    query = OpenTimesQuery(request.GET, today=timezone.localdate())
    if not query.is_valid():
        return error_response(*query.first_error())
    slug = query.cleaned_data["visit_type"]
    if slug:
        first_day, days = query.window()
        location_id = query.cleaned_data["location"]
        key = open_times_key("times", slug, location_id or "", first_day.isoformat(), days)
        find = partial(open_times_body, slug, location_id, first_day, days)
    else:
        key, find = open_times_key("index"), index_body
    token, kept = read(key)
    if kept is not None:
        _kept_token, until, body = kept
    else:
        try:
            until, body = find()
        except Refused as refused:
            return error_response(refused.field, refused.message)
        store(key, token, until, body)
    return answer(request, body, until)


def index_body():
    visit_types = VisitType.objects.bookable_online().values("slug", "name")
    locations = (
        Location.objects.published()
        .filter(clinic_sessions__visit_types__is_bookable_online=True)
        .distinct()
        .values("id", "name")
    )
    return None, as_json({"visit_types": list(visit_types), "locations": list(locations)})


def open_times_body(slug, location_id, first_day, days):
    """(when the answer stops being true by the clock, or None; the answer), or Refused."""
    visit_type = VisitType.objects.bookable_online().filter(slug=slug).first()
    if visit_type is None:
        raise Refused(
            "visit_type", _("No visit type “%(slug)s” may be booked online.") % {"slug": slug}
        )
    location = None
    if location_id is not None:
        location = Location.objects.published().filter(pk=location_id).first()
        if location is None:
            raise Refused("location", _("No location has the id %(id)d.") % {"id": location_id})
    found = open_times_find(
        visit_type=visit_type, first_day=first_day, days=days, location=location
    )
    zone = timezone.get_current_timezone()
    body = as_json(
        {
            "visit_type": {"slug": visit_type.slug, "name": visit_type.name},
            "location": location_id,
            "from": first_day.isoformat(),
            "days": days,
            "open_times": [
                {
                    "start": time.start.astimezone(zone).isoformat(),
                    "end": time.end.astimezone(zone).isoformat(),
                    "location": time.location.pk,
                    "surgeon": time.surgeon.name,
                    "visit_type": visit_type.slug,
                }
                for time in found
            ],
        }
    )
    # The earliest time is the first to come inside the booking notice.
    until = (found[0].start - booking_notice()).timestamp() if found else None
    return until, body


def as_json(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def answer(request, body, until):
    """The kept answer, public for a short while, any origin's, and a 304 when unchanged."""
    response = HttpResponse(body, content_type="application/json")
    max_age = MAX_AGE_SECONDS
    if until is not None:
        max_age = max(0, min(max_age, math.floor(until - timezone.now().timestamp())))
    patch_cache_control(response, public=True, max_age=max_age)
    response["ETag"] = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
    if settings.FRONT_CACHE_SECONDS:
        response["X-Accel-Expires"] = front_cache_until()
    response = get_conditional_response(request, etag=response["ETag"], response=response)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(field, message, status=400):
    response = JsonResponse({"error": str(message), "field": field}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    add_never_cache_headers(response)
    return response
