"""Subscribers and their consent, as staff and editors see them.

Consent is given by the person alone (UK GDPR, PECR: we must show when and how each
person agreed). Here a subscriber's status, address, account and choices are read only;
someone who asks staff to sign them up is added unconfirmed and emailed the normal
confirmation link, and the confirmation may be sent again to people who have not
confirmed (newsletter/confirmations.py).
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from members.admin.account_fields import AccountFieldsAsText, account_address
from network.admin_labels import LabelledTabularInline
from network.forms import SpecificMessages
from network.models import Topic
from newsletter import confirmations, selectors, suppressions
from newsletter.models import Consent, Newsletter, Subscriber


class ConsentInline(LabelledTabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "form", "text", "choices", "staff_member"]
    readonly_fields = fields

    # As text: editors may not open staff accounts.
    staff_member = account_address("added_by", "added by (staff)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by")


class SubscriberAddForm(SpecificMessages, forms.ModelForm):
    """What a person asked a member of staff to sign them up to, as on the sign-up page."""

    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Newsletters",
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics for the digests",
        help_text="Leave all unticked for every topic.",
    )
    asked = forms.BooleanField(
        label=confirmations.ADDED_BY_STAFF_TEXT,
        error_messages={"required": "Tick the box to say this person asked to be added"},
    )

    class Meta:
        model = Subscriber
        fields = ["email", "name", "newsletters", "weekly_digest", "daily_digest", "topics"]
        error_messages = {
            "email": {
                "unique": "This address is already on the list: find it in the subscribers. "
                "Only the person can subscribe it again, from the newsletter page."
            }
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A person added by hand has no account here yet: newsletters open to everyone.
        self.fields["newsletters"].queryset = Newsletter.objects.filter(
            pk__in=[n.pk for n in selectors.newsletters_open_to(None)]
        )

    def clean_email(self) -> str:
        # Addresses are stored in lower case: a known one typed in capitals is known.
        email = self.cleaned_data["email"].strip().lower()
        refusal = confirmations.refusal_for_new_address(email)
        if refusal:
            raise forms.ValidationError(refusal)
        return email

    def clean(self):
        data = super().clean()
        wanted = data.get("newsletters") or data.get("weekly_digest") or data.get("daily_digest")
        if not self.has_error("newsletters") and not wanted:
            self.add_error("newsletters", "Tick at least one newsletter or digest.")
        return data


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


@admin.register(Subscriber)
class SubscriberAdmin(AccountFieldsAsText, admin.ModelAdmin):
    list_display = ["email", "name", "state", "weekly_digest", "daily_digest", "created_at"]
    list_filter = ["state", "newsletters", "weekly_digest", "daily_digest"]
    search_fields = ["email", "name"]
    list_per_page = 100
    show_full_result_count = False
    actions = ["send_confirmation_again"]

    fields = [
        "email",
        "name",
        "user",
        "state",
        "newsletters",
        "weekly_digest",
        "daily_digest",
        "topics",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
    ]
    # Only the person subscribes, confirms, chooses or links an account; a name may be
    # corrected. A new address is a new sign-up, confirmed by its owner.
    readonly_fields = [field for field in fields if field != "name"]
    add_fields = ["email", "name", "newsletters", "weekly_digest", "daily_digest", "topics"]

    account_fields = {"user": "account"}
    account = account_address("user", "account")

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return [*self.add_fields, "asked"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return super().get_readonly_fields(request, obj)

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SubscriberAddForm
        return super().get_form(request, obj, **kwargs)

    # Deleting a subscriber who complained or bounced keeps that much, as a keyed hash
    # (newsletter/suppressions.py): a later sign-up must not write to them again.
    def delete_model(self, request: HttpRequest, obj: Subscriber) -> None:
        kept = suppressions.suppressions_keep(subscribers=Subscriber.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)
        self._say_kept(request, kept)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        kept = suppressions.suppressions_keep(subscribers=queryset)
        super().delete_queryset(request, queryset)
        self._say_kept(request, kept)

    def _say_kept(self, request: HttpRequest, kept: int) -> None:
        if kept:
            addresses = "This address" if kept == 1 else f"{kept} of these addresses"
            self.message_user(
                request,
                f"{addresses} reported our email as spam or bounced, so we still will not "
                "email it: Suppressed addresses keeps a coded form of it, never the address.",
                messages.INFO,
            )

    def get_inlines(self, request: HttpRequest, obj):
        return [] if obj is None else [ConsentInline]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        added = confirmations.subscriber_add_by_staff(
            email=data["email"],
            name=data["name"],
            newsletters=data["newsletters"],
            weekly_digest=data["weekly_digest"],
            daily_digest=data["daily_digest"],
            topics=data["topics"],
            added_by=request.user,
        )
        obj.pk, obj.key = added.pk, added.key
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        # A new subscriber's choices were saved with their consent record.
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"A confirmation email is on its way to {obj.email}. They get nothing until they "
            "confirm from it.",
            messages.INFO,
        )
        return response

    @admin.action(description="Send the confirmation email again", permissions=["change"])
    def send_confirmation_again(self, request: HttpRequest, queryset) -> None:
        result = confirmations.subscribers_confirmation_send_again(subscribers=queryset)
        if result.sent:
            self.message_user(
                request,
                f"The confirmation email is on its way again to {_people(result.sent)}.",
                messages.SUCCESS,
            )
        if result.sent_lately:
            self.message_user(
                request,
                f"Not sent to {_people(result.sent_lately)}: they had one in the last 24 hours. "
                "Try again tomorrow if it has still not arrived.",
                messages.WARNING,
            )
        if result.refused:
            self.message_user(
                request,
                f"Not sent to {_people(result.refused)}: confirmed already, or they "
                "unsubscribed, their address bounced or they reported our email as spam. "
                "Only they can sign up again, from the newsletter page.",
                messages.WARNING,
            )
