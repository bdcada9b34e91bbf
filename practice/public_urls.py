from django.conf import settings


def public_url(path):
    """The absolute address of a path on SITE_URL, whichever host served the request.

    Canonical links, the sitemap, JSON-LD and emails all name the site the same way.
    """
    return f"{settings.SITE_URL}{path}"
