"""The office's side of appointment requests in the admin: the list with what needs doing
first at the top, each request with its history, notes and emails, and the emails' outbox.

Configuration only: what staff change goes through appointments/services, which keeps
the rules; the form is in admin_forms.py and the CSV export in exports.py.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from practice import audit
from practice.models import Location
from practice.privacy_alerts import alert_if_large_export

from . import services
from .admin_booking import PreferredTimesAdminMixin
from .admin_calendar import office_calendar_urls
from .admin_feeds import CalendarFeedAdmin
from .admin_forms import AppointmentRequestAdminForm, NewOfficeNoteForm
from .exports import appointment_requests_csv, local_time
from .models import (
    Appointment,
    AppointmentRequest,
    CalendarFeed,
    ClinicSession,
    Notification,
    OfficeNote,
    StatusChange,
    VisitType,
    staff_name,
)


def _user_label(user):
    return "" if user is None else staff_name(user)


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
    "visit_type",
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
class AppointmentRequestAdmin(PreferredTimesAdminMixin, admin.ModelAdmin):
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
    list_select_related = ["condition", "preferred_location", "assignee", "visit_type"]
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
        office = [*OFFICE_FIELDS, "preferred_times_to_book"]
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
        return [*PATIENT_FIELDS, "preferred_times_to_book"]

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering(), which names the annotation made here.
        queryset = self.model._default_manager.get_queryset().for_office()
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["priority", "-created_at"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results | queryset.with_phone_like(search_term.strip()), may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = services.appointment_request_list_assignees()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        # Requests come from patients, through the form.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        _record_view(request, response, audit.Action.REQUEST_VIEWED, lambda shown: [shown])
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        _record_list(request, response, audit.Action.REQUESTS_LISTED)
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refused:
            # The form checked the services' rules a moment before the save: what changed
            # in between (the minute turned, a closure was added) is said, nothing saved.
            message = f"Nothing was saved: {' '.join(refused.messages)}"
            self.message_user(request, message, messages.ERROR)
            return redirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        scheduled = data["status"] == AppointmentRequest.Status.SCHEDULED
        services.appointment_request_update(
            appointment_request=obj,
            status=data["status"],
            by=request.user,
            assignee=data["assignee"],
            is_urgent=data["is_urgent"],
            starts_at=data["starts_at"] if scheduled else None,
            location=data["appointment_location"] if scheduled else None,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not OfficeNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            services.office_note_create(
                appointment_request=form.instance, text=note.text, author=request.user
            )

    @admin.action(description="Mark as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        moved = skipped = 0
        for appointment_request in queryset:
            try:
                services.appointment_request_mark_contacted(
                    appointment_request=appointment_request, by=request.user
                )
                moved += 1
            except ValidationError:
                skipped += 1
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
        return [export, *office_calendar_urls(self), *super().get_urls()]

    def export_view(self, request):
        """The list as it is filtered and searched on screen, as a CSV file for a spreadsheet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect("admin:appointments_appointmentrequest_changelist")
        appointment_requests = list(changelist.queryset)
        entry = audit.record(
            audit.Action.REQUESTS_EXPORTED,
            http_request=request,
            appointment_requests=appointment_requests,
            details={**audit.list_parameters(request), "count": len(appointment_requests)},
        )
        alert_if_large_export(entry)
        return appointment_requests_csv(appointment_requests)

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
        when = local_time(appointment_request.appointment_starts_at, "%a %b %-d, %-I:%M %p")
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        _record_view(
            request, response, audit.Action.EMAIL_VIEWED, lambda shown: [shown.appointment_request]
        )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        _record_list(request, response, audit.Action.EMAILS_LISTED)
        return response

    def has_send_again_permission(self, request):
        # Sending again changes the row (status, attempts), so it takes the change
        # permission; the row itself stays read-only above, as the worker alone writes it.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Send again", permissions=["send_again"])
    def send_again(self, request, queryset):
        notifications = list(queryset.select_related("appointment_request"))
        selected = len(notifications)
        queued = services.notification_send_again(
            notification_ids=[notification.pk for notification in notifications]
        )
        audit.record(
            audit.Action.EMAILS_SENT_AGAIN,
            http_request=request,
            appointment_requests={
                n.appointment_request_id: n.appointment_request for n in notifications
            }.values(),
            details={"emails": [n.pk for n in notifications], "queued": queued},
        )
        message = f"Queued {queued} email{'' if queued == 1 else 's'} to be sent again."
        if skipped := selected - queued:
            message += f" Skipped {skipped} that had not failed."
        self.message_user(request, message, messages.SUCCESS if queued else messages.WARNING)


def _record_view(request, response, action, requests_shown):
    """An entry for a page that showed one object (the admin's `original`) of a request."""
    shown = getattr(response, "context_data", {}).get("original")
    if request.method == "GET" and response.status_code == 200 and shown is not None:
        audit.record(action, http_request=request, appointment_requests=requests_shown(shown))


def _record_list(request, response, action):
    """An entry for a list, with its search and filters and how many rows they found."""
    changelist = getattr(response, "context_data", {}).get("cl")
    if request.method == "GET" and response.status_code == 200 and changelist is not None:
        details = {**audit.list_parameters(request), "count": changelist.result_count}
        audit.record(action, http_request=request, details=details)


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "is_bookable_online", "audience", "order"]
    list_editable = ["order"]
    list_filter = ["is_bookable_online", "audience"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "description",
        "duration_minutes",
        "is_bookable_online",
        "audience",
        "order",
    ]


@admin.register(ClinicSession)
class ClinicSessionAdmin(admin.ModelAdmin):
    list_display = ["weekday", "starts", "ends", "location", "surgeon", "valid_from", "valid_until"]
    list_filter = ["weekday", "location", "surgeon", "visit_types"]
    list_select_related = ["location", "surgeon"]
    fields = [
        "surgeon",
        "location",
        "weekday",
        ("starts", "ends"),
        ("valid_from", "valid_until"),
        "visit_types",
    ]
    filter_horizontal = ["visit_types"]


admin.site.register(CalendarFeed, CalendarFeedAdmin)
# The waitlist's pages, kept in a module of their own.
from . import waitlist_admin  # noqa: E402, F401
