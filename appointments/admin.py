"""The office's side of appointment requests: work each one through its status, book the
appointment, keep notes, and see the list with what needs doing first at the top."""

import csv
import re
from datetime import UTC, datetime, time, timedelta

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from practice.clinic_days import ClinicDays
from practice.models import Location

from . import services
from .models import (
    Appointment,
    AppointmentRequest,
    Notification,
    OfficeNote,
    StatusChange,
    staff_name,
)

Status = AppointmentRequest.Status
# The furthest ahead the office may book; a date beyond it is a typing mistake.
BOOKING_LIMIT = timedelta(days=730)


def _local(moment, pattern="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(pattern) if moment else ""


def _to_the_minute(moment):
    return moment.replace(second=0, microsecond=0)


def _user_label(user):
    return "" if user is None else staff_name(user)


class AppointmentRequestAdminForm(forms.ModelForm):
    """The office's fields, with the appointment's day, time and place beside the status."""

    appointment_date = forms.DateField(
        label="Appointment date", required=False, widget=widgets.AdminDateWidget
    )
    appointment_time = forms.TimeField(
        label="Appointment time",
        required=False,
        widget=widgets.AdminTimeWidget(format="%H:%M"),
        help_text="Practice time.",
    )
    appointment_location = forms.ModelChoiceField(
        Location.objects.published(), label="Appointment location", required=False
    )

    # The messages name what is missing, beside the field that is missing it.
    NEEDED_TO_SCHEDULE = {
        "appointment_date": "Enter the day of the appointment to schedule it.",
        "appointment_time": "Enter the time of the appointment to schedule it.",
        "appointment_location": "Choose where the appointment is to schedule it.",
    }

    class Meta:
        model = AppointmentRequest
        fields = ["status", "is_urgent", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].label_from_instance = _user_label
        self.current_appointment = self.instance.current_appointment() if self.instance.pk else None
        if self.current_appointment:
            starts_at = timezone.localtime(self.current_appointment.starts_at)
            self.initial.setdefault("appointment_date", starts_at.date())
            self.initial.setdefault("appointment_time", _to_the_minute(starts_at).time())
            self.initial.setdefault("appointment_location", self.current_appointment.location_id)

    def clean(self):
        cleaned_data = super().clean()
        cleaned_data["starts_at"] = None
        if cleaned_data.get("status") != Status.SCHEDULED:
            # The fields stay filled in when staff move a request on from Scheduled: the
            # service cancels the appointment, whatever they say.
            return cleaned_data
        for name, message in self.NEEDED_TO_SCHEDULE.items():
            if cleaned_data.get(name) is None and not self.has_error(name):
                self.add_error(name, message)
        if any(cleaned_data.get(name) is None for name in self.NEEDED_TO_SCHEDULE):
            return cleaned_data
        day = cleaned_data["appointment_date"]
        location = cleaned_data["appointment_location"]
        # The practice's time zone is Django's current one: make_aware reads the date
        # and time as the office does, whatever the server's own clock says.
        starts_at = timezone.make_aware(datetime.combine(day, cleaned_data["appointment_time"]))
        current = self.current_appointment
        if (
            current
            and current.location_id == location.pk
            and _to_the_minute(current.starts_at) == starts_at
        ):
            # Unchanged: the service keeps the appointment as it is, with no new email.
            cleaned_data["starts_at"] = current.starts_at
            return cleaned_data
        if error := appointment_time_problem(starts_at, location):
            field, message = error
            self.add_error(field, message)
        cleaned_data["starts_at"] = starts_at
        return cleaned_data


def appointment_time_problem(starts_at, location):
    """Why the office cannot book `starts_at` at `location`, as (field, message), or None."""
    day = timezone.localdate(starts_at)
    if starts_at <= timezone.now():
        if day < timezone.localdate():
            return "appointment_date", "That day has passed."
        return "appointment_time", "That time has passed."
    if day > timezone.localdate() + BOOKING_LIMIT:
        return "appointment_date", f"Book at most {BOOKING_LIMIT.days} days ahead."
    # On the night the clocks go forward, 2:30 does not exist: through UTC it reads 3:30.
    through_utc = timezone.localtime(starts_at.astimezone(UTC))
    if through_utc.replace(tzinfo=None) != starts_at.replace(tzinfo=None):
        return "appointment_time", "That time does not exist: the clocks change that night."
    clinic_days = ClinicDays.for_location(location)
    if closure := clinic_days.closure_on(day):
        return "appointment_date", f"{location} is closed that day: {closure.reason}."
    # A location whose hours nobody has entered yet is not held to them.
    if not clinic_days.is_open(day) and location.opening_hours.exists():
        return (
            "appointment_date",
            f"{location} does not see patients on {day:%A}s; it is open {clinic_days.days_text}.",
        )
    return None


class ReadOnlyInline(admin.TabularInline):
    """A record kept by the services: shown on the request, never edited by hand."""

    extra = 0
    can_delete = False
    # Each of these rows' "page" is the request itself.
    view_on_site = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["changed_at", "by", "change", "detail"]
    verbose_name = "step"
    verbose_name_plural = "History"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description="by")
    def by(self, status_change):
        return status_change.changed_by_label

    @admin.display(description="status")
    def change(self, status_change):
        return str(status_change)


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = ["starts_at", "location", "status", "booked_by_name", "created_at", "ended_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location", "booked_by")

    @admin.display(description="booked by")
    def booked_by_name(self, appointment):
        return _user_label(appointment.booked_by)


