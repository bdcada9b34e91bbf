import time
import uuid

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.encoding import punycode
from phonenumber_field.formfields import PhoneNumberField

from conditions.models import Condition
from practice.clinic_days import ClinicDays, booking_window, long_date
from practice.models import Location, Weekday
from practice.selectors import cached_practice_details
from practice.validators import validate_single_line

from . import spam
from .models import AppointmentRequest

SOMETHING_ELSE = "something-else"
YES_NO = [("yes", "Yes"), ("no", "No")]
# How far back the year of an earlier operation may go.
SURGERY_YEARS_BACK = 80


def yes_no_field(label, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no."},
        **kwargs,
    )


def radio_field(label, choices, required_message, **kwargs):
    """Radio buttons with no blank choice and nothing ticked until the patient ticks it."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kwargs,
    )


def new_submission():
    """A key for one showing of the form, and the stamp of this showing bound to it."""
    key = uuid.uuid4()
    return str(key), spam.form_stamp(key)


class ConditionChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        yield from super().__iter__()
        yield (SOMETHING_ELSE, "Something else, or I'm not sure")

    def __len__(self):
        return super().__len__() + 1


class ConditionChoiceField(forms.ModelChoiceField):
    """Published conditions by slug, plus “something else”, which cleans to None."""

    iterator = ConditionChoiceIterator

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Condition.objects.published(),
            to_field_name="slug",
            empty_label="Choose one",
            **kwargs,
        )

    def clean(self, value):
        if value == SOMETHING_ELSE:
            return None
        return super().clean(value)


class LocationChoiceField(forms.ModelChoiceField):
    """Published locations, each with the days it sees patients; blank is “No preference”."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Location.objects.published(),
            required=False,
            empty_label="No preference",
            blank=True,  # keeps the “No preference” radio button
            widget=forms.RadioSelect,
            **kwargs,
        )

    clinic_days = None

    def offer(self, locations, clinic_days):
        """Show `locations` (already read) labelled from `clinic_days`, with no query each."""
        self.clinic_days = clinic_days
        choice = self.iterator(self).choice
        self.choices = [("", self.empty_label), *(choice(location) for location in locations)]

    def label_from_instance(self, location):
        days = (self.clinic_days or {}).get(location.pk) or ClinicDays.for_location(location)
        return f"{location.name}, {location.locality} ({days.days_text})"


class MultilineTextField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class FollowUp(Div):
    """Questions that apply only after a given answer; site.css shows them after it."""

    def __init__(self, name, *fields):
        super().__init__(*fields, css_class=f"follow-up follow-up--{name}")


