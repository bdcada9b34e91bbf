from django.contrib import admin
from solo.admin import SingletonModelAdmin

from .models import Practice, Surgeon


@admin.register(Practice)
class PracticeAdmin(SingletonModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "tagline"]}),
        ("Contact details shown to patients", {"fields": ["phone", "email", "address"]}),
        ("Appointment requests", {"fields": ["office_recipients"]}),
        ("Shown on every page", {"fields": ["medical_disclaimer"]}),
    ]


@admin.register(Surgeon)
class SurgeonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "credentials", "is_default", "is_published"]
    list_filter = ["is_default", "is_published"]
    search_fields = ["name", "role", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
