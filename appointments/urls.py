from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentRequestView.as_view(), name="request"),
    path("thanks/", views.ThanksView.as_view(), name="thanks"),
    path("manage/<str:token>/", views.ManageAppointmentView.as_view(), name="manage"),
]
