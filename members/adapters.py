from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.dispatch import Signal
from django.http import HttpRequest

# Sent while an address's confirmation email is written, with `user` and `email`. A
# receiver answers with a sentence the email adds, for something else confirming the
# address starts (members imports no other app; the newsletter answers it).
confirmation_email_notes = Signal()


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the portal's own wording for its emails."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The limit counts failures against the account, whoever made them: its owner
        # needs to know the way through that does not wait (a reset clears the count).
        "too_many_login_attempts": (
            "There have been too many failed attempts to sign in to this account, so it "
            "is paused for now. To sign in straight away, reset your password: the link "
            "we email you lifts the pause. Otherwise, try again later."
        ),
    }

    def format_email_subject(self, subject: str) -> str:
        return f"[English Residential Network] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth renders its emails without the context processors: give them the site's
        # address as every other email has it.
        extra = {"SITE_URL": settings.SITE_URL}
        if template_prefix.startswith("account/email/email_confirmation"):
            # Clicking the link consents to whatever else it starts: the email must say so.
            answers = confirmation_email_notes.send(
                sender=self.__class__, user=context.get("user"), email=email
            )
            extra["confirmation_notes"] = [note for _receiver, note in answers if note]
        super().send_mail(template_prefix, email, {**extra, **context})

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True

    def login(self, request: HttpRequest, user) -> None:
        """Every way of signing in ends here: signing in during an account's deletion
        grace period cancels the deletion (as the deletion page promised)."""
        from members import data_rights
        from members.data_rights_views import welcome_back_message

        super().login(request, user)
        news = data_rights.account_deletion_cancel(user=user)
        if news is not None:
            messages.success(request, welcome_back_message(news))
