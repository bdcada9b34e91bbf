from django.contrib import admin

from .models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "condition", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published", ("condition", admin.EmptyFieldListFilter), "condition"]
    search_fields = ["question", "answer"]
    list_select_related = ["condition"]
    fields = ["question", "answer", "condition", "order", "is_published"]
