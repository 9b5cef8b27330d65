from django import forms

from members.models import Invitation
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