class OfficeNoteInline(ReadOnlyInline):
    model = OfficeNote
    fields = ["text", "author_name", "created_at"]
    verbose_name_plural = "Internal notes (never shown to the patient)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="by")
    def author_name(self, note):
        return _user_label(note.author)


class NewOfficeNoteForm(forms.ModelForm):
    class Meta:
        model = OfficeNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class NewOfficeNoteInline(admin.StackedInline):
    """One empty note to write; the admin signs it with the user who saves it."""

    model = OfficeNote
    fields = ["text"]
    extra = 1
    max_num = 1
    can_delete = False
    view_on_site = False
    verbose_name = "new note"
    verbose_name_plural = "Add an internal note"
    form = NewOfficeNoteForm

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    # Shown only to those who may add a note; the notes themselves are listed above.
    def has_view_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NotificationInline(ReadOnlyInline):
    model = Notification
    fields = ["kind", "appointment", "recipients", "status", "attempts", "sent_at", "last_error"]
    show_change_link = True
    verbose_name_plural = "Emails"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("appointment__location")


def phone_search_terms(search_term):
    """The number as stored (E.164) when `search_term` reads as a phone number, and its digits.

    The office types a number the way the patient said it: "(201) 555-0199",
    "201 555 0199", "+1 201 555 0199". Returns [] for anything else (a name, a reference).
    """
    if not re.fullmatch(r"[\d\s()+\-.]+", search_term) or not re.search(r"\d", search_term):
        return []
    digits = re.sub(r"\D", "", search_term)
    terms = [Q(phone__contains=digits)] if len(digits) >= 4 else []
    try:
        number = phonenumbers.parse(search_term, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return terms
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return [*terms, Q(phone=e164)]


# Cells a spreadsheet would read as a formula; the leading quote makes them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def phone_for_spreadsheet(phone):
    """The practice's own numbers as the office writes them; others in international form."""
    if not phone:
        return ""
    if phone.is_valid() and (
        phonenumbers.region_code_for_number(phone) == settings.PHONENUMBER_DEFAULT_REGION
    ):
        return phone.as_national
    return phone.as_international if phone.is_valid() else str(phone)


def _yes_no(value):
    return {True: "Yes", False: "No"}.get(value, "")


# Office columns only: no message, no clinical answers, no surgery details. The list
# leaves the staff login in a file, and those belong behind it.
EXPORT_COLUMNS = [
    ("Reference", lambda r: r.reference),
    (f"Received ({settings.TIME_ZONE})", lambda r: _local(r.created_at)),
    ("Name", lambda r: r.full_name),
    ("Email", lambda r: r.email),
    ("Phone", lambda r: phone_for_spreadsheet(r.phone)),
    ("Preferred contact", lambda r: r.get_contact_method_display()),
    ("Voicemail OK", lambda r: _yes_no(r.voicemail_ok)),
    ("New or returning", lambda r: r.get_patient_type_display()),
    ("Urgent", lambda r: _yes_no(r.is_urgent)),
    ("Status", lambda r: r.get_status_display()),
    ("Assigned to", lambda r: _user_label(r.assignee)),
    ("Condition", lambda r: r.condition_label),
    ("Kind of visit", lambda r: r.get_visit_kind_display()),
    ("Preferred location", lambda r: r.preferred_location_label),
    ("Preferred date", lambda r: r.preferred_date.isoformat()),
    ("Preferred time", lambda r: r.get_preferred_time_display()),
    (f"Appointment ({settings.TIME_ZONE})", lambda r: _local(r.appointment_starts_at)),
    ("Appointment location", lambda r: r.appointment_location_name or ""),
]


class AppointmentDayFilter(admin.SimpleListFilter):
    """Who is coming in: requests with a booked appointment on these days (practice time)."""

    title = "appointment day"
    parameter_name = "appointment_day"
    DAYS = {"today": (0, 1), "tomorrow": (1, 2), "next_7_days": (0, 7)}

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("tomorrow", "Tomorrow"), ("next_7_days", "Next 7 days")]

    def queryset(self, request, queryset):
        if self.value() not in self.DAYS:
            return queryset
        first, last = self.DAYS[self.value()]
        midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        return queryset.filter(
            appointment_starts_at__gte=midnight + timedelta(days=first),
            appointment_starts_at__lt=midnight + timedelta(days=last),
        )


