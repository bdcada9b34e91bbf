"""The site-wide pages of the practice app."""

from django.urls import path
from django.views.generic import TemplateView

from . import views

app_name = "practice"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("surgeons/<slug:slug>/", views.SurgeonDetailView.as_view(), name="surgeon"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
