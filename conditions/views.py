from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from faq.models import Question
from faq.structured_data import faq_page
from practice.pages import PageMixin

from .models import Condition, FormerSlug
from .structured_data import medical_web_page

# Staff who may open a page in the admin may preview it, as the admin itself allows.
PREVIEW_PERMISSIONS = ["conditions.view_condition", "conditions.change_condition"]


class ConditionListView(PageMixin, ListView):
    context_object_name = "conditions"
    page_title = "Conditions we treat"
    meta_description = (
        "Plain-language guides to the spine conditions our surgeon treats, "
        "and what can be done about them."
    )

    def get_queryset(self):
        return Condition.objects.published()

    def get_breadcrumbs(self):
        return [("Conditions", None)]


class ConditionPageMixin(PageMixin):
    """One condition page with all its parts, as patients see it."""

    context_object_name = "condition"
    template_name = "conditions/condition_detail.html"

    def with_page_parts(self, conditions):
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

    def get_page_title(self):
        return self.object.search_title

    def get_meta_description(self):
        return self.object.search_description

    def get_breadcrumbs(self):
        return [("Conditions", reverse("conditions:list")), (self.object.title, None)]

    def get_structured_data(self):
        condition = self.object
        nodes = [medical_web_page(condition, self.get_meta_description())]
        if condition.faqs:
            nodes.append(faq_page(self.request.path, condition.faqs))
        return nodes

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            og_type="article",
            table_of_contents=self.object.table_of_contents(with_questions=bool(self.object.faqs)),
            **kwargs,
        )


class ConditionDetailView(ConditionPageMixin, DetailView):
    def get_queryset(self):
        return self.with_page_parts(Condition.objects.published())

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            return self.redirect_from_former_slug(kwargs["slug"])

    def redirect_from_former_slug(self, slug):
        former = FormerSlug.objects.live().select_related("condition").filter(slug=slug).first()
        if former is None:
            raise Http404("No condition page has this address.")
        url = former.condition.get_absolute_url()
        if self.request.GET:
            url = f"{url}?{self.request.GET.urlencode()}"
        return HttpResponsePermanentRedirect(url)


@method_decorator(never_cache, name="dispatch")
@method_decorator(staff_member_required, name="dispatch")
class ConditionPreviewView(ConditionPageMixin, DetailView):
    """A condition page as patients will see it, drafts included, for staff only."""

    def dispatch(self, request, *args, **kwargs):
        if not any(request.user.has_perm(permission) for permission in PREVIEW_PERMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.with_page_parts(Condition.objects.all())

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=True, **kwargs)
