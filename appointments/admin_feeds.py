"""The surgeons' private calendar feeds in the admin, for the office's managers: a new
address for a surgeon (the old one stops working), and revoking one."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from . import services
from .models import staff_name
from .surgeon_feeds import CalendarFeed


class NewFeedForm(forms.ModelForm):
    class Meta:
        model = CalendarFeed
        fields = ["surgeon"]


class CalendarFeedAdmin(admin.ModelAdmin):
    """Office managers give each surgeon a secret address for their calendar app; a new
    address revokes the old one. Rows are kept, revoked, as the record of who made which."""

    form = NewFeedForm
    list_display = ["surgeon", "state", "created_at", "made_by", "revoked_at"]
    list_filter = ["surgeon", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["surgeon", "created_by"]
    search_fields = ["surgeon__name"]
    actions = ["make_new_address", "revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["surgeon"]
        return ["surgeon", "subscribe_address", "created_at", "made_by", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # Nothing to edit: an address is made, then revoked.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def save_model(self, request, obj, form, change):
        feed = services.calendar_feed_create(surgeon=form.cleaned_data["surgeon"], by=request.user)
        obj.pk, obj.token = feed.pk, feed.token

    @admin.action(description="Make a new address (the old one stops working)", permissions=["add"])
    def make_new_address(self, request, queryset):
        surgeons = {feed.surgeon for feed in queryset.select_related("surgeon")}
        for surgeon in surgeons:
            services.calendar_feed_create(surgeon=surgeon, by=request.user)
        names = ", ".join(sorted(str(surgeon) for surgeon in surgeons))
        self.message_user(request, f"New addresses made for {names}: give each its new address.")

    @admin.action(description="Revoke the address", permissions=["revoke"])
    def revoke(self, request, queryset):
        surgeons = {feed.surgeon for feed in queryset.active().select_related("surgeon")}
        revoked = sum(services.calendar_feed_revoke(surgeon=surgeon) for surgeon in surgeons)
        message = f"Revoked {revoked} address{'' if revoked == 1 else 'es'}."
        self.message_user(request, message, messages.SUCCESS if revoked else messages.WARNING)

    @admin.display(description="state", ordering="revoked_at")
    def state(self, feed):
        return "Active" if feed.is_active else "Revoked"

    @admin.display(description="made by")
    def made_by(self, feed):
        return "" if feed.created_by is None else staff_name(feed.created_by)

    @admin.display(description="address to subscribe to")
    def subscribe_address(self, feed):
        if not feed.is_active:
            return "Revoked: it no longer works."
        return format_html(
            '<code class="feed-address">{}</code><div class="help">In Google Calendar: '
            "Other calendars, +, From URL. In Outlook: Add calendar, Subscribe from web. "
            "In Apple Calendar: File, New Calendar Subscription. Keep it private: "
            "anyone with it sees the appointments.</div>",
            feed.address,
        )
