"""Forms of the members' forum. They parse input; forum/services/ decides."""

import uuid

from django import forms
from django.conf import settings

from forum.models import ForumPreference, ReportReason
from network.files import ACCEPTED_DESCRIPTION
from network.forms import SpecificMessages

MENTION_HELP = "Mention someone with @ and their name, hyphens for spaces: @Grace-Lewis."


class MultipleFileInput(forms.ClearableFileInput):
    # No "choose it again" note: a form that comes back keeps the files chosen (each
    # listed under the input, see KeptAttachmentsField) or names the one it refused.
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs):
        # An empty file is refused by forum/services/attachments.py, which names it: among
        # several files, Django's own "The submitted file is empty." does not say which.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class KeptAttachmentsField(forms.Field):
    """The ids of the files kept for this post by an earlier preview or refusal. Whose
    they are is checked by forum/services/attachments.py: an id is only a reference."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return [int(item) for item in values if str(item).isdigit()]


class PostForm(SpecificMessages, forms.Form):
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        help_text=f"Markdown: **bold**, *italic*, > quote, - lists, [link](https://…). "
        f"{MENTION_HELP}",
    )
    attachments = MultipleFileField(
        required=False,
        help_text=f"Optional, up to {settings.FORUM_ATTACHMENTS_PER_POST} files: "
        f"{ACCEPTED_DESCRIPTION}. Images appear once a moderator has approved them, "
        "with their hidden details (such as location) removed.",
    )
    confirm_child_safety = forms.BooleanField(
        required=False,
        label="I confirm that my post does not identify a child or young person, or anyone "
        "in care: no names, initials, dates of birth, home, school or placement names, "
        "photos or case numbers.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kept_attachments = KeptAttachmentsField(required=False)

    def __init__(self, *args, ask_confirmation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept: list = []
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        if not ask_confirmation:
            del self.fields["confirm_child_safety"]

    def keep(self, files) -> None:
        """The files kept for this post so far (attachments.drafts_keep): the page lists
        them, each with its Remove button, and sends their ids back with the form."""
        self.kept = list(files)
        ids = [str(item.pk) for item in self.kept]
        if not self.is_bound:
            self.initial["kept_attachments"] = ids
        elif hasattr(self.data, "setlist"):
            self.data = self.data.copy()
            self.data.setlist("kept_attachments", ids)
        else:
            self.data = {**self.data, "kept_attachments": ids}

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")


class ThreadForm(PostForm):
    title = forms.CharField(max_length=200, min_length=5)
    field_order = ["title", "body", "attachments", "confirm_child_safety"]


class EditForm(SpecificMessages, forms.Form):
    body = forms.CharField(
        label="Your post", widget=forms.Textarea(attrs={"rows": 10}), strip=False
    )
    # The fingerprint of the text the page started from: a save from a page opened
    # before someone else's change must not silently undo it.
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        max_length=300,
        required=False,
        help_text="Moderators: why you edited this post (shown under it).",
    )


class ReportForm(SpecificMessages, forms.Form):
    reason = forms.ChoiceField(
        choices=ReportReason.choices, widget=forms.RadioSelect, label="What is wrong?"
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        label="Anything the moderators should know",
        help_text="Required for “Something else”. Do not repeat identifying details here.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ReportReason.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", "Tell the moderators what is wrong with this post.")
        return cleaned


class PreferenceForm(SpecificMessages, forms.ModelForm):
    class Meta:
        model = ForumPreference
        fields = ["notify_by", "email_mentions", "follow_on_post"]
        widgets = {"notify_by": forms.RadioSelect}


class SearchForm(SpecificMessages, forms.Form):
    # No max_length: a long search is cut to FORUM_SEARCH_MAX_TERMS words and the page
    # says so (forum/search.py query_bound), rather than thrown away.
    q = forms.CharField(required=False, label="Search the forum")
