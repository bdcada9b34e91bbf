from django.urls import path

from . import feeds, views

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentRequestView.as_view(), name="request"),
    path("thanks/", views.ThanksView.as_view(), name="thanks"),
    path("manage/<str:token>/", views.ManageAppointmentView.as_view(), name="manage"),
    path("calendar/<slug:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
