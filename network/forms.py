from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Forms render with the project's templates; a single checkbox comes before its
    label (templates/network/forms/field.html)."""

    field_template_name = "network/forms/field.html"


class ContactForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name"},
    )
    email = forms.EmailField(
        label="Email address",
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
