from django.urls import path

from . import views

app_name = "conditions"

urlpatterns = [
    path("", views.ConditionListView.as_view(), name="list"),
    path("preview/<int:pk>/", views.ConditionPreviewView.as_view(), name="preview"),
    path("<slug:slug>/", views.ConditionDetailView.as_view(), name="detail"),
]
