"""The forms of paying for a membership: by card (Checkout) or by invoice."""

from django import forms

from members.models import Organisation, Plan, Region
from network.forms import SpecificMessages


class CheckoutForm(SpecificMessages, forms.Form):
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


class InvoiceRequestForm(SpecificMessages, forms.Form):
    """A council or other organisation asks to pay by invoice against a PO number; without
    Stripe, anyone asks to join any plan this way and staff approve."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        empty_label="Choose a plan",
        help_text="Plans that can be paid by invoice.",
    )
    seats = forms.IntegerField(
        min_value=1,
        max_value=500,
        initial=1,
        help_text="For organisation plans: how many colleagues can hold a seat. Seats beyond "
        "those a plan includes cost the same each as the plan's own.",
    )
    organisation_name = forms.CharField(
        max_length=200,
        label="Organisation",
        help_text="Who pays: your employer, or your own name for a personal plan you pay for "
        "yourself.",
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
        # As long as the address can be stored (Django's own limit, 320, is longer).
        max_length=Organisation._meta.get_field("billing_email").max_length,
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
        required=False,
        label="Purchase order (PO) number",
        help_text="Printed on every invoice. Needed for organisation plans; optional for a "
        "personal plan.",
    )

    def __init__(self, *args, every_plan: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        plans = Plan.objects.filter(is_active=True)
        if every_plan:
            # Without card payments a request is the only way in, so every plan is listed.
            self.fields["plan"].help_text = "Every plan: the network team approves requests."
        else:
            plans = plans.filter(allow_invoice=True)
        self.fields["plan"].queryset = plans
        self.fields["plan"].help_text += " Prices include VAT."
        # The price in the choice itself: a council raises its PO for an amount.
        self.fields["plan"].label_from_instance = lambda plan: (
            f"{plan.name}, {plan.price_pounds} a {plan.interval}"
        )

    def clean(self):
        cleaned = super().clean()
        plan, seats = cleaned.get("plan"), cleaned.get("seats")
        if plan is not None and plan.holder == Plan.Holder.INDIVIDUAL:
            # A personal plan is one seat whatever the box says, so what was typed there
            # (it says it is for organisation plans) cannot stop the request.
            self.errors.pop("seats", None)
            cleaned["seats"] = 1
        elif plan is not None and seats is not None and seats < plan.seats:
            self.add_error("seats", f"{plan.name} starts at {plan.seats} seats.")
        if (
            plan is not None
            and plan.holder == Plan.Holder.ORGANISATION
            and not cleaned.get("purchase_order_number")
        ):
            self.add_error("purchase_order_number", "Enter the PO number to print on the invoices.")
        return cleaned
