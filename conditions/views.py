from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from faq.models import Question
from practice import structured_data
from practice.pages import PageMixin

from .models import Condition, FormerSlug, live

VIEW_PERMISSION = "conditions.view_condition"


class ConditionListView(PageMixin, ListView):
    queryset = Condition.objects.published()
    context_object_name = "conditions"
    page_title = "Conditions we treat"
    meta_description = (
        "Plain-language guides to the spine conditions our surgeon treats, "
        "and what can be done about them."
    )

    def get_breadcrumbs(self):
        return [("Conditions", None)]


class ConditionDetailView(PageMixin, DetailView):
    context_object_name = "condition"

    def get_queryset(self):
        return self.with_page_parts(Condition.objects.published())

    @staticmethod
    def with_page_parts(conditions):
        # The page's own published questions: a draft's show in its preview.
        questions = Question.objects.filter(is_published=True)
        return conditions.select_related("reviewed_by").prefetch_related(
            "sections",
            Prefetch("questions", queryset=questions, to_attr="faqs"),
            Prefetch(
                "related_conditions",
                queryset=Condition.objects.published(),
                to_attr="published_related",
            ),
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            former = (
                FormerSlug.objects.filter(live(prefix="condition__"), slug=kwargs["slug"])
                .select_related("condition")
                .first()
            )
            if former is None:
                raise
            return HttpResponsePermanentRedirect(former.condition.get_absolute_url())

    def get_page_title(self):
        return self.object.search_title

    def get_meta_description(self):
        return self.object.search_description

    def get_breadcrumbs(self):
        return [("Conditions", reverse("conditions:list")), (self.object.title, None)]

    def get_structured_data(self):
        condition = self.object
        nodes = [structured_data.medical_web_page(condition, self.get_meta_description())]
        if condition.faqs:
            nodes.append(structured_data.faq_page(self.request.path, condition.faqs))
        return nodes

    def get_context_data(self, **kwargs):
        return super().get_context_data(og_type="article", **kwargs)


@method_decorator(never_cache, name="dispatch")
@method_decorator(staff_member_required, name="dispatch")
@method_decorator(permission_required(VIEW_PERMISSION, raise_exception=True), name="dispatch")
class ConditionPreviewView(ConditionDetailView):
    """A condition page as patients will see it, drafts included, for staff only."""

    def get_queryset(self):
        return self.with_page_parts(Condition.objects.all())

    def get(self, request, *args, **kwargs):
        response = DetailView.get(self, request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=True, **kwargs)
