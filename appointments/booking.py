"""The form's booking step: a patient chooses a visit type and a week by GET (no answer
ever travels in an address), then one of that week's open times among their answers.

Which questions a visit type answers, so that nobody answers one twice: every visit type
patients may book online is for patients the practice has seen (returning, or after an
operation here), so the form does not ask "new or returning" nor "what would you like
from the visit": the visit type says both (VISIT_KINDS). Nor does it ask for a place, day
and time of day: the open time says them. A visit type the office arranges (a first
consultation, a second opinion) says what the visit is for, so that is not asked either;
the patient may tick up to three of its open times, which answer the day, time of day and
place. "Something else" is today's request, every question asked.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crispy_forms.layout import Field
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .forms import AppointmentRequestForm
from .models import Appointment, AppointmentRequest, VisitType
from .services.open_times import MOST_DAYS, OpenTime, booking_notice

# What a visit type booked online answers of the request's own questions.
VISIT_KINDS = {
    VisitType.Audience.RETURNING: AppointmentRequest.VisitKind.FOLLOW_UP,
    VisitType.Audience.POST_OPERATIVE: AppointmentRequest.VisitKind.EARLIER_OPERATION,
}
# The request form's questions that the visit type and the open time answer.
ANSWERED_BY_THE_VISIT = {
    "patient_type",
    "visit_kind",
    "preferred_location",
    "preferred_date",
    "preferred_time",
}
# The answer to "what is the visit for?" that sends a request to the office instead.
ASK_THE_OFFICE = "ask-the-office"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def open_time_value(open_time: OpenTime) -> str:
    """The radio button's value: the start as open-times.json gives it (ISO 8601 with the
    UTC offset), and the place, since two surgeons may start at once in two places."""
    return f"{timezone.localtime(open_time.start).isoformat()}|{open_time.location.pk}"


# What open_time_value() writes: a start with its UTC offset, a bar, a place's id.
OPEN_TIME_VALUE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)\|\d{1,10}")


def parse_open_time_value(value: str) -> tuple[datetime, int] | None:
    # Python's own parser would take a trailing NUL, say, that no browser sends.
    if not OPEN_TIME_VALUE.fullmatch(value or ""):
        return None
    start, _bar, location_id = value.rpartition("|")
    try:
        start, location_id = datetime.fromisoformat(start), int(location_id)
        # A date at the calendar's edge (year 1 or 9999) cannot be moved a day or a zone.
        (start.astimezone(UTC) + timedelta(days=1)) - timedelta(days=2)
    except (ValueError, OverflowError, TypeError):
        return None
    if start.tzinfo is None or not 0 < location_id < 2**31:  # a database integer
        return None
    return start, location_id


def last_bookable_day() -> date:
    return timezone.localdate() + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)


class VisitChoiceForm(forms.Form):
    """Step one, sent by GET: which visit, and so whether the patient books or asks."""

    visit_type = forms.ChoiceField(
        label=gettext_lazy("What is the visit for?"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "We do not know that kind of visit. Please choose one of those listed."
            )
        },
    )
    week = forms.DateField(required=False, widget=forms.HiddenInput)
    condition = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, visit_types):
        """`visit_types`: all of them, those patients book and those the office arranges."""
        self.visit_types = {visit_type.slug: visit_type for visit_type in visit_types}
        # Preselecting by ?visit_type= works as ?condition= does: the visit type alone
        # chooses, as if "Show the times" had been pressed.
        super().__init__(
            data if data.get("visit_type") else None,
            initial=dict(data.items()),
            auto_id="visit_%s",  # not the request form's ids (id_condition)
        )
        self.fields["visit_type"].choices = [
            *(
                (slug, f"{visit_type.name}: {visit_type.description}".rstrip(": "))
                for slug, visit_type in self.visit_types.items()
            ),
            (
                ASK_THE_OFFICE,
                _("Something else, or I am not sure: send a request and the office will call you"),
            ),
        ]

    def clean_visit_type(self):
        slug = self.cleaned_data["visit_type"]
        return self.visit_types.get(slug)

    @property
    def chosen(self):
        """The visit type chosen, or None: the patient sends a request as before. A week
        that is no date is dropped: the first week with a time is shown instead."""
        if not self.is_bound or "visit_type" in self.errors:
            return None
        return self.cleaned_data["visit_type"]

    @property
    def arranged_by_office(self):
        """The visit type chosen if patients may not book it: they ask for it."""
        chosen = self.chosen
        return chosen if chosen is not None and not chosen.is_bookable_online else None


@dataclass
class Week:
    """The week of open times the page shows, and the addresses of the weeks around it."""

    visit_type: VisitType
    first_day: date
    open_times: list[OpenTime]
    query: dict

    @classmethod
    def of(cls, visit_type, first_day, query):
        first_day = monday_of(first_day)
        open_times = services.open_times_find(visit_type=visit_type, first_day=first_day)
        return cls(visit_type, first_day, open_times, query)

    @classmethod
    def first_open(cls, visit_type, from_day, query):
        """The week of the first open time on or after `from_day` (within MOST_DAYS), or
        `from_day`'s week if none: one look, whichever week it finds."""
        found = services.open_times_find(visit_type=visit_type, first_day=from_day, days=MOST_DAYS)
        first_day = monday_of(timezone.localdate(found[0].start) if found else from_day)
        in_week = [
            time for time in found if timezone.localdate(time.start) < first_day + timedelta(days=7)
        ]
        return cls(visit_type, first_day, in_week, query)

    def looked_at_again(self):
        """The week of the first open time from this one's first day, as things are now:
        after a time has gone, the next ones."""
        today = timezone.localdate()
        return Week.first_open(self.visit_type, max(self.first_day, today), self.query)

    @property
    def last_day(self):
        return self.first_day + timedelta(days=6)

    def url_of(self, first_day):
        return "?" + urlencode(self.query | {"week": first_day.isoformat()})

    @property
    def previous_url(self):
        if self.first_day > monday_of(timezone.localdate()):
            return self.url_of(self.first_day - timedelta(days=7))
        return None

    @property
    def next_url(self):
        if self.last_day < last_bookable_day():
            return self.url_of(self.first_day + timedelta(days=7))
        return None

    @property
    def heading(self):
        return _("%(first)s to %(last)s") % {
            "first": date_format(self.first_day, "F j"),
            "last": date_format(self.last_day, "F j"),
        }


