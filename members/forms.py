from django import forms

from members.models import MemberType, MemberTypeChangeRequest, User
from network.forms import SpecificMessages
from network.text import person_name_clean, shown_beside_name_clean


class SignupDetailsForm(SpecificMessages, forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        max_length=150,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    newsletter = forms.BooleanField(
        required=False,
        label="Send me the newsletter and the weekly digest",
        help_text="News from the network, and a weekly round-up of new resources, events "
        "and forum threads. They start once you confirm your address; you can stop them "
        "from a link in every email.",
    )

    field_order = ["name", "email", "password1", "password2", "newsletter"]

    def clean_name(self) -> str:
        return person_name_clean(self.cleaned_data["name"])

    def signup(self, request, user: User) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])
        # Read by the newsletter, which listens for allauth's user_signed_up (members
        # imports no other app): the same user object travels with the signal.
        user.newsletter_chosen_at_sign_up = self.cleaned_data.get("newsletter", False)


class ProfileForm(SpecificMessages, forms.ModelForm):
    """What a person says about themselves. Nothing here opens a room or a newsletter: the
    fields are listed, so anything else posted (is_staff, a member type for a member, an
    organisation) is ignored."""

    class Meta:
        model = User
        fields = ["name", "job_title", "organisation_name", "member_type", "region", "topics"]
        labels = {
            "organisation_name": "Organisation",
            "member_type": "What best describes your work?",
        }
        help_texts = {
            # The model's help text speaks to staff ("the person"); this page to the person.
            "name": "How you are named on the site: in the forum, and to your colleagues.",
            "organisation_name": "The provider, council or body you work for.",
            "member_type": "For our records. Your member type comes from your membership.",
            "topics": "We use these to choose what goes in your digests.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, is_member: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_member:
            # A member's type is their membership's, shown on their account page with a
            # way to ask for a change; a second "work" answer beside it would only confuse.
            del self.fields["member_type"]

    def clean_name(self) -> str:
        return person_name_clean(self.cleaned_data["name"])

    def clean_job_title(self) -> str:
        return shown_beside_name_clean(self.cleaned_data["job_title"])

    def clean_organisation_name(self) -> str:
        return shown_beside_name_clean(self.cleaned_data["organisation_name"])


class MemberTypeChangeForm(SpecificMessages, forms.ModelForm):
    """A member asks the membership team to change their member type."""

    class Meta:
        model = MemberTypeChangeRequest
        fields = ["requested_type", "reason"]
        labels = {
            "requested_type": "The member type you should have",
            "reason": "Why?",
        }
        help_texts = {
            "reason": "Your role and organisation, e.g. 'I moved to the council's "
            "commissioning team in March'. The membership team reads this.",
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}

    def __init__(self, *args, current_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_type"].choices = [
            ("", "Choose a member type"),
            *[(value, label) for value, label in MemberType.choices if value != current_type],
        ]


class AccountDeleteForm(forms.Form):
    """Delete one's account: what happens to the forum posts, and a clear yes."""

    posts = forms.ChoiceField(
        label="Your forum posts",
        choices=[
            ("keep", "Keep the text of my posts, shown as written by “a former member”"),
            ("remove", "Remove the text of every post I wrote"),
        ],
        widget=forms.RadioSelect,
        initial="keep",
    )
    confirm = forms.BooleanField(
        label="I understand that my account will be deleted and this cannot be undone "
        "once the grace period ends",
        error_messages={"required": "Tick the box to confirm you want to delete your account."},
    )

    @property
    def keep_post_text(self) -> bool:
        return self.cleaned_data["posts"] == "keep"
