from django.urls import path

from . import feeds, self_service_views, views
from .open_times_json import open_times_json

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentRequestView.as_view(), name="request"),
    path("thanks/", views.ThanksView.as_view(), name="thanks"),
    path("open-times.json", open_times_json, name="open_times_json"),
    path("manage/<str:token>/", views.ManageAppointmentView.as_view(), name="manage"),
    path("calendar/<slug:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("manage/<str:token>/move/", self_service_views.MoveAppointmentView.as_view(), name="move"),
    # The waitlist's links carry tokens of their own, under manage/ as the appointment's
    # link does, so that the logs and the front write every one of them as [token].
    path(
        "manage/<str:token>/earlier-time/",
        self_service_views.WaitlistOfferView.as_view(),
        name="waitlist_offer",
    ),
    path(
        "manage/<str:token>/leave-waitlist/",
        self_service_views.WaitlistLeaveView.as_view(),
        name="waitlist_leave",
    ),
]
