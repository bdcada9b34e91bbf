"""The appointment form's page, as a patient first sees it, kept in the shared cache.

crispy-forms renders some 140 templates for each showing of the form, and the booking step
finds a week of open times. Yet until a patient answers, the page is the same for everyone
but for three values of their own: the CSRF token, the submission key and the spam stamp
bound to it. So it is rendered once for each content version (practice/page_cache.py),
open-times version (open_times_cache.py), language and address (visit type, week,
condition), kept with those three values cut out, and each showing puts fresh ones in:
byte for byte the page it would have rendered.

A kept page costs one query, to check that the database answers (the form cannot be
sent without it), and is served until the clock makes it untrue (at midnight, which moves the dates
a patient may ask for, or when its first open time comes inside the booking notice), and
only for a GET: a post with mistakes shows the patient's own answers, rendered as ever.
Only an address that the page itself offers is kept (a visit type and week it shows, a
published condition), so made-up query strings are rendered each time, never stored.
"""

import hashlib
import logging
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from conditions.models import Condition
from practice import page_cache

from .forms import new_submission
from .open_times_cache import open_times_key, read, store
from .services.open_times import booking_notice

logger = logging.getLogger(__name__)

# What the page shows depends on these parameters alone (see AppointmentRequestView).
QUERY = ["visit_type", "week", "condition"]
CSRF_TOKEN = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')


class KeptFormPageMixin:
    """For the form's view: a GET is answered from the kept page, or renders and keeps it."""

    def get(self, request, *args, **kwargs):
        key = form_page_key(request)
        # Before rendering, as the versions are: a page rendered as the day ends is not
        # kept into the next.
        midnight = next_midnight()
        token, kept = read(key) if key else (None, None)
        if kept is not None:
            database_answers()
            _token, _until, pieces = kept
            return HttpResponse(filled(pieces, request))
        response = super().get(request, *args, **kwargs)
        if token is not None and self.is_offered_address(response.context_data):
            response.render()
            if pieces := cut(response.content, response.context_data["form"]):
                store(key, token, kept_until(midnight, response.context_data.get("week")), pieces)
        return response

    def is_offered_address(self, context):
        """Whether the page's address is one it offers itself: anything else is rendered
        each time and never kept, so that made-up addresses do not fill the cache."""
        query = self.request.GET
        if self.visit_choice.errors:
            return False
        week = query.get("week")
        if week and (self.visit_type is None or week != context["week"].first_day.isoformat()):
            return False
        condition = query.get("condition")
        return not condition or Condition.objects.published().filter(slug=condition).exists()


def database_answers():
    """Raise the database's error while it is down: the form is offered only while it can
    be sent, and otherwise the practice's 503 page gives its phone number, as it did when
    the form was rendered each time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def form_page_key(request):
    """The cache key of the page for this request's address, under the current content
    version; None when pages are not kept, or the cache cannot be read."""
    if not settings.PAGE_CACHE_SECONDS:
        return None
    try:
        version = page_cache.current_version(cache.get(page_cache.VERSION_KEY))
    except Exception:
        logger.warning("The cache could not be read; the form is rendered afresh.")
        return None
    address = "\n".join(request.GET.get(name, "") for name in QUERY)
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return open_times_key("form", version["token"], get_language(), digest)


def next_midnight():
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time()))


def kept_until(midnight, week):
    """The timestamp when the page stops being true by the clock alone."""
    moments = [midnight]
    if week is not None and week.open_times:
        moments.append(min(open_time.start for open_time in week.open_times) - booking_notice())
    return min(moments).timestamp()


def cut(content, form):
    """The page in pieces: the text between the visitor's own values, and their names in
    the order they come. None if a value is not there exactly once (a template that no
    longer shows it, say): such a page is never kept."""
    token = CSRF_TOKEN.search(content)
    values = {
        "csrf_token": token and token[1],
        "submission_key": form.initial["submission_key"].encode(),
        "stamp": form.initial["shown_at"].encode(),
    }
    if not all(value and content.count(value) == 1 for value in values.values()):
        return None
    places = sorted((content.index(value), name) for name, value in values.items())
    texts, names, start = [], [], 0
    for place, name in places:
        texts.append(content[start:place])
        names.append(name)
        start = place + len(values[name])
    texts.append(content[start:])
    return texts, names


def filled(pieces, request):
    """The kept page with this showing's own token, submission key and stamp."""
    texts, names = pieces
    key, stamp = new_submission()
    values = {
        "csrf_token": get_token(request).encode(),
        "submission_key": key.encode(),
        "stamp": stamp.encode(),
    }
    parts = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        parts += [values[name], text]
    return b"".join(parts)
