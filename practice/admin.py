import json
from datetime import UTC

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from solo.admin import SingletonModelAdmin

from . import audit, login_limits, two_factor
from .audit import AuditEntry
from .forms import LockoutLiftForm
from .models import BackupRun, Closure, Location, OpeningHours, Practice, Surgeon
from .spreadsheets import csv_download

# Patients' emails carry the practice's email (their replies go to it) and its phone
# numbers: shown to the rest of the staff, changed by the office's managers alone.
CONTACT_DETAILS_NOTE = (
    "Only the office's managers can change the email and phone numbers: patients' emails "
    "give them, and patients' replies go to the email."
)
LOCATION_PHONE_NOTE = (
    "Only the office's managers can change the phone number: patients' confirmations give it."
)


def may_change_contact_details(request):
    return request.user.has_perm("practice.change_contact_details")


@admin.register(Practice)
class PracticeAdmin(SingletonModelAdmin):
    def get_fieldsets(self, request, obj=None):
        contact_details = {"fields": ["phone", "email"]}
        if not may_change_contact_details(request):
            contact_details["description"] = CONTACT_DETAILS_NOTE
        return [
            (None, {"fields": ["name", "tagline"]}),
            ("Contact details shown to patients", contact_details),
            ("Appointment requests", {"fields": ["office_recipients"]}),
            ("Shown on every page", {"fields": ["medical_disclaimer"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if not request.user.has_perm("practice.change_office_recipients"):
            readonly.append("office_recipients")
        if not may_change_contact_details(request):
            readonly += ["phone", "email"]
        return readonly


@admin.register(Surgeon)
class SurgeonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "credentials", "is_default", "is_published", "updated_at"]
    list_filter = ["is_default", "is_published"]
    search_fields = ["name", "role", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "role", "credentials"]}),
        ("Photo", {"fields": ["photo", "photo_alt"]}),
        ("Profile", {"fields": ["specialties", "affiliations", "biography"]}),
        ("Visibility", {"fields": ["is_default", "is_published"]}),
    ]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "locality", "phone", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name", "street_address", "locality", "postal_code"]
    inlines = [OpeningHoursInline]

    def get_fieldsets(self, request, obj=None):
        name_and_phone = {"fields": ["name", "phone"]}
        if not may_change_contact_details(request):
            name_and_phone["description"] = LOCATION_PHONE_NOTE
        return [
            (None, name_and_phone),
            (
                "Address",
                {"fields": ["street_address", "locality", "region", "postal_code", "country"]},
            ),
            ("Opening hours", {"fields": ["hours_note"]}),
            ("Visibility", {"fields": ["order", "is_published"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if may_change_contact_details(request) else ["phone"]


class ClosureTimeFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Now and upcoming"), ("past", "Past")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "upcoming":
            return queryset.filter(ends_on__gte=today)
        if self.value() == "past":
            return queryset.filter(ends_on__lt=today)
        return queryset


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "starts_on", "ends_on", "where", "whose"]
    list_filter = [ClosureTimeFilter, "location", "surgeon"]
    list_select_related = ["location", "surgeon"]
    search_fields = ["reason"]
    date_hierarchy = "starts_on"
    fields = ["reason", "starts_on", "ends_on", "location", "surgeon"]

    @admin.display(description="location", ordering="location__name")
    def where(self, closure):
        return closure.location.name if closure.location else "All locations"

    @admin.display(description="surgeon", ordering="surgeon__name")
    def whose(self, closure):
        return closure.surgeon.name if closure.surgeon else "Everyone"


# Staff logins: the second factor, and lockouts (practice/two_factor.py, login_limits.py).
# The apps' keys and the backup codes stay out of the admin: a superuser resets a
# colleague's from the list of users, and the codes are shown once, to their owner.
admin.site.unregister([TOTPDevice, StaticDevice])
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "has_authenticator"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(apps))

    @admin.display(boolean=True, description="authenticator app", ordering="has_authenticator")
    def has_authenticator(self, user):
        return user.has_authenticator

    def has_reset_two_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Reset the authenticator app (set up again at the next login)",
        permissions=["reset_two_factor"],
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor.two_factor_reset(user=user)
            audit.record(
                audit.Action.TWO_FACTOR_RESET,
                http_request=request,
                details={"user": user.get_username()},
            )
        self.message_user(
            request,
            f"Reset for {', '.join(user.get_username() for user in queryset)}: each sets up "
            "an authenticator app again at their next login.",
        )


def lift_lockout(request, *, username, address):
    login_limits.login_lockout_lift(username=username, address=address)
    audit.record(
        audit.Action.LOCKOUT_LIFTED,
        http_request=request,
        details={"username": username or "", "address": address or ""},
    )


@admin.register(AccessAttempt)
class LoginLockoutAdmin(axes_admin.AccessAttemptAdmin):
    """axes' failed logins, with "Lift lockout" for the office manager."""

    actions = ["lift_lockout"]
    change_list_template = "admin/axes/accessattempt/change_list.html"

    def get_actions(self, request):
        # Deleting the rows alone would leave the counts by address and by name.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Lift lockout", permissions=["delete"])
    def lift_lockout(self, request, queryset):
        pairs = set(queryset.values_list("username", "ip_address"))
        for username, address in pairs:
            lift_lockout(request, username=username, address=address)
        self.message_user(
            request,
            "Lifted: "
            + ", ".join(f"{username} from {address}" for username, address in sorted(pairs))
            + ". They may log in again.",
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_lift": self.has_delete_permission(request)} | (extra_context or {})
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        lift = self.admin_site.admin_view(self.lift_view)
        return [path("lift/", lift, name="axes_accessattempt_lift"), *super().get_urls()]

    def lift_view(self, request):
        """Lift a lockout by user name or address, when its failures are no longer listed
        (a user name is paused for a day; its failures are listed for half an hour)."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        form = LockoutLiftForm(request.POST or None)
        if form.is_valid():
            lift_lockout(request, **form.cleaned_data)
            self.message_user(request, "Lifted. They may log in again.")
            return redirect("admin:axes_accessattempt_changelist")
        context = self.admin_site.each_context(request) | {
            "title": "Lift a login lockout",
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/axes/accessattempt/lift.html", context)


admin.site.register(AccessLog, axes_admin.AccessLogAdmin)
admin.site.register(AccessFailureLog, axes_admin.AccessFailureLogAdmin)


class RecordAdmin(admin.ModelAdmin):
    """A record the site writes and nobody edits: shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackupRun)
class BackupRunAdmin(RecordAdmin):
    """The record of what each backup did: kept as it was written, never edited."""

    list_display = ["started_at", "status", "night", "file_name", "size", "finished_at"]
    list_filter = ["status"]
    fields = ["started_at", "finished_at", "night", "status", "file_name", "size", "error"]
    readonly_fields = fields


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """The audit log, for the privacy officers: read and exported, never changed."""

    list_display = ["at", "action", "actor", "address", "requests", "what"]
    list_filter = ["action", "at"]
    search_fields = ["actor", "address", "appointment_requests"]
    search_help_text = "Search by user name, address, or a request's reference."
    date_hierarchy = "at"
    list_per_page = 200
    fields = ["at", "action", "actor", "address", "requests", "what", "previous_hash", "hash"]
    readonly_fields = fields

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="practice_auditentry_export",
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record(
                audit.Action.AUDIT_LOG_LISTED,
                http_request=request,
                details=audit.list_parameters(request),
            )
        return response

    def export_view(self, request):
        """The log as it is filtered and searched on screen, as a CSV file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            entries = list(self.get_changelist_instance(request).queryset)
        except IncorrectLookupParameters:
            return redirect("admin:practice_auditentry_changelist")
        audit.record(
            audit.Action.AUDIT_LOG_EXPORTED,
            http_request=request,
            details={**audit.list_parameters(request), "entries": len(entries)},
        )
        return csv_download(
            f"audit-log-{timezone.localdate():%Y-%m-%d}.csv",
            ["Entry", "When (UTC)", "Action", "Who", "From", "Requests", "Details", "Hash"],
            (
                [
                    entry.pk,
                    entry.at.astimezone(UTC).isoformat(),
                    entry.action,
                    entry.actor,
                    entry.address,
                    " ".join(reference for _, reference in entry.appointment_requests),
                    json.dumps(entry.details, sort_keys=True),
                    entry.hash,
                ]
                for entry in entries
            ),
        )

    @admin.display(description="requests")
    def requests(self, entry):
        shown = [reference for _, reference in entry.appointment_requests[:5]]
        more = len(entry.appointment_requests) - len(shown)
        return " ".join(shown) + (f" and {more} more" if more > 0 else "")

    @admin.display(description="details")
    def what(self, entry):
        return "; ".join(f"{key}: {value}" for key, value in sorted(entry.details.items()))