class OpenTimesBoundField(BoundField):
    @property
    def days(self):
        return self.field.days(self)


class OpenTimeField(forms.Field):
    """One of the week's open times, as radio buttons grouped by day (see _open_times.html),
    or with `multiple`, several, as tick boxes. What is posted is checked against the open
    times again: never trusted."""

    def __init__(self, *, multiple=False, **kwargs):
        widget = forms.CheckboxSelectMultiple if multiple else forms.RadioSelect
        super().__init__(required=False, widget=widget, **kwargs)
        self.multiple = multiple
        self.week = None
        self.show_surgeons = False

    def get_bound_field(self, form, field_name):
        return OpenTimesBoundField(form, self, field_name)

    def days(self, bound_field):
        """[(day label, [(id, value, time label, checked)])] for the template."""
        chosen = bound_field.value() or []
        chosen = chosen if self.multiple else [chosen]
        days = {}
        for index, open_time in enumerate(self.week.open_times):
            local = timezone.localtime(open_time.start)
            value = open_time_value(open_time)
            place = open_time.location.name
            if self.show_surgeons:
                place = f"{place}, {open_time.surgeon.name}"
            label = f"{date_format(local, 'g:i A')}, {place}"
            days.setdefault(date_format(local, "l, F j"), []).append(
                (f"{bound_field.auto_id}_{index}", value, label, value in chosen)
            )
        return list(days.items())


