from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from faq.models import Question
from practice.models import Surgeon

from .models import Condition, ConditionSection, FormerSlug


class ConditionSectionInline(admin.StackedInline):
    model = ConditionSection
    extra = 0
    fields = ["order", "heading", "body"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "question", "answer", "is_published"]
    verbose_name = "frequently asked question"


class FormerSlugInline(admin.TabularInline):
    """Old addresses are recorded when a published page's slug changes; staff may drop one."""

    model = FormerSlug
    extra = 0
    fields = ["slug", "created_at"]
    readonly_fields = ["slug", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class MedicalReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Due"), ("current", "Up to date")]

    def queryset(self, request, queryset):
        due = queryset.review_due()
        if self.value() == "due":
            return due
        if self.value() == "current":
            return queryset.exclude(pk__in=due.values("pk"))
        return queryset


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "visibility",
        "is_featured",
        "reviewed_by",
        "last_reviewed_on",
        "review_due",
        "updated_at",
    ]
    list_filter = ["is_published", MedicalReviewFilter, "is_featured", "reviewed_by"]
    search_fields = ["title", "summary", "also_known_as"]
    list_select_related = ["reviewed_by"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related_conditions"]
    readonly_fields = [
        "preview_link",
        "reading_minutes",
        "first_published_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "updated_at"
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "eyebrow", "summary", "also_known_as"]}),
        ("The surgeon's view", {"fields": ["approach", "when_to_seek_opinion"]}),
        ("Medical review", {"fields": ["reviewed_by", "last_reviewed_on"]}),
        ("Related conditions", {"fields": ["related_conditions"]}),
        (
            "Publishing",
            {"fields": ["preview_link", "is_published", "publish_at", "is_featured"]},
        ),
        (
            "Search engines",
            {"fields": ["meta_title", "meta_description"], "classes": ["collapse"]},
        ),
        (
            "Computed",
            {"fields": ["reading_minutes", "first_published_at", "created_at", "updated_at"]},
        ),
    ]
    inlines = [ConditionSectionInline, QuestionInline, FormerSlugInline]

    def get_inline_instances(self, request, obj=None):
        """A new page has no former addresses yet."""
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return [inline for inline in inlines if not isinstance(inline, FormerSlugInline)]
        return inlines

    def get_fieldsets(self, request, obj=None):
        """The computed values exist only once the page is saved."""
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else [fs for fs in fieldsets if fs[0] != "Computed"]

    def view_on_site(self, condition):
        return condition.get_absolute_url() if condition.is_live else condition.get_preview_url()

    @admin.display(description="visibility")
    def visibility(self, condition):
        if not condition.is_published:
            return "Draft"
        if not condition.is_live:
            publish_at = timezone.localtime(condition.publish_at)
            return f"Scheduled for {publish_at:%b %d, %Y %H:%M}"
        return "Published"

    @admin.display(description="review due", boolean=True)
    def review_due(self, condition):
        return condition.is_review_due

    @admin.display(description="preview")
    def preview_link(self, condition):
        if condition.pk is None:
            return "Save the page once to preview it."
        return format_html(
            '<a href="{}" target="_blank">Preview this page as patients will see it</a>',
            condition.get_preview_url(),
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        default_surgeon = Surgeon.objects.filter(is_default=True).first()
        if default_surgeon:
            initial.setdefault("reviewed_by", default_surgeon.pk)
        return initial

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The inlines save the sections after the page: count them once they are all in.
        form.instance.refresh_contents()
