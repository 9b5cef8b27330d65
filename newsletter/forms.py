from django import forms

from network.forms import SpecificMessages
from network.models import Topic
from newsletter.models import Newsletter
from newsletter.services import CONSENT_TEXT


class ChoicesForm(SpecificMessages, forms.Form):
    """What to receive. Nothing is ticked for someone who has not chosen yet."""

    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Newsletters",
    )
    weekly_digest = forms.BooleanField(
        required=False,
        label="The weekly digest",
        help_text="Every Monday: the week's new resources, most-read guides and busiest threads.",
    )
    daily_digest = forms.BooleanField(
        required=False,
        label="The daily digest",
        help_text="Each morning, only when there is something new on your topics.",
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics for your digests",
        help_text="Leave all unticked to hear about every topic.",
    )

    def __init__(self, *args, newsletters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = Newsletter.objects.filter(
            pk__in=[n.pk for n in newsletters]
        )

    def wants_something(self) -> bool:
        data = self.cleaned_data
        return bool(data["newsletters"] or data["weekly_digest"] or data["daily_digest"])

    def refuse_nothing_chosen(self) -> None:
        # By the first choices, so the summary links there and the group says so.
        first = "newsletters" if self.fields["newsletters"].queryset.exists() else "weekly_digest"
        self.add_error(first, "Tick at least one newsletter or digest.")


class SignUpForm(ChoicesForm):
    # Browsers fill in the visitor's own details (WCAG 1.3.5), as on the home page's form.
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    name = forms.CharField(
        label="Your name (optional)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        required=True,
        error_messages={"required": "Tick the box to say we may email you"},
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["email", "name", "newsletters", "weekly_digest", "daily_digest", "topics"]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.wants_something():
            self.refuse_nothing_chosen()
        return data


class AccountChoicesForm(ChoicesForm):
    """A signed-in person's choices. Someone subscribed may untick everything (their
    choices change); someone not subscribed who chooses nothing has agreed to nothing,
    so nothing is saved and no consent recorded."""

    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)

    def __init__(self, *args, subscribed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscribed = subscribed

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not self.wants_something():
            if not self.subscribed:
                self.refuse_nothing_chosen()
        elif not data.get("consent"):
            self.add_error("consent", "Tick this box to agree to receive what you chose.")
        return data