class OnlineBookingForm(AppointmentRequestForm):
    """The request form for a visit type patients may book: a time instead of the
    questions the visit type and the time answer (see the module's docstring)."""

    ANSWERS = [name for name in AppointmentRequestForm.ANSWERS if name not in ANSWERED_BY_THE_VISIT]
    field_order = ["red_flags", "start", *AppointmentRequestForm.field_order[1:]]

    start = OpenTimeField(label=gettext_lazy("Choose a time"))

    def __init__(self, *args, visit_type, week, **kwargs):
        self.visit_type = visit_type
        super().__init__(*args, **kwargs)
        for name in ANSWERED_BY_THE_VISIT:
            self.fields.pop(name, None)
        self.show_week(week)
        self.helper = self.build_helper()

    def show_week(self, week):
        self.week = week
        show_week(self.fields["start"], week)

    def build_helper(self):
        helper = super().build_helper()
        layout = helper.layout
        # The red flags first, as ever; then the time; the "Your appointment" fieldset
        # keeps only the condition.
        layout.insert(1, Field("start", template="appointments/_open_times.html"))
        appointment_fieldset = layout[3]
        appointment_fieldset.fields = ["condition"]
        about_you = layout[2]
        about_you.fields = [name for name in about_you.fields if name != "patient_type"]
        return helper

    def clean(self):
        cleaned_data = super().clean()
        key = cleaned_data.get("submission_key")
        if "start" in self.errors and services.appointment_request_exists(submission_key=key):
            # A second tap: the first booked the time, and finds the request it saved.
            self._errors.pop("start")
            cleaned_data["start"] = None
        return cleaned_data

    def clean_start(self):
        value = self.cleaned_data["start"]
        urgent = bool(self.cleaned_data.get("red_flags"))
        if not value:
            if urgent:
                return None
            raise ValidationError(
                _("Please choose a time, or a later week if none suits you."), code="required"
            )
        try:
            return open_time_posted(value, self.visit_type)
        except ValidationError as error:
            if urgent:  # An urgent request books nothing: the time is only a preference.
                return None
            if error.code == "taken":  # booked since the week was read: read it again
                self.show_week(self.week.looked_at_again())
            raise

    def time_has_gone(self, error):
        """After a booking that failed: say why at the times, and show the next ones."""
        self.show_week(self.week.looked_at_again())
        if error.code == "taken":
            message = time_gone_message()
        else:  # the office's rules (a closure added since, say), worded for staff
            message = _("That time cannot be booked online. Please choose another, or call us.")
        self.add_error("start", ValidationError(message, code=error.code))

    def request_fields(self):
        open_time = self.cleaned_data.get("start")
        fields = super().request_fields() | {
            "visit_type": self.visit_type,
            "patient_type": AppointmentRequest.PatientType.RETURNING,
            "visit_kind": VISIT_KINDS.get(
                self.visit_type.audience, AppointmentRequest.VisitKind.FOLLOW_UP
            ),
            "preferred_location": None,
            # An urgent request without a time: the office calls today anyway.
            "preferred_date": timezone.localdate() + timedelta(days=1),
            "preferred_time": AppointmentRequest.TimeOfDay.ANY,
        }
        if open_time is not None:
            fields |= preferences_from(open_time)
        return fields


