from django.conf import settings
from django.db import models


class Topic(models.Model):
    """The shared taxonomy: library resources, forum categories, members' interests and
    digests all speak of the same topics, so the list lives here, below every app."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ContactMessage(models.Model):
    """A message sent through the contact form, kept so that none is lost if email fails."""

    name = models.CharField(max_length=120)
    email = models.EmailField()
    subject = models.CharField(max_length=150)
    message = models.TextField(max_length=settings.CONTACT_MESSAGE_MAX_LENGTH)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled = models.BooleanField(default=False, help_text="Tick once someone has replied.")
    handled_note = models.TextField(blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the staff email was accepted by the mail server."
    )
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    notify_error = models.TextField(blank=True, help_text="The last sending error, if any.")

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["handled", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.email})"
