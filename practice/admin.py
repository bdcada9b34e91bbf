from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from solo.admin import SingletonModelAdmin

from . import two_factor
from .models import Closure, Location, OpeningHours, Practice, Surgeon


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


# Staff logins: the second factor (practice/two_factor.py).
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
        self.message_user(
            request,
            f"Reset for {', '.join(user.get_username() for user in queryset)}: each sets up "
            "an authenticator app again at their next login.",
        )
