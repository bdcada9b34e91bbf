import uuid
from datetime import timedelta

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from conditions.models import Condition
from practice.validators import validate_single_line

from .models import AppointmentRequest

SOMETHING_ELSE = "something-else"


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


class MultilineTextField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class AppointmentRequestForm(forms.ModelForm):
    CONSENT_WORDING = (
        "I agree that the practice may contact me by phone or email about this request."
    )

    condition = ConditionChoiceField(
        label="What would you like to see the surgeon about?",
        error_messages={
            "required": "Please choose a condition, or “Something else”.",
            "invalid_choice": "Please choose one of the options in the list.",
        },
    )
    had_spine_surgery = forms.TypedChoiceField(
        label="Have you had spine surgery before?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no."},
    )
    consent = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": "Please tick this box so that we can contact you."},
    )
    # A fresh key each time the form is shown; see appointment_request_create. A plain
    # Field, so that nothing about this hidden value can block the patient.
    submission_key = forms.Field(
        required=False, widget=forms.HiddenInput, initial=lambda: str(uuid.uuid4())
    )

    class Meta:
        model = AppointmentRequest
        fields = [
            "full_name",
            "email",
            "phone",
            "condition",
            "preferred_date",
            "preferred_time",
            "had_spine_surgery",
            "message",
        ]
        labels = {
            "full_name": "Full name",
            "email": "Email",
            "phone": "Phone number",
            "preferred_date": "Preferred date",
            "preferred_time": "Preferred time of day",
            "message": "Anything you would like us to know (optional)",
        }
        help_texts = {
            "phone": "We will call you on this number to agree a time.",
            "preferred_date": "Any day after today. We will confirm the exact time with you.",
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
            },
            "phone": {"required": "Please give a phone number so that we can call you."},
            "preferred_date": {
                "required": "Please choose a date.",
                "invalid": "Please enter a date like 2030-01-31.",
            },
            "preferred_time": {
                "required": "Please choose morning, afternoon or no preference.",
                "invalid_choice": "Please choose morning, afternoon or no preference.",
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
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "preferred_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "preferred_time": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.fields["preferred_date"].widget.attrs["min"] = tomorrow.isoformat()
        self.fields["message"].widget.attrs["maxlength"] = 2000
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template writes the <form> and its token
        self.helper.layout = Layout(
            Fieldset("About you", "full_name", "email", "phone"),
            Fieldset(
                "Your appointment",
                "condition",
                "preferred_date",
                InlineRadios("preferred_time"),
                InlineRadios("had_spine_surgery"),
                "message",
            ),
            "consent",
            "submission_key",
        )

    def clean_full_name(self):
        full_name = self.cleaned_data["full_name"]
        validate_single_line(full_name)
        return full_name

    def clean_email(self):
        email = self.cleaned_data["email"]
        # Quoted addresses ("a,b"@example.com) are valid but break recipient lists, and
        # no patient has one.
        if '"' in email:
            raise ValidationError(
                self.fields["email"].error_messages["invalid"], code="quoted_email"
            )
        return email

    def clean_submission_key(self):
        """A key that is not a UUID is simply dropped: the patient never sees this field."""
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except (TypeError, ValueError):
            return None

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        digits = sum(character.isdigit() for character in phone)
        if not set(phone) <= set("0123456789+()-. ") or not 7 <= digits <= 15:
            raise ValidationError(
                "Please enter a phone number we can call, e.g. 555 0100 or +1 555 0100.",
                code="invalid_phone",
            )
        return phone

    def clean_preferred_date(self):
        preferred_date = self.cleaned_data["preferred_date"]
        if preferred_date <= timezone.localdate():
            raise ValidationError("Please choose a date after today.", code="not_in_future")
        return preferred_date

    def request_fields(self):
        """What the service needs to save the request, including the consent given."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return fields | {
            "submission_key": self.cleaned_data["submission_key"],
            "consent_wording": self.CONSENT_WORDING,
        }
