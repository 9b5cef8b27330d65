from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the portal's own wording for its emails."""

    def format_email_subject(self, subject: str) -> str:
        return f"[English Residential Network] {subject}"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True