class AppointmentLocationFilter(admin.SimpleListFilter):
    title = "appointment location"
    parameter_name = "appointment_location"

    def lookups(self, request, model_admin):
        return [(str(location.pk), location.name) for location in Location.objects.all()]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        return queryset.filter(
            Exists(
                Appointment.objects.filter(
                    appointment_request=OuterRef("pk"),
                    status=Appointment.Status.BOOKED,
                    location_id=self.value(),
                )
            )
        )


CONTACT_FIELDS = [
    "full_name",
    "email",
    "phone",
    "contact_method",
    "voicemail_ok",
    "patient_type",
    "condition_asked_about",
    "visit_kind",
    "location_asked_for",
    "preferred_date",
    "preferred_time",
]
CLINICAL_FIELDS = [
    "emergency_symptoms",
    "had_spine_surgery",
    "surgery_year",
    "surgery_level",
    "surgery_place",
    "scans",
    "imaging_age",
    "referring_doctor",
    "message",
]
CONSENT_FIELDS = ["consent_wording", "consented_at"]
PATIENT_FIELDS = [
    "reference",
    "created_at",
    "anonymised_at",
    *CONTACT_FIELDS,
    *CLINICAL_FIELDS,
    *CONSENT_FIELDS,
]
OFFICE_FIELDS = [
    "status",
    "is_urgent",
    "assignee",
    ("appointment_date", "appointment_time"),
    "appointment_location",
]


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(admin.ModelAdmin):
    form = AppointmentRequestAdminForm
    list_display = [
        "reference",
        "created_at",
        "full_name",
        "urgent",
        "status",
        "condition",
        "preferred_date",
        "location_asked_for",
        "assigned_to",
        "appointment",
    ]
    list_filter = [
        "status",
        "is_urgent",
        "created_at",
        "condition",
        "preferred_location",
        AppointmentDayFilter,
        AppointmentLocationFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "full_name", "email", "phone"]
    search_help_text = "Search by name, email, phone number (in any format) or reference."
    list_select_related = ["condition", "preferred_location", "assignee"]
    date_hierarchy = "created_at"
    readonly_fields = PATIENT_FIELDS
    actions = ["mark_contacted"]
    inlines = [
        StatusChangeInline,
        AppointmentInline,
        OfficeNoteInline,
        NewOfficeNoteInline,
        NotificationInline,
    ]

    def get_fieldsets(self, request, obj=None):
        office = OFFICE_FIELDS
        if not self.has_change_permission(request, obj):
            # No form to fill in: the appointment is shown as it stands.
            office = ["status", "is_urgent", "assignee", "current_appointment"]
        return [
            (None, {"fields": ["reference", "created_at", "anonymised_at"]}),
            (
                "Office",
                {
                    "fields": office,
                    "description": "To schedule, choose Scheduled and give the day, time "
                    "and place: the patient is emailed a confirmation. A new time moves "
                    "the appointment; any other status but Completed cancels it, and the patient "
                    "is emailed.",
                },
            ),
            ("Contact details and preferences", {"fields": CONTACT_FIELDS}),
            ("Clinical answers", {"fields": CLINICAL_FIELDS}),
            ("Consent", {"fields": CONSENT_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return [*PATIENT_FIELDS, "current_appointment"]
        return PATIENT_FIELDS

    def get_queryset(self, request):
        booked = Appointment.objects.filter(
            appointment_request=OuterRef("pk"), status=Appointment.Status.BOOKED
        )
        # Not super(): it orders by get_ordering(), which names the annotation made here.
        queryset = self.model._default_manager.get_queryset().annotate(
            # What needs doing first: urgent requests nobody has booked yet, then new
            # ones. An urgent request that is scheduled or closed is dealt with.
            priority=Case(
                When(is_urgent=True, status__in=[Status.NEW, Status.CONTACTED], then=0),
                When(status=Status.NEW, then=1),
                default=Value(2),
            ),
            appointment_starts_at=Subquery(booked.values("starts_at")[:1]),
            appointment_location_name=Subquery(booked.values("location__name")[:1]),
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["priority", "-created_at"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone_terms = phone_search_terms(search_term.strip())
        if phone_terms:
            phone_q = Q()
            for term in phone_terms:
                phone_q |= term
            results = results | queryset.filter(phone_q)
        return results, may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            # Staff who can work a request, not every login (a content editor cannot).
            kwargs["queryset"] = get_user_model().objects.with_perm(
                "appointments.change_appointmentrequest",
                backend="django.contrib.auth.backends.ModelBackend",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        # Requests come from patients, through the form.
        return False

    def save_model(self, request, obj, form, change):
        """Save the office's fields; the status and the appointment go through the service."""
        new_status = obj.status
        # The row lock makes two people saving the same request at once take turns, and
        # the service records the change from the status as it really was.
        obj.status = (
            AppointmentRequest.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=obj.pk)
        )
        if "assignee" in form.changed_data:
            services.appointment_request_assign(
                appointment_request=obj, assignee=obj.assignee, by=request.user
            )
        if "is_urgent" in form.changed_data:
            services.appointment_request_mark_urgent(
                appointment_request=obj, is_urgent=obj.is_urgent, by=request.user
            )
        scheduled = new_status == Status.SCHEDULED
        services.appointment_request_update(
            appointment_request=obj,
            status=new_status,
            by=request.user,
            starts_at=form.cleaned_data["starts_at"] if scheduled else None,
            location=form.cleaned_data["appointment_location"] if scheduled else None,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not OfficeNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            note.author = request.user
            note.save()

    @admin.action(description="Mark as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        selected = queryset.count()
        with transaction.atomic():
            new = AppointmentRequest.objects.select_for_update().filter(
                pk__in=queryset.values("pk"), status=Status.NEW
            )
            moved = 0
            for appointment_request in new:
                services.appointment_request_change_status(
                    appointment_request=appointment_request,
                    status=Status.CONTACTED,
                    by=request.user,
                )
                moved += 1
        skipped = selected - moved
        message = f"Marked {moved} request{'' if moved == 1 else 's'} as contacted."
        if skipped:
            message += f" Skipped {skipped} that {'was' if skipped == 1 else 'were'} not new."
        self.message_user(request, message, messages.SUCCESS if moved else messages.WARNING)

    def get_urls(self):
        opts = self.model._meta
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{opts.app_label}_{opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The list as it is filtered and searched on screen, as a CSV file for a spreadsheet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect("admin:appointments_appointmentrequest_changelist")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"appointment-requests-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # The byte-order mark tells Excel the file is UTF-8, so "Núñez" stays "Núñez".
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([heading for heading, _ in EXPORT_COLUMNS])
        for appointment_request in changelist.queryset:
            writer.writerow(
                [spreadsheet_safe(value(appointment_request)) for _, value in EXPORT_COLUMNS]
            )
        return response

    # The changelist's columns.

    @admin.display(description="urgent", ordering="is_urgent")
    def urgent(self, appointment_request):
        if appointment_request.is_urgent:
            # Styled in static/css/admin.css: the Content-Security-Policy allows no inline style.
            return mark_safe('<strong class="urgent-marker">Urgent</strong>')
        return ""

    @admin.display(description="assigned to", ordering="assignee__first_name")
    def assigned_to(self, appointment_request):
        return _user_label(appointment_request.assignee)

    @admin.display(description="appointment", ordering="appointment_starts_at")
    def appointment(self, appointment_request):
        if not appointment_request.appointment_starts_at:
            return ""
        when = _local(appointment_request.appointment_starts_at, "%a %b %-d, %-I:%M %p")
        return f"{when}, {appointment_request.appointment_location_name}"

    # What the patient sent, as the office reads it.

    @admin.display(description="condition of interest")
    def condition_asked_about(self, appointment_request):
        return appointment_request.condition_label

    @admin.display(description="preferred location", ordering="preferred_location__name")
    def location_asked_for(self, appointment_request):
        return appointment_request.preferred_location_label

    @admin.display(description="emergency symptoms ticked")
    def emergency_symptoms(self, appointment_request):
        labels = appointment_request.red_flag_labels
        if not labels:
            return "None"
        return format_html(
            '<ul class="plain-list">{}</ul>',
            format_html_join("", "<li><strong>{}</strong></li>", ((label,) for label in labels)),
        )

    @admin.display(description="scans the patient has")
    def scans(self, appointment_request):
        return ", ".join(appointment_request.imaging_labels) or "None"

    @admin.display(description="appointment")
    def current_appointment(self, appointment_request):
        return appointment_request.current_appointment() or "None booked"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "appointment_request",
        "kind",
        "recipients",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["appointment_request__reference", "recipients"]
    list_select_related = ["appointment_request"]
    readonly_fields = [
        "appointment_request",
        "kind",
        "appointment",
        "recipients",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]

    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        # Sending again changes the row (status, attempts), so it takes the change
        # permission; the row itself stays read-only above, as the worker alone writes it.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Send again", permissions=["send_again"])
    def send_again(self, request, queryset):
        selected = queryset.count()
        queued = services.notification_send_again(
            notification_ids=list(queryset.values_list("pk", flat=True))
        )
        message = f"Queued {queued} email{'' if queued == 1 else 's'} to be sent again."
        if skipped := selected - queued:
            message += f" Skipped {skipped} that had not failed."
        self.message_user(request, message, messages.SUCCESS if queued else messages.WARNING)
