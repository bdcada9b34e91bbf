from django.urls import path

from . import views
from .open_times_json import open_times_json

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentRequestView.as_view(), name="request"),
    path("thanks/", views.ThanksView.as_view(), name="thanks"),
    path("open-times.json", open_times_json, name="open_times_json"),
    path("manage/<str:token>/", views.ManageAppointmentView.as_view(), name="manage"),
]
