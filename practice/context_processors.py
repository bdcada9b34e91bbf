from django.conf import settings

from .public_urls import public_url
from .selectors import practice_details


def practice(request):
    """The practice's details for the header and footer, and the page's canonical address."""
    details, locations = practice_details(request)
    return {
        "practice": details,
        "locations": locations,
        "site_url": settings.SITE_URL,
        "canonical_url": public_url(request.path),
    }
