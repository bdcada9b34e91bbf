from django.contrib import admin
from django.utils import timezone
from solo.admin import SingletonModelAdmin

from .models import BackupRun, Closure, Location, OpeningHours, Practice, Surgeon


@admin.register(Practice)
class PracticeAdmin(SingletonModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "tagline"]}),
        ("Contact details shown to patients", {"fields": ["phone", "email"]}),
        ("Appointment requests", {"fields": ["office_recipients"]}),
        ("Shown on every page", {"fields": ["medical_disclaimer"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if not request.user.has_perm("practice.change_office_recipients"):
            return ["office_recipients"]
        return []


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
    fieldsets = [
        (None, {"fields": ["name", "phone"]}),
        ("Address", {"fields": ["street_address", "locality", "region", "postal_code", "country"]}),
        ("Opening hours", {"fields": ["hours_note"]}),
        ("Visibility", {"fields": ["order", "is_published"]}),
    ]
    inlines = [OpeningHoursInline]


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


@admin.register(BackupRun)
class BackupRunAdmin(admin.ModelAdmin):
    """The record of what each backup did: kept as it was written, never edited."""

    list_display = ["started_at", "status", "night", "file_name", "size", "finished_at"]
    list_filter = ["status"]
    fields = ["started_at", "finished_at", "night", "status", "file_name", "size", "error"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
