import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView
from django.views.static import serve

from . import health, structured_data, unavailable
from .models import Practice, Surgeon
from .pages import PageMixin
from .public_urls import public_url
from .selectors import practice_details

logger = logging.getLogger(__name__)


class SurgeonDetailView(PageMixin, DetailView):
    queryset = Surgeon.objects.published()
    context_object_name = "surgeon"

    def get_page_title(self):
        return self.object.name

    def get_meta_description(self):
        practice, _ = practice_details(self.request)
        title = f", {self.object.role}" if self.object.role else ""
        return f"{self.object.name}{title}, at {practice.name}."

    def get_breadcrumbs(self):
        return [(self.object.name, None)]

    def get_structured_data(self):
        practice, locations = practice_details(self.request)
        return [
            structured_data.physician(self.object),
            structured_data.medical_clinic(practice, locations),
        ]

    def get_context_data(self, **kwargs):
        image = public_url(self.object.photo.url) if self.object.photo else ""
        return super().get_context_data(og_image=image, **kwargs)


@never_cache
def healthz(request):
    """200 while this process can serve patients, which needs the database alone: the site
    keeps taking requests without the cache or the broker ("degraded"). A load balancer
    reads the status; monitoring looks for "degraded" in the body."""
    services = health.service_status()
    if services["database"] != "up":
        overall = "down"
    elif all(state == "up" for state in services.values()):
        overall = "ok"
    else:
        overall = "degraded"
    return JsonResponse(services | {"status": overall}, status=503 if overall == "down" else 200)


def media(request, path):
    """Serve a file staff uploaded, from the media folder the settings name now."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def csrf_failure(request, reason=""):
    """An expired or missing form token: tell the patient what to do, in the site's own page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The practice's own error page, with its phone number when the database answers;
    while it cannot be reached, the page written for that, with a 503."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(unavailable.page_content(), status=503)
        response["Retry-After"] = "30"
        return response
    try:
        practice = Practice.get_solo()
    except Exception:
        logger.warning("The error page could not read the practice's details.", exc_info=True)
        practice = None
    return HttpResponseServerError(render_to_string("500.html", {"practice": practice}))
