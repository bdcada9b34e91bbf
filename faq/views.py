from django.db.models import F
from django.views.generic import ListView

from practice.pages import PageMixin

from .models import Question
from .structured_data import faq_page


class QuestionListView(PageMixin, ListView):
    """General questions first, then each condition's, in the order staff set."""

    queryset = (
        Question.objects.published()
        .select_related("condition")
        .order_by(F("condition__title").asc(nulls_first=True), "condition", "order", "pk")
    )
    context_object_name = "questions"
    template_name = "faq/question_list.html"
    page_title = "Questions and answers"
    meta_description = "Answers to the questions patients ask us most often about spine surgery."

    def get_breadcrumbs(self):
        return [("Questions and answers", None)]

    def get_structured_data(self):
        if not self.object_list:
            return []
        return [faq_page(self.request.path, self.object_list)]
