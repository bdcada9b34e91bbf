from django.contrib import admin

from .models import AppointmentRequest, Notification

PATIENT_FIELDS = [
    "reference",
    "full_name",
    "email",
    "phone",
    "condition",
    "preferred_date",
    "preferred_time",
    "had_spine_surgery",
    "message",
    "consent_wording",
    "consented_at",
    "created_at",
]


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ["kind", "recipients", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "created_at",
        "full_name",
        "phone",
        "condition",
        "preferred_date",
        "status",
    ]
    list_filter = ["status", "condition", "had_spine_surgery", "preferred_time", "created_at"]
    search_fields = ["reference", "full_name", "email", "phone"]
    list_select_related = ["condition"]
    date_hierarchy = "created_at"
    readonly_fields = PATIENT_FIELDS
    fieldsets = [
        ("Office", {"fields": ["status"]}),
        ("What the patient sent", {"fields": PATIENT_FIELDS}),
    ]
    inlines = [NotificationInline]

    def has_add_permission(self, request):
        # Requests come from patients, through the form.
        return False


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
        "recipients",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
