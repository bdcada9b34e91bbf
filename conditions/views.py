from django.db.models import Prefetch
from django.urls import reverse
from django.views.generic import DetailView, ListView

from faq.models import Question
from practice.breadcrumbs import BreadcrumbsMixin

from .models import Condition


class ConditionListView(BreadcrumbsMixin, ListView):
    queryset = Condition.objects.published()
    context_object_name = "conditions"

    def get_breadcrumbs(self):
        return [("Conditions", None)]


class ConditionDetailView(BreadcrumbsMixin, DetailView):
    context_object_name = "condition"

    def get_queryset(self):
        return (
            Condition.objects.published()
            .select_related("reviewed_by")
            .prefetch_related(
                "sections",
                Prefetch("questions", queryset=Question.objects.published(), to_attr="faqs"),
                Prefetch(
                    "related_conditions",
                    queryset=Condition.objects.published(),
                    to_attr="published_related",
                ),
            )
        )

    def get_breadcrumbs(self):
        return [("Conditions", reverse("conditions:list")), (self.object.title, None)]
