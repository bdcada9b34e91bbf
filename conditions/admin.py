from django.contrib import admin

from faq.models import Question

from .models import Condition, ConditionSection


class ConditionSectionInline(admin.StackedInline):
    model = ConditionSection
    extra = 0
    fields = ["order", "heading", "body"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "question", "answer", "is_published"]
    verbose_name = "frequently asked question"


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "is_published",
        "is_featured",
        "reviewed_by",
        "last_reviewed_on",
        "updated_at",
    ]
    list_filter = ["is_published", "is_featured", "reviewed_by", "last_reviewed_on"]
    search_fields = ["title", "summary", "also_known_as"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related_conditions"]
    readonly_fields = ["reading_minutes", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    fieldsets = [
        (None, {"fields": ["title", "slug", "eyebrow", "summary", "also_known_as"]}),
        ("The surgeon's view", {"fields": ["approach", "when_to_seek_opinion"]}),
        ("Medical review", {"fields": ["reviewed_by", "last_reviewed_on"]}),
        ("Links and visibility", {"fields": ["related_conditions", "is_featured", "is_published"]}),
        ("Computed", {"fields": ["reading_minutes", "created_at", "updated_at"]}),
    ]
    inlines = [ConditionSectionInline, QuestionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_reading_time()
