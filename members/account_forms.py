"""allauth's account forms in the site's words (ACCOUNT_FORMS in settings).

GOV.UK style, as the rest of the site: an empty field says what to do ("Enter your
email address") rather than "This field is required.", and fields carry labels but no
placeholders, which vanish as soon as someone types. Sentence case of allauth's labels
and buttons comes from the project's translation catalog (locale/).
"""

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

EMAIL_LABEL = "Email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.org"


class SiteWordingMixin:
    # What an empty field asks for, by field name; a form may say it differently.
    required_messages: dict[str, str] = {
        "login": "Enter your email address",
        "email": "Enter your email address",
        "name": "Enter your name",
        "password": "Enter your password",
        "password1": "Enter a password",
        "password2": "Enter the password again",
        "oldpassword": "Enter your current password",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]
            if isinstance(field, forms.EmailField):
                field.label = EMAIL_LABEL
                field.error_messages["invalid"] = EMAIL_INVALID


class LoginForm(SiteWordingMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The address is the account's username: "username" (allauth says "email") is
        # what password managers look for to fill and save a sign-in.
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(SiteWordingMixin, allauth_forms.SignupForm):
    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # allauth answers an address that has an account without creating one, so
            # without hashing a password: a second and more sooner, which told a script
            # which addresses have accounts. Hashing this one costs the same time.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AddEmailForm(SiteWordingMixin, allauth_forms.AddEmailForm):
    required_messages = {"email": "Enter the new email address"}


class ResetPasswordForm(SiteWordingMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(SiteWordingMixin, allauth_forms.ResetPasswordKeyForm):
    required_messages = {
        "password1": "Enter a new password",
        "password2": "Enter the new password again",
    }


class ChangePasswordForm(SiteWordingMixin, allauth_forms.ChangePasswordForm):
    required_messages = {
        "oldpassword": "Enter your current password",
        "password1": "Enter a new password",
        "password2": "Enter the new password again",
    }


class SetPasswordForm(SiteWordingMixin, allauth_forms.SetPasswordForm):
    pass


class ReauthenticateForm(SiteWordingMixin, allauth_forms.ReauthenticateForm):
    pass


class TwoFactorAuthenticateForm(mfa_forms.AuthenticateForm):
    """The second step of signing in (MFA_FORMS in settings). The page says which ways
    in this person has: someone who lost their phone must learn there that a recovery
    code goes in the same box, and is offered a security key only if they added one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code"
        self.fields["code"].error_messages["required"] = "Enter the code"
        self.fields["code"].widget.attrs.pop("placeholder", None)
        # Both kinds of code are digits: a phone shows its number pad, and offers the code
        # an authenticator app or a text message holds.
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="one-time-code")
        self.methods = set(
            Authenticator.objects.filter(user=self.user).values_list("type", flat=True)
        )

    @property
    def has_recovery_codes(self) -> bool:
        return Authenticator.Type.RECOVERY_CODES in self.methods

    @property
    def has_security_key(self) -> bool:
        return Authenticator.Type.WEBAUTHN in self.methods
