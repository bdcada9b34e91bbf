"""What the site's forms post: the patient's appointment form and the admin's pages."""

import io
import time
import uuid
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from appointments.spam import form_stamp
from practice.clinic_days import ClinicDays


def appointment_answers(condition_slug):
    """Every answer on the appointment form, follow-ups included; no emergency symptom.

    The preferred date is the first day the practice is open from three days ahead.
    """
    open_day = ClinicDays.for_location(None).next_open_day(timezone.localdate() + timedelta(days=3))
    return {
        "full_name": "Ana María Núñez",
        "email": "ana@patient.test",
        "phone": "(201) 555-0199",
        "contact_method": "phone",
        "voicemail_ok": "yes",
        "patient_type": "new",
        "condition": condition_slug,
        "visit_kind": "second_opinion",
        "preferred_date": open_day.isoformat(),
        "preferred_time": "morning",
        "had_spine_surgery": "yes",
        "surgery_year": "2019",
        "surgery_level": "lumbar",
        "surgery_place": "Springfield General Hospital",
        "has_imaging": "yes",
        "imaging": ["mri", "x_ray"],
        "imaging_age": "under_6_months",
        "referring_doctor": "Dr. Lee, Riverside Family Practice",
        "message": "The pain came back a year after my fusion.",
        "consent": "on",
    }


def fresh_submission(seconds_ago=60):
    """The appointment form's hidden fields as a page shown `seconds_ago` would post them:
    a new submission key, and the spam stamp bound to it. One pair per request: the same
    key twice is one request (a second tap), and a stamp with another key is refused."""
    key = uuid.uuid4()
    return {
        "submission_key": str(key),
        "shown_at": form_stamp(key, time.time() - seconds_ago),
    }


def new_address():
    """A client address of its own, so that no other test's requests (nor another run's,
    which Redis keeps for the hour) count against it: one of the documentation's /64s."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"


def admin_form_data(response, **changes):
    """What a browser posts back from the admin change page in `response`, with `changes`.

    Every inline's management form and rows are included, as the page renders them.
    """
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def png_image(width=1, height=1):
    """A small valid PNG, for tests that upload a photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG_1X1 = png_image()
