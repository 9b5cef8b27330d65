"""Deployment checks of our own (`manage.py check --deploy`): settings a production site
starts without, but then fails its people quietly."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_addresses_check(app_configs, **kwargs) -> list[Warning]:
    """Sign-up needs a verified address, so emails written to files mean nobody can join;
    links in emails and feeds are built on SITE_URL, whose default is a local address."""
    warnings = []
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        warnings.append(
            Warning(
                "Emails are written to files under EMAIL_FILE_PATH, not sent.",
                hint="Set EMAIL_URL (SMTP) or EMAIL_BACKEND (an email service); see .env.example.",
                id="network.W001",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        warnings.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}, not the site's public https address.",
                hint="Links in emails and feeds are built on it: set SITE_URL.",
                id="network.W002",
            )
        )
    return warnings
