"""The site-wide pages of the practice app."""

from django.urls import path
from django.views.generic import TemplateView

from . import views
from .home import HomeView
from .page_cache import public_page

app_name = "practice"

urlpatterns = [
    path("", public_page(HomeView.as_view()), name="home"),
    path("surgeons/<slug:slug>/", public_page(views.SurgeonDetailView.as_view()), name="surgeon"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "robots.txt",
        public_page(TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
        name="robots",
    ),
]
