import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView

from conditions.models import Condition

from . import health
from .breadcrumbs import BreadcrumbsMixin
from .models import Practice, Surgeon

logger = logging.getLogger(__name__)


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


def csrf_failure(request, reason=""):
    """An expired or missing form token: tell the patient what to do, in the site's own page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The practice's own error page, with its phone number when the database answers."""
    try:
        practice = Practice.get_solo()
    except Exception:
        logger.warning("The error page could not read the practice's details.", exc_info=True)
        practice = None
    return HttpResponseServerError(render_to_string("500.html", {"practice": practice}))
