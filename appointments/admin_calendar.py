"""The office's calendar in the admin: a day and a week of each location's and surgeon's
diary, to read or print.

Registered on the requests' admin (AppointmentRequestAdmin.get_urls): whoever may read the
requests may read the calendar, and opening it is in the audit log as a list of the
requests it shows.
"""

from datetime import timedelta
from types import SimpleNamespace

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from practice import audit
from practice.models import Location, Surgeon

from . import services

# Far enough for any diary; near enough that a typed year like 20266 is a mistake.
FURTHEST = timedelta(days=3660)


class CalendarFilterForm(forms.Form):
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ModelChoiceField(
        Location.objects.all(), required=False, empty_label="All locations"
    )
    surgeon = forms.ModelChoiceField(
        Surgeon.objects.all(), required=False, empty_label="All surgeons"
    )

    def clean_day(self):
        day = self.cleaned_data["day"] or timezone.localdate()
        if abs(day - timezone.localdate()) > FURTHEST:
            raise forms.ValidationError("Choose a day within ten years of today.")
        return day


def office_calendar_urls(model_admin):
    opts = model_admin.model._meta
    prefix = f"{opts.app_label}_{opts.model_name}"
    wrap = model_admin.admin_site.admin_view

    def day_view(request):
        return calendar_view(request, model_admin, week=False)

    def week_view(request):
        return calendar_view(request, model_admin, week=True)

    return [
        path("calendar/", wrap(day_view), name=f"{prefix}_calendar"),
        path("calendar/week/", wrap(week_view), name=f"{prefix}_calendar_week"),
    ]


def calendar_view(request, model_admin, *, week):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = CalendarFilterForm(request.GET)
    context = model_admin.admin_site.each_context(request) | {
        "opts": model_admin.opts,
        "form": form,
        "week": week,
        "title": "Calendar",
    }
    if not form.is_valid():
        return TemplateResponse(request, "admin/appointments/office_calendar.html", context)
    day, location, surgeon = (form.cleaned_data[name] for name in ["day", "location", "surgeon"])
    first_day = day - timedelta(days=day.weekday()) if week else day
    days = services.office_calendar_find(
        first_day=first_day, days=7 if week else 1, location=location, surgeon=surgeon
    )
    urgent = list(services.appointment_request_list_urgent_waiting())
    _record(request, days, urgent, week=week, first_day=first_day, form=form)
    step = timedelta(days=7 if week else 1)
    context |= {
        "title": f"Week of {first_day:%A %B %-d, %Y}" if week else f"{day:%A %B %-d, %Y}",
        # Each day with its own page, which the week view's headings link to.
        "days": [(d, _address(False, d.day, location, surgeon)) for d in days],
        "urgent": urgent,
        "location": location,
        "surgeon": surgeon,
        "previous_url": _address(week, first_day - step, location, surgeon),
        "next_url": _address(week, first_day + step, location, surgeon),
        "today_url": _address(week, timezone.localdate(), location, surgeon),
        "other_view_url": _address(not week, first_day, location, surgeon),
    }
    return TemplateResponse(request, "admin/appointments/office_calendar.html", context)


def _address(week, day, location, surgeon):
    name = "calendar_week" if week else "calendar"
    query = {"day": day.isoformat()}
    query |= {"location": location.pk} if location else {}
    query |= {"surgeon": surgeon.pk} if surgeon else {}
    return f"{reverse(f'admin:appointments_appointmentrequest_{name}')}?{urlencode(query)}"


def _record(request, days, urgent, *, week, first_day, form):
    """The calendar names patients: an entry as for a list, with each request it showed."""
    shown = {
        appointment.appointment_request_id: SimpleNamespace(
            pk=appointment.appointment_request_id, reference=appointment.reference
        )
        for calendar_day in days
        for appointment in calendar_day.appointments
    }
    shown |= {appointment_request.pk: appointment_request for appointment_request in urgent}
    details = {
        "calendar": "week" if week else "day",
        "day": first_day.isoformat(),
        "filters": {
            name: str(form.cleaned_data[name].pk)
            for name in ["location", "surgeon"]
            if form.cleaned_data[name]
        },
        "count": len(shown),
    }
    audit.record(
        audit.Action.REQUESTS_LISTED,
        http_request=request,
        appointment_requests=shown.values(),
        details=details,
    )
