"""A task delivered again while its first delivery is still sending its email: what
happens when a worker is lost after sending (acks_late) or the beat queues a task that
is still waiting. The email must go once all the same."""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives


def deliver_again_while_sending(monkeypatch, deliver_again: Callable[[], object]) -> None:
    """Just before the next email goes, run `deliver_again` (the same task, once more)."""
    send = EmailMultiAlternatives.send
    waiting = [deliver_again]

    def send_after_the_second_delivery(self, *args, **kwargs):
        if waiting:
            waiting.pop()()
        return send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_after_the_second_delivery)
