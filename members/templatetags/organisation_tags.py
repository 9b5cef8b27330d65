"""The organisation panel on the account page: seats for organisation admins, waiting
invitations, and seats a colleague may claim by email domain."""

from django import template
from django.conf import settings

from members import access
from members.models import Invitation
from members.organisations import invitations, seats
from members.organisations.seats_over import seats_over

register = template.Library()


@register.inclusion_tag("members/organisation/account_panel.html", takes_context=True)
def organisation_panel(context) -> dict:
    user = context["request"].user
    managed = []
    for organisation in access.organisations_managed_by(user).order_by("name"):
        membership = access.organisation_membership(organisation)
        usage = seats.seats_usage(organisation, total=membership.seats if membership else 0)
        # Who loses access if nothing changes: asked only when the seats do not fit.
        beyond = seats_over(organisation, paid=usage.total) if usage.over and usage.total else None
        managed.append(
            {
                "organisation": organisation,
                "membership": membership,
                "usage": usage,
                "beyond": beyond,
            }
        )
    open_invitations = list(invitations.invitations_for(user).select_related("invited_by"))
    if open_invitations:
        # Whether each has a seat free, asked only when there are invitations: composing
        # its subqueries costs more than the page's other queries, and most people have
        # none waiting.
        free = seats.with_seat_free(
            Invitation.objects.filter(pk__in=[invitation.pk for invitation in open_invitations]),
            user,
        ).values("pk", "seats_paid", "seats_taken", "seats_held_before")
        counts = {row.pop("pk"): row for row in free}
        for invitation in open_invitations:
            vars(invitation).update(counts[invitation.pk])
    invited_to = {invitation.organisation_id for invitation in open_invitations}
    claimable, full = [], []
    # An invitation already holds a seat for them there: accepting it is the way in.
    for organisation in (
        access.claimable_organisations(user).exclude(pk__in=invited_to).order_by("name")
    ):
        usage = seats.seats_usage(organisation)
        if usage.left > 0:
            claimable.append(organisation)
        elif usage.total > 0:
            # A member organisation with every seat in use: say so, or the colleague
            # sees only the plans and pays for a membership of their own.
            full.append(organisation)
    # An invitation beyond the seats paid for cannot be accepted: say so, and whom to
    # ask, as its own page does, rather than offer Accept and then refuse.
    no_seat = [
        invitation
        for invitation in open_invitations
        if invitation.seats_taken + invitation.seats_held_before >= invitation.seats_paid
    ]
    for invitation in open_invitations:
        invitation.token = invitations.invitation_token(invitation)
    for invitation in no_seat:
        invitation.no_seat = True
        # Whoever invited them manages the seats (or did): naming every admin would cost
        # the page a query of its own.
        invitation.admins = [invitation.invited_by] if invitation.invited_by else []
        invitation.expires_at = seats.invitation_expires_at(invitation)
    return {
        "managed": managed,
        "invitations": open_invitations,
        "claimable": claimable,
        "full": full,
        "notice_days": settings.ORGANISATION_SEATS_NOTICE_DAYS,
        "csrf_token": context.get("csrf_token"),
    }
