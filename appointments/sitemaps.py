from practice.sitemaps import NamedPageSitemap


class AppointmentRequestSitemap(NamedPageSitemap):
    """The form, which shows the practice's locations and the days they are open."""

    url_name = "appointments:request"
