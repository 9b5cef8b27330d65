from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import from_current_timezone, pretty_name
from django.utils import dateformat, timezone

from network.models import ContactMessage


class FormRenderer(TemplatesSetting):
    """Forms render with the project's templates; a single checkbox comes before its
    label (templates/network/forms/field.html)."""

    field_template_name = "network/forms/field.html"


def _in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Title" -> "title", "PO number" stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def clock_change_problem(naive: datetime) -> str:
    """Why a UK wall-clock time cannot be saved: the night the clocks change, the hour
    from 01:00 is skipped (March) or happens twice (October)."""
    zone = timezone.get_current_timezone()
    day = dateformat.format(naive, "j F Y")
    at = f"{naive:%H:%M}"
    first = naive.replace(tzinfo=zone, fold=0).utcoffset()
    second = naive.replace(tzinfo=zone, fold=1).utcoffset()
    if first is not None and second is not None and first > second:
        happens = f"the clocks go back, so {at} happens twice"
    else:
        happens = f"the clocks go forward, so there is no {at}"
    return f"On {day} {happens} in the UK. Choose a time before 01:00 or from 02:00."


def from_uk_wall_clock(naive: datetime) -> datetime:
    """A date and time typed in the site's time zone, made aware as Django's forms do;
    a time the clock change skips or repeats is refused saying which change it meets
    (Django's message shows the raw value and says it "may be ambiguous or may not
    exist")."""
    try:
        return from_current_timezone(naive)
    except ValidationError as error:
        if error.code != "ambiguous_timezone":
            raise
        raise ValidationError(clock_change_problem(naive), code=error.code) from None


class UKSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date and time boxes, refusing a clock-change time in words."""

    def compress(self, data_list):
        if data_list and all(part is not None for part in data_list[:2]):
            return from_uk_wall_clock(datetime.combine(*data_list))
        return super().compress(data_list)


class SpecificMessages:
    """Every error names its field and says what to do, as GOV.UK's pattern asks.

    Django's own messages ("This field is required.", "Ensure this value has at most 200
    characters") say neither, and the error summary at the top of a page shows each
    message alone, linked to its field. A message a form sets itself is kept.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or pretty_name(name)).strip().rstrip(":")
            if label:
                _name_the_field(field, label)


def _name_the_field(field: forms.Field, label: str) -> None:
    defaults: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    own = dict(field.error_messages)
    in_sentence = _in_sentence(label)
    question = label.endswith("?")

    def keep(key: str) -> bool:
        return key in own and own[key] != defaults.get(key)

    if not keep("required"):
        if isinstance(field, forms.BooleanField):
            message = f"Tick “{label}” to go on"
        elif isinstance(field, forms.FileField):
            message = f"Choose a file: {in_sentence}"
        elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
            message = f"Answer “{label}”" if question else f"Choose {in_sentence}"
        else:
            message = f"Answer “{label}”" if question else f"Enter {in_sentence}"
        field.error_messages["required"] = message
    if not keep("max_length"):
        field.error_messages["max_length"] = (
            f"{label} must be %(limit_value)d characters or fewer (it has %(show_value)d)"
        )
    if not keep("min_length"):
        field.error_messages["min_length"] = (
            f"{label} must be at least %(limit_value)d characters (it has %(show_value)d)"
        )
    if not keep("invalid_choice") and "invalid_choice" in defaults:
        field.error_messages["invalid_choice"] = f"Choose one of the options for {in_sentence}"
    # An email field's "invalid" comes from its validator, not from the field's own
    # messages: a message under the validator's code replaces the validator's.
    if not keep("invalid") and ("invalid" in defaults or isinstance(field, forms.EmailField)):
        if isinstance(field, forms.EmailField):
            field.error_messages["invalid"] = (
                "Enter an email address in the correct format, like name@example.org"
            )
        elif isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = f"Enter a whole number for {in_sentence}"
        elif isinstance(field, (forms.DecimalField, forms.FloatField)):
            field.error_messages["invalid"] = f"Enter a number for {in_sentence}"
        else:
            field.error_messages["invalid"] = f"Enter {in_sentence} in the correct format"
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        # The limits' validators (MinValueValidator, MaxValueValidator) report under these
        # codes, so the field's messages replace theirs ("Ensure this value is ...").
        if not keep("min_value"):
            field.error_messages["min_value"] = f"{label} must be %(limit_value)s or more"
        if not keep("max_value"):
            field.error_messages["max_value"] = f"{label} must be %(limit_value)s or fewer"


# The fields of the site's forms that hold what someone wrote themselves: shown back when a
# form they filled in is refused (their membership ended meanwhile, the page's security
# token had expired). Only these names: never a password, a code or a token.
WRITTEN_FIELDS = {
    "title": "Title",
    "subject": "Subject",
    "body": "Your post",
    "message": "Your message",
}


def written_back(request) -> list[dict]:
    """What a POST carried in WRITTEN_FIELDS, for a refusal page to show back to be
    copied (templates/includes/written_back.html); empty for anything else."""
    if request.method != "POST":
        return []
    written = []
    for name, label in WRITTEN_FIELDS.items():
        text = request.POST.get(name, "")
        if text.strip():
            rows = 10 if "\n" in text or len(text) > 120 else 2
            written.append({"label": label, "text": text, "rows": rows})
    return written


class ContactForm(SpecificMessages, forms.Form):
    name = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name"},
    )
    email = forms.EmailField(
        label="Email address",
        # As long as ContactMessage stores (Django's own limit for the form, 320, is longer).
        max_length=ContactMessage._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We reply to this address.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    subject = forms.CharField(max_length=150, error_messages={"required": "Enter a subject"})
    message = forms.CharField(
        error_messages={"required": "Enter your message"},
        max_length=settings.CONTACT_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "data-counter": "true"}),
        help_text=(
            f"Up to {settings.CONTACT_MESSAGE_MAX_LENGTH:,} characters. Please do not include "
            "anything that could identify a child or young person."
        ),
    )
    # People never see this field; form-filling bots do, and fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")

    def is_from_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
