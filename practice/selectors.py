from .models import Location, Practice


def practice_details(request):
    """The practice and its published locations with their hours, read once per request."""
    if not hasattr(request, "_practice_details"):
        locations = Location.objects.published().prefetch_related("opening_hours")
        request._practice_details = (Practice.get_solo(), list(locations))
    return request._practice_details
