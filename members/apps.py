from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members and memberships"

    def ready(self) -> None:
        from allauth.account.signals import email_changed
        from allauth.mfa.signals import authenticator_added

        # Celery's autodiscovery finds members.tasks only; billing's and the organisations'
        # tasks live in their packages, so workers register them from here.
        from members.billing import tasks as billing_tasks  # noqa: F401
        from members.organisations import tasks as organisation_tasks  # noqa: F401

        authenticator_added.connect(_other_sessions_end, dispatch_uid="members.other_sessions")
        email_changed.connect(_account_email_changed, dispatch_uid="members.email_changed")

        from members.person_pages import person_admin_list_register

        person_admin_list_register(
            "Subscriptions", "admin:members_subscription_changelist", user__id__exact="pk"
        )
        # An invoice names its subscription, not the person: found by their address.
        person_admin_list_register("Invoices", "admin:members_invoice_changelist", q="email")
        person_admin_list_register(
            "Data requests", "admin:members_datarequest_changelist", user__id__exact="pk"
        )


def _other_sessions_end(sender, request, user, **kwargs) -> None:
    """allauth tells of a new authenticator (an app, a security key, recovery codes)."""
    from members.accounts import other_sessions_end

    other_sessions_end(request=request, user=user)


def _account_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """allauth tells of a new address for an account (confirmed by the person, also after
    staff changed it): seats claimed by a domain the person has left end."""
    from members.organisations.domains import seats_left_domain_end

    seats_left_domain_end(user=user)
