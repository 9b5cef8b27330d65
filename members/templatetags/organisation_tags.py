"""The organisation panel on the account page: seats for organisation admins, waiting
invitations, and seats a colleague may claim by email domain."""

from django import template

from members import access, organisations

register = template.Library()


@register.inclusion_tag("members/organisation/account_panel.html", takes_context=True)
def organisation_panel(context) -> dict:
    user = context["request"].user
    managed = []
    for organisation in access.organisations_managed_by(user).order_by("name"):
        membership = access.organisation_membership(organisation)
        usage = organisations.seats_usage(organisation, total=membership.seats if membership else 0)
        managed.append({"organisation": organisation, "membership": membership, "usage": usage})
    claimable = [
        organisation
        for organisation in access.claimable_organisations(user).order_by("name")
        if organisations.seats_usage(organisation).left > 0
    ]
    invitations = list(organisations.invitations_for(user))
    for invitation in invitations:
        invitation.token = organisations.invitation_token(invitation)
    return {
        "managed": managed,
        "invitations": invitations,
        "claimable": claimable,
        "csrf_token": context.get("csrf_token"),
    }
