"""Forms of the moderators' pages. They parse input only; forum/moderation/ decides."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from forum.models import Category, Thread
from forum.moderation.checks import REASON_MAX_LENGTH
from network.forms import SpecificMessages

REASON_HELP = "Readers see this under the post. Do not repeat anything you are taking out."


class ReasonForm(SpecificMessages, forms.Form):
    """The optional reason of a one-button action (hide, restore, lock, pin…)."""

    reason = forms.CharField(
        required=False, max_length=REASON_MAX_LENGTH, widget=forms.TextInput(attrs={"size": 40})
    )


class ResolveForm(SpecificMessages, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    note = forms.CharField(
        label="Private note for the moderators (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = list(choices.items())


class NoteForm(SpecificMessages, forms.Form):
    text = forms.CharField(
        label="Private note for the moderators",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
    )


class ModeratorEditForm(SpecificMessages, forms.Form):
    body = forms.CharField(
        label="Text of the post (Markdown)",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=settings.FORUM_POST_MAX_LENGTH,
        error_messages={"required": "The post cannot be empty."},
    )
    reason = forms.CharField(
        label="Reason, shown to readers",
        max_length=REASON_MAX_LENGTH,
        help_text=REASON_HELP,
        error_messages={"required": "Give a reason: readers see it under the post."},
    )
    # The fingerprint of the text the page started from (forum.forms.EditForm says why).
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)


class RedactForm(ModeratorEditForm):
    title = forms.CharField(
        label="Title of the thread",
        max_length=200,
        required=False,
        help_text="This post opens the thread: take anything out of the title here too.",
    )
    purge_all_revisions = forms.BooleanField(
        label="Also delete every earlier version of this post",
        required=False,
        help_text="Earlier versions that contain a word you took out are always deleted. "
        "Tick this when the removed detail may appear in them in another form.",
    )
    field_order = ["title", "body", "reason", "purge_all_revisions"]

    def __init__(self, *args, opens_thread: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not opens_thread:
            del self.fields["title"]


class MoveForm(SpecificMessages, forms.Form):
    category = forms.ModelChoiceField(
        label="Move to",
        queryset=Category.objects.none(),
        empty_label="Choose a category",
        error_messages={"required": "Choose the room to move the thread to"},
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class MergeForm(SpecificMessages, forms.Form):
    into = forms.IntegerField(
        label="Number of the thread to merge into",
        min_value=1,
        help_text="The number in the other thread's address, e.g. 42 in /forum/t/42/…",
        error_messages={"required": "Enter the number of the other thread."},
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX_LENGTH)

    def clean_into(self) -> Thread:
        into = Thread.objects.select_related("category").filter(pk=self.cleaned_data["into"])
        thread = into.first()
        if thread is None:
            raise forms.ValidationError("There is no thread with this number.")
        return thread


SUSPENSION_PERIODS = {
    "1": ("1 day", timedelta(days=1)),
    "3": ("3 days", timedelta(days=3)),
    "7": ("7 days", timedelta(days=7)),
    "30": ("30 days", timedelta(days=30)),
    "90": ("90 days", timedelta(days=90)),
    "lifted": ("Until a moderator lifts it", None),
}


class SuspendForm(SpecificMessages, forms.Form):
    period = forms.ChoiceField(
        label="For how long",
        choices=[(key, label) for key, (label, _) in SUSPENSION_PERIODS.items()],
        initial="7",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason, shown to the member",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason: the member sees it while suspended."},
    )

    def until(self):
        _, length = SUSPENSION_PERIODS[self.cleaned_data["period"]]
        return None if length is None else timezone.now() + length
