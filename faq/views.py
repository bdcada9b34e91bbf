from django.db.models import F
from django.views.generic import ListView

from practice.breadcrumbs import BreadcrumbsMixin

from .models import Question


class QuestionListView(BreadcrumbsMixin, ListView):
    """General questions first, then each condition's, in the order staff set."""

    queryset = (
        Question.objects.published()
        .select_related("condition")
        .order_by(F("condition__title").asc(nulls_first=True), "condition", "order", "pk")
    )
    context_object_name = "questions"
    template_name = "faq/question_list.html"

    def get_breadcrumbs(self):
        return [("Questions and answers", None)]
