"""The organisation panel on the account page: seats for organisation admins, waiting
invitations, and seats a colleague may claim by email domain."""

from django import template

from members import access
from members.organisations import invitations, seats

register = template.Library()


@register.inclusion_tag("members/organisation/account_panel.html", takes_context=True)
def organisation_panel(context) -> dict:
    user = context["request"].user
    managed = []
    for organisation in access.organisations_managed_by(user).order_by("name"):
        membership = access.organisation_membership(organisation)
        usage = seats.seats_usage(organisation, total=membership.seats if membership else 0)
        managed.append({"organisation": organisation, "membership": membership, "usage": usage})
    claimable = [
        organisation
        for organisation in access.claimable_organisations(user).order_by("name")
        if seats.seats_usage(organisation).left > 0
    ]
    open_invitations = list(invitations.invitations_for(user))
    for invitation in open_invitations:
        invitation.token = invitations.invitation_token(invitation)
    return {
        "managed": managed,
        "invitations": open_invitations,
        "claimable": claimable,
        "csrf_token": context.get("csrf_token"),
    }
