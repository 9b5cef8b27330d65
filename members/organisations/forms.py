from django import forms

from members.models import Invitation, Organisation, OrganisationDetailsChange, Region
from network.forms import SpecificMessages


class InvitationForm(SpecificMessages, forms.Form):
    email = forms.EmailField(
        label="Colleague's email address",
        # As long as the address can be stored (Django's own limit, 320, is longer).
        max_length=Invitation._meta.get_field("email").max_length,
        help_text="They get an email with a link to take a seat in your organisation's membership.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class DomainForm(SpecificMessages, forms.Form):
    domain = forms.CharField(
        label="Email domain",
        max_length=200,
        help_text="The part after @ in your own work address, e.g. northmoor.gov.uk.",
    )


class OrganisationDetailsForm(SpecificMessages, forms.ModelForm):
    """The details an organisation's admins keep up to date themselves. Not the address
    of the page (slug), its member type or verified domain, nor anything about payments:
    those stay with the network's staff."""

    class Meta:
        model = Organisation
        fields = OrganisationDetailsChange.DETAILS_FIELDS
        labels = {
            "name": "Organisation name",
            "region": "Region",
            "billing_contact_name": "Billing contact",
            "billing_email": "Billing email",
            "billing_address": "Billing address",
            "purchase_order_number": "Purchase order (PO) number",
        }
        help_texts = {
            "name": "As it should appear on invoices and to the network's team.",
            "region": "The region of England where the organisation mainly works.",
            "billing_contact_name": "The person or team who pays invoices, e.g. Accounts Payable.",
            "billing_email": "Invoices, receipts and notices about payments are sent here.",
            "billing_address": "One line per line of the address, ending with the postcode. "
            "Printed on invoices from now on.",
            "purchase_order_number": "Printed on invoices from now on. Invoices already sent "
            "keep the number they were sent with.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "billing_contact_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "billing_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "billing_address": forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        }

    def __init__(self, *args, invoiced: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Not given"), *Region.choices]
        if invoiced:
            # Paid by invoice: without these the next invoice has nowhere to go.
            for name in ("billing_email", "billing_address"):
                self.fields[name].required = True
            self.fields["billing_email"].error_messages["required"] = (
                "Enter the billing email: your organisation pays by invoice, and invoices "
                "are sent there."
            )
            self.fields["billing_address"].error_messages["required"] = (
                "Enter the billing address: your organisation pays by invoice, and it is "
                "printed on them."
            )

    def clean_billing_address(self) -> str:
        # Browsers send a textarea's lines ending in \r\n: stored as typed, an address
        # saved unchanged would read as changed, and be recorded and sent to Stripe again.
        return "\n".join(self.cleaned_data["billing_address"].splitlines())
