from django.contrib import admin
from solo.admin import SingletonModelAdmin

from .models import Location, OpeningHours, Practice, Surgeon


@admin.register(Practice)
class PracticeAdmin(SingletonModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "tagline"]}),
        ("Contact details shown to patients", {"fields": ["phone", "email"]}),
        ("Appointment requests", {"fields": ["office_recipients"]}),
        ("Shown on every page", {"fields": ["medical_disclaimer"]}),
    ]


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
