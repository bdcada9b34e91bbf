from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView

from conditions.models import Condition

from . import health
from .breadcrumbs import BreadcrumbsMixin
from .models import Surgeon


class HomeView(TemplateView):
    template_name = "practice/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            featured_conditions=Condition.objects.featured(),
            surgeon=Surgeon.objects.published().first(),
            **kwargs,
        )


class SurgeonDetailView(BreadcrumbsMixin, DetailView):
    queryset = Surgeon.objects.published()
    context_object_name = "surgeon"

    def get_breadcrumbs(self):
        return [(self.object.name, None)]


@never_cache
def healthz(request):
    status = health.service_status()
    all_up = all(state == "up" for state in status.values())
    return JsonResponse(status, status=200 if all_up else 503)
