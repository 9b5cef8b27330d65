from django import template

from members.billing import services

register = template.Library()


@register.simple_tag
def billing_summary(user) -> services.BillingSummary:
    """The billing side of a person's membership, for the account page's panel."""
    return services.billing_summary(user)
