from django import forms

from network.forms import SpecificMessages


class RegistrationForm(SpecificMessages, forms.Form):
    needs = forms.CharField(
        label="Accessibility or dietary needs (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        # True by the permissions: editors, who curate events, never see registrations
        # (members/staff_groups.py, events/access.py).
        help_text="Only the network's event organisers see this, and it is deleted a month "
        "after the event.",
        # The label's "(optional)" does not belong in a sentence about the note's length.
        error_messages={
            "max_length": "Your note must be %(limit_value)d characters or fewer "
            "(it has %(show_value)d)"
        },
    )