class PreferredTimesForm(AppointmentRequestForm):
    """The request form for a visit type the office arranges: the patient may tick up to
    three of its open times, which the office books with a click; ticking one answers the
    date, time of day and place. The visit type answers "what would you like from the
    visit", so that is not asked."""

    MOST_TIMES = 3
    ANSWERS = [name for name in AppointmentRequestForm.ANSWERS if name != "visit_kind"]
    _after = AppointmentRequestForm.field_order.index("condition") + 1
    field_order = [
        *AppointmentRequestForm.field_order[:_after],
        "preferred_times",
        *AppointmentRequestForm.field_order[_after:],
    ]
    PREFERENCES = ["preferred_location", "preferred_date", "preferred_time"]

    preferred_times = OpenTimeField(
        label=gettext_lazy("Times that would suit you (optional)"),
        multiple=True,
        help_text=gettext_lazy(
            "Tick up to three. The office books one and tells you; you need not answer the "
            "date and time of day below."
        ),
    )

    def __init__(self, *args, visit_type, week, **kwargs):
        self.visit_type = visit_type
        super().__init__(*args, **kwargs)
        del self.fields["visit_kind"]
        self.week = week
        show_week(self.fields["preferred_times"], week)
        self.helper = self.build_helper()

    def build_helper(self):
        helper = super().build_helper()
        appointment_fieldset = helper.layout[2]  # "Your appointment"
        fields = [name for name in appointment_fieldset.fields if name != "visit_kind"]
        fields.insert(1, Field("preferred_times", template="appointments/_open_times.html"))
        appointment_fieldset.fields = fields
        return helper

    def clean_preferred_times(self):
        values = self.cleaned_data["preferred_times"] or []
        if len(values) > self.MOST_TIMES:
            raise ValidationError(_("Please tick at most three times."), code="too_many_times")
        return [open_time_posted(value, self.visit_type) for value in dict.fromkeys(values)]

    def clean(self):
        cleaned_data = super().clean()
        if times := cleaned_data.get("preferred_times"):
            for name in self.PREFERENCES:
                self._errors.pop(name, None)
            cleaned_data |= preferences_from(times[0])
        return cleaned_data

    def request_fields(self):
        times = self.cleaned_data.get("preferred_times") or []
        return super().request_fields() | {
            "visit_type": self.visit_type,
            "visit_kind": "",  # the visit type says it (AppointmentRequest.visit_label)
            "preferred_times": [
                {
                    "start": timezone.localtime(time.start).isoformat(),
                    "location": time.location.pk,
                    "surgeon": time.surgeon.pk,
                }
                for time in times
            ],
        }


def show_week(field, week):
    field.week = week
    field.show_surgeons = len({time.surgeon.pk for time in week.open_times}) > 1


def preferences_from(open_time):
    """The request's place, day and time of day, as an open time answers them."""
    local = timezone.localtime(open_time.start)
    return {
        "preferred_location": open_time.location,
        "preferred_date": local.date(),
        "preferred_time": AppointmentRequest.TimeOfDay.MORNING
        if local.hour < 12
        else AppointmentRequest.TimeOfDay.AFTERNOON,
    }


def open_time_posted(value, visit_type):
    """The open time of `visit_type` that a posted radio or tick box names, checked
    against the open times now; ValidationError, with a message for the patient, if none."""
    parsed = parse_open_time_value(value)
    if parsed is None:
        raise ValidationError(_("Please choose one of the times listed."), code="invalid")
    start, location_id = parsed
    now = timezone.now()
    if start <= now:
        raise ValidationError(_("That time has passed. Please choose another."), code="time_passed")
    if start < now + booking_notice():
        raise ValidationError(
            _(
                "We book online from %(hours)s hours ahead. Please choose a later "
                "time, or call us for a sooner one."
            )
            % {"hours": settings.BOOKING_MIN_NOTICE_HOURS},
            code="inside_notice",
        )
    day = timezone.localdate(start)
    if day <= last_bookable_day():
        for open_time in services.open_times_find(
            visit_type=visit_type, first_day=day, days=1, now=now
        ):
            if open_time.start == start and open_time.location.pk == location_id:
                return open_time
    if Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        location=location_id,
        starts_at__lt=start + timedelta(minutes=visit_type.duration_minutes),
        ends_at__gt=start,
    ).exists():
        raise ValidationError(time_gone_message(), code="taken")
    raise ValidationError(
        _("That is not a time we offer for this visit. Please choose one of the times listed."),
        code="not_offered",
    )


def time_gone_message():
    return _(
        "That time has just gone: another patient booked it a moment ago. "
        "Please choose another; your answers are still here."
    )
