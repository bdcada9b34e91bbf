from django.urls import path

from practice.page_cache import public_page

from . import views

app_name = "conditions"

urlpatterns = [
    path("", public_page(views.ConditionListView.as_view()), name="list"),
    path("preview/<int:pk>/", views.ConditionPreviewView.as_view(), name="preview"),
    path("<slug:slug>/", public_page(views.ConditionDetailView.as_view()), name="detail"),
]
