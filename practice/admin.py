from django.contrib import admin
from django.utils import timezone
from solo.admin import SingletonModelAdmin

from .models import Closure, Location, OpeningHours, Practice, Surgeon

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
    list_display = ["reason", "starts_on", "ends_on", "where"]
    list_filter = [ClosureTimeFilter, "location"]
    list_select_related = ["location"]
    search_fields = ["reason"]
    date_hierarchy = "starts_on"
    fields = ["reason", "starts_on", "ends_on", "location"]

    @admin.display(description="location", ordering="location__name")
    def where(self, closure):
        return closure.location.name if closure.location else "All locations"
