"""The waitlist in the admin, read-only: who waits for an earlier time, in order, and the
times offered to each. Patients join, take and leave with their links; the offers follow
the rules in services/waitlist.py, so staff change nothing here."""

from django.contrib import admin

from .waitlist import WaitlistEntry, WaitlistOffer


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WaitlistOfferInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WaitlistOffer
    fields = ["starts_at", "location", "surgeon", "status", "created_at", "expires_at"]
    readonly_fields = fields
    extra = 0


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appointment_request", "visit_type", "location", "created_at", "left_at"]
    list_filter = ["visit_type", "location", "left_because"]
    list_select_related = ["appointment_request", "visit_type", "location"]
    search_fields = ["appointment_request__reference"]
    fields = [
        "appointment_request",
        "visit_type",
        "location",
        "created_at",
        "left_at",
        "left_because",
    ]
    readonly_fields = fields
    inlines = [WaitlistOfferInline]