class AppointmentRequestForm(forms.ModelForm):
    CONSENT_WORDING = (
        "I agree that the practice may contact me by phone or email about this request."
    )

    # Follow-up questions: the answer that makes them apply, and their value when it
    # does not. Answers to questions that do not apply are dropped, with any mistake in
    # them: a browser without :has() shows every question, and a patient may change an
    # answer after filling in its follow-ups.
    FOLLOW_UPS = {
        "voicemail_ok": ("contact_method", AppointmentRequest.ContactMethod.PHONE, None),
        "surgery_year": ("had_spine_surgery", True, None),
        "surgery_level": ("had_spine_surgery", True, ""),
        "surgery_place": ("had_spine_surgery", True, ""),
        "imaging": ("has_imaging", "yes", []),
        "imaging_age": ("has_imaging", "yes", ""),
    }
    # Follow-ups that must be answered when they apply.
    REQUIRED_FOLLOW_UPS = {
        "voicemail_ok": "Please answer yes or no.",
        "surgery_year": "Please enter the year of your last operation, such as 2019. "
        "A guess is fine.",
        "imaging": "Please tick the scans you have, or answer “Not sure” above.",
        "imaging_age": "Please say when the most recent scan was taken, or choose “Not sure”.",
    }

    red_flags = forms.MultipleChoiceField(
        label="Do you have any of these right now?",
        choices=AppointmentRequest.RedFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick any that apply. If none do, go on to the next question.",
        error_messages={"invalid_choice": "Please tick only the symptoms listed."},
    )
    phone = PhoneNumberField(
        label="Phone number",
        help_text="We will call you on this number to agree a time.",
        error_messages={
            "required": "Please give a phone number so that we can call you.",
            "invalid": "Please enter a phone number we can call, such as (201) 555-0123, "
            "or with its country code, such as +44 20 7946 0958.",
        },
    )
    patient_type = radio_field(
        "Have you been a patient here before?",
        [
            (AppointmentRequest.PatientType.NEW, "No, I am a new patient"),
            (AppointmentRequest.PatientType.RETURNING, "Yes, I am a returning patient"),
        ],
        "Please tell us whether you are a new or a returning patient.",
    )
    contact_method = radio_field(
        "How would you like us to contact you?",
        AppointmentRequest.ContactMethod.choices,
        "Please choose phone or email.",
    )
    voicemail_ok = yes_no_field(
        "If by phone, may we leave a voicemail?", required=False, empty_value=None
    )
    condition = ConditionChoiceField(
        label="What would you like to see the surgeon about?",
        error_messages={
            "required": "Please choose a condition, or “Something else”.",
            "invalid_choice": "Please choose one of the options in the list.",
        },
    )
    visit_kind = radio_field(
        "What would you like from the visit?",
        AppointmentRequest.VisitKind.choices,
        "Please choose the kind of visit you would like.",
    )
    preferred_location = LocationChoiceField(
        label="Where would you like to be seen?",
        error_messages={"invalid_choice": "Please choose one of the places listed."},
    )
    had_spine_surgery = yes_no_field("Have you had spine surgery before?")
    surgery_year = forms.IntegerField(
        label="If yes, in which year was your last spine operation?",
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": 4, "class": "year-input"}
        ),
        error_messages={"invalid": "Please enter the year as four digits, such as 2019."},
    )
    surgery_level = radio_field(
        "If yes, which part of your spine was operated on? (optional)",
        AppointmentRequest.SpineLevel.choices,
        "Please choose one of the parts listed.",
        required=False,
    )
    surgery_place = forms.CharField(
        label="If yes, where was it done? (optional)",
        required=False,
        max_length=200,
        help_text="The hospital and town, if you know them.",
        error_messages={"max_length": "Please shorten this to %(limit_value)d characters."},
    )
    has_imaging = radio_field(
        "Do you have any scans or X-rays of your spine?",
        [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")],
        "Please answer yes, no or not sure.",
    )
    imaging = forms.MultipleChoiceField(
        label="If yes, which ones?",
        choices=AppointmentRequest.Imaging.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply.",
        error_messages={"invalid_choice": "Please tick only the kinds of scan listed."},
    )
    imaging_age = radio_field(
        "If yes, when was the most recent one taken?",
        AppointmentRequest.ImagingAge.choices,
        "Please choose one of the options listed.",
        required=False,
    )
    consent = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": "Please tick this box so that we can contact you."},
    )
    # A fresh key each time the form is shown (see __init__ and appointment_request_create).
    # A plain Field, so that nothing about this hidden value gets a message of its own: the
    # stamp below is bound to it, and a missing or mangled key counts as a missing stamp.
    submission_key = forms.Field(required=False, widget=forms.HiddenInput)
    # The spam checks (see spam.py): a box that site.css hides from people, and when the
    # form was shown, signed together with its submission key. Plain Fields again:
    # whatever is posted in them, the patient only ever sees the message that says what to do.
    leave_empty = forms.Field(
        label="Leave this box empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    shown_at = forms.Field(required=False, widget=forms.HiddenInput)
    SPAM_MESSAGES = {
        spam.HONEYPOT_FILLED: "We have not sent your request yet: the box marked “Leave this "
        "box empty” had something in it (a browser or password manager sometimes fills it). "
        "We have emptied it. Please check your answers and press “Send request” again.",
        spam.SENT_TOO_QUICKLY: "We have not sent your request yet: it came quicker than a "
        "person can fill in the form. Please check your answers and press “Send request” "
        "again.",
        spam.STAMP_EXPIRED: "We have not sent your request yet: the page had been open for a "
        "long time. Your answers are still here. Please check them and press “Send "
        "request” again.",
        spam.STAMP_INVALID: "We have not sent your request yet: part of the page was "
        "missing. Your answers are still here. Please check them and press “Send request” "
        "again.",
    }

    # The patient's answers, as appointment_request_create takes them, in page order.
    ANSWERS = [
        "red_flags",
        "full_name",
        "email",
        "phone",
        "contact_method",
        "voicemail_ok",
        "patient_type",
        "condition",
        "visit_kind",
        "preferred_location",
        "preferred_date",
        "preferred_time",
        "had_spine_surgery",
        "surgery_year",
        "surgery_level",
        "surgery_place",
        "imaging",
        "imaging_age",
        "referring_doctor",
        "message",
    ]
    # The order of the error summary: the order of the page.
    field_order = [*ANSWERS[:16], "has_imaging", *ANSWERS[16:], "consent"]

    class Meta:
        model = AppointmentRequest
        fields = [
            "full_name",
            "email",
            "preferred_date",
            "preferred_time",
            "referring_doctor",
            "message",
        ]
        labels = {
            "full_name": "Full name",
            "email": "Email",
            "preferred_date": "Preferred date",
            "preferred_time": "Preferred time of day",
            "referring_doctor": "Which doctor referred you to us? (optional)",
            "message": "Anything you would like us to know (optional)",
        }
        help_texts = {
            "referring_doctor": "Their name and practice, if a doctor sent you to us.",
            "message": "Up to 2,000 characters.",
        }
        error_messages = {
            "full_name": {
                "required": "Please tell us your name.",
                "max_length": "Please shorten your name to %(limit_value)d characters.",
            },
            "email": {
                "required": "Please give an email address so that we can reply.",
                "invalid": "Please enter an email address like name@example.com.",
                "max_length": "Please enter an email address of at most %(limit_value)d "
                "characters.",
            },
            "preferred_date": {
                "required": "Please choose a date.",
                "invalid": "Please enter a date like 2030-01-31.",
            },
            "preferred_time": {
                "required": "Please choose morning, afternoon or no preference.",
                "invalid_choice": "Please choose morning, afternoon or no preference.",
            },
            "referring_doctor": {
                "max_length": "Please shorten this to %(limit_value)d characters.",
            },
            "message": {
                "max_length": "Please shorten your message to %(limit_value)d characters "
                "(it has %(show_value)d).",
            },
        }
        field_classes = {"message": MultilineTextField}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "preferred_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "preferred_time": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"], self.initial["shown_at"] = new_submission()
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["message"].widget.attrs["maxlength"] = 2000
        # The published locations with their hours, from the cache every page reads.
        _, locations = cached_practice_details()
        self.clinic_days = ClinicDays.for_locations(locations)
        self.offers_locations = len(locations) > 1
        if self.offers_locations:
            self.fields["preferred_location"].offer(locations, self.clinic_days)
        else:
            del self.fields["preferred_location"]
        first, last = booking_window()
        date_field = self.fields["preferred_date"]
        date_field.widget.attrs.update(min=first.isoformat(), max=last.isoformat())
        date_field.help_text = (
            f"We see patients {self.clinic_days[None].when_open}, and book up to "
            f"{settings.APPOINTMENT_HORIZON_DAYS} days ahead. "
            "We will confirm the exact time with you."
        )
        self.helper = self.build_helper()

    def build_helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the template writes the <form> and its token
        helper.layout = Layout(
            Div(
                "red_flags",
                HTML('{% include "includes/_red_flag_alert.html" %}'),
                css_class="red-flags",
            ),
            Fieldset(
                "About you",
                "full_name",
                "email",
                "phone",
                InlineRadios("contact_method"),
                FollowUp("voicemail", InlineRadios("voicemail_ok")),
                "patient_type",
            ),
            Fieldset(
                "Your appointment",
                "condition",
                "visit_kind",
                *(["preferred_location"] if self.offers_locations else []),
                "preferred_date",
                InlineRadios("preferred_time"),
            ),
            Fieldset(
                "Your spine so far",
                InlineRadios("had_spine_surgery"),
                FollowUp("surgery", "surgery_year", "surgery_level", "surgery_place"),
                InlineRadios("has_imaging"),
                FollowUp("imaging", InlineCheckboxes("imaging"), "imaging_age"),
                "referring_doctor",
                "message",
            ),
            "consent",
            "submission_key",
            "shown_at",
            # Hidden from people by site.css, and from screen readers here.
            Div("leave_empty", css_class="form-trap", aria_hidden="true"),
        )
        return helper

    def clean_email(self):
        email = self.cleaned_data["email"]
        # Quoted addresses ("a,b"@example.com) are valid but break recipient lists, and
        # no patient has one.
        if '"' in email:
            raise ValidationError(
                self.fields["email"].error_messages["invalid"], code="quoted_email"
            )
        # Django accepts any letters in a domain, but an email can only be addressed to
        # one that IDNA can encode: otherwise the office's email about this request fails.
        try:
            punycode(email.rpartition("@")[2])
        except UnicodeError:
            raise ValidationError(
                self.fields["email"].error_messages["invalid"], code="idna"
            ) from None
        return email

    def clean_surgery_place(self):
        surgery_place = self.cleaned_data["surgery_place"]
        validate_single_line(surgery_place)
        return surgery_place

    def clean_submission_key(self):
        """A key that is not a UUID is dropped, and the stamp with it (see check_for_spam)."""
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except (TypeError, ValueError):
            return None

    def clean_surgery_year(self):
        year = self.cleaned_data["surgery_year"]
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise ValidationError(
                f"Please enter the year of an operation you have already had "
                f"({this_year} or earlier).",
                code="future_year",
            )
        if year is not None and year < this_year - SURGERY_YEARS_BACK:
            raise ValidationError(
                f"Please enter a year from {this_year - SURGERY_YEARS_BACK} to {this_year}.",
                code="year_too_early",
            )
        return year

    def clean_preferred_date(self):
        preferred_date = self.cleaned_data["preferred_date"]
        first, last = booking_window()
        if preferred_date < first:
            raise ValidationError("Please choose a date after today.", code="not_in_future")
        if preferred_date > last:
            raise ValidationError(
                f"Please choose a date by {long_date(last)} "
                f"(we book up to {settings.APPOINTMENT_HORIZON_DAYS} days ahead).",
                code="beyond_horizon",
            )
        return preferred_date

    def clean(self):
        cleaned_data = super().clean()
        cleaned_data.setdefault("preferred_location", None)
        for name, (controlled_by, applies_when, empty) in self.FOLLOW_UPS.items():
            applies = cleaned_data.get(controlled_by) == applies_when
            missing = name not in self.errors and cleaned_data.get(name) in (None, [], "")
            if not applies:
                self._errors.pop(name, None)
                cleaned_data[name] = empty
            elif missing and name in self.REQUIRED_FOLLOW_UPS:
                self.add_error(name, self.REQUIRED_FOLLOW_UPS[name])
        day, location = cleaned_data.get("preferred_date"), cleaned_data["preferred_location"]
        if day and (closed := closed_day_message(day, location, self.clinic_days_at(location))):
            self.add_error("preferred_date", ValidationError(closed, code="closed"))
        self.check_for_spam()
        return cleaned_data

    def clinic_days_at(self, location):
        """The days of `location` (None: anywhere); asked of the database if not offered."""
        known = self.clinic_days.get(location.pk if location else None)
        return known or ClinicDays.for_location(location)

    def check_for_spam(self):
        """Refuse a form that looks sent by a robot, and make sending it again work.

        A person who trips a check is told what to do; the page they get back has the
        box emptied and, unless they were simply too quick, a new stamp. The stamp counts
        only with the submission key it was made for: a stamp with no key, or with another
        key (a robot reusing one page's stamp for many requests), is no stamp at all.
        """
        problems = []
        if self.cleaned_data.get("leave_empty"):
            problems.append(spam.HONEYPOT_FILLED)
            self.replace_data("leave_empty", "")
        now = time.time()
        key = self.cleaned_data.get("submission_key")
        stamp_problem = spam.stamp_problem(self.cleaned_data.get("shown_at"), key, now=now)
        if stamp_problem == spam.STAMP_INVALID:
            # The page comes back as if shown now: a new key, and a stamp bound to it, so
            # that sending again works (after the minimum time) and saves one request.
            key = uuid.uuid4()
            self.replace_data("submission_key", str(key))
            self.replace_data("shown_at", spam.form_stamp(key, now))
        elif stamp_problem == spam.STAMP_EXPIRED:
            # The patient has spent long enough on this page: sending it again at once works.
            earlier = now - settings.APPOINTMENT_FORM_MIN_SECONDS
            self.replace_data("shown_at", spam.form_stamp(key, earlier))
        if stamp_problem:
            problems.append(stamp_problem)
        for problem in problems:
            self.add_error(None, ValidationError(self.SPAM_MESSAGES[problem], code=problem))

    def replace_data(self, name, value):
        """Change what the page shows in a field when the form is shown again."""
        self.data = self.data.copy()
        self.data[self.add_prefix(name)] = value

    def request_fields(self):
        """What the service needs to save the request, including the consent given."""
        return {name: self.cleaned_data[name] for name in self.ANSWERS} | {
            "submission_key": self.cleaned_data["submission_key"],
            "consent_wording": self.CONSENT_WORDING,
        }


def closed_day_message(day, location, clinic_days):
    """Why patients cannot be seen on `day` at `location` (None: anywhere), or None."""
    if closure := clinic_days.closure_on(day):
        who = "We are" if closure.location_id is None else f"{the(closure.location)} is"
        return f"{who} closed on {long_date(day)} ({closure.reason}). Please choose another day."
    if day.weekday() not in clinic_days.weekdays:
        weekdays = f"{Weekday(day.weekday()).label}s"
        if location is None:
            return f"We are not open on {weekdays}; we see patients {clinic_days.when_open}."
        return (
            f"{the(location)} is not open on {weekdays}; it sees patients {clinic_days.when_open}."
        )
    return None


def the(location):
    """“The Northside clinic”, but not “The The Spine Center”."""
    name = location.name
    return name if name.lower().startswith("the ") else f"The {name}"
