"""An email backend for tests that answers like an SMTP server told what to do per address."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class ScriptedBackend(EmailBackend):
    """Like the locmem backend, but an address listed in `script` gets that error."""

    script: dict[str, Exception] = {}

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                error = self.script.get(address)
                if error is not None:
                    raise error
        return super().send_messages(messages)


def refused(address: str, code: int, text: str = "refused") -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (code, text.encode())})


def outbox_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]
