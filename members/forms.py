from django import forms

from members.models import MemberType, MemberTypeChangeRequest, Plan, Region, User


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        max_length=150,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])


class ProfileForm(forms.ModelForm):
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


class MemberTypeChangeForm(forms.ModelForm):
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


class CheckoutForm(forms.Form):
    """What Checkout needs beyond the plan: for organisation plans, which organisation."""

    organisation_name = forms.CharField(
        max_length=200,
        required=False,
        label="Organisation name",
        help_text="The provider, council or body the seats are for. You become its admin.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    region = forms.ChoiceField(
        choices=[("", "Choose a region (optional)"), *Region.choices], required=False
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan.holder == Plan.Holder.ORGANISATION:
            self.fields["organisation_name"].required = True
        else:
            del self.fields["organisation_name"]
            del self.fields["region"]


class InvoiceRequestForm(forms.Form):
    """A council or other organisation asks to pay by invoice against a PO number."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        empty_label="Choose a plan",
        help_text="Plans that can be paid by invoice.",
    )
    seats = forms.IntegerField(
        min_value=1,
        max_value=500,
        initial=1,
        help_text="For organisation plans: how many colleagues can hold a seat.",
    )
    organisation_name = forms.CharField(
        max_length=200,
        label="Organisation",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    region = forms.ChoiceField(
        choices=[("", "Choose a region (optional)"), *Region.choices], required=False
    )
    contact_name = forms.CharField(
        max_length=150,
        label="Billing contact",
        help_text="The person or team who pays invoices, e.g. Accounts Payable.",
    )
    billing_email = forms.EmailField(
        label="Billing email",
        help_text="Invoices are sent here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    billing_address = forms.CharField(
        max_length=1000,
        label="Billing address",
        help_text="One line per line of the address, ending with the postcode.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    purchase_order_number = forms.CharField(
        max_length=100,
        label="Purchase order (PO) number",
        help_text="Printed on every invoice.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(is_active=True, allow_invoice=True)

    def clean(self):
        cleaned = super().clean()
        plan, seats = cleaned.get("plan"), cleaned.get("seats")
        if plan is not None and seats is not None:
            if plan.holder == Plan.Holder.INDIVIDUAL:
                cleaned["seats"] = 1
            elif seats < plan.seats:
                self.add_error("seats", f"{plan.name} starts at {plan.seats} seats.")
        return cleaned
