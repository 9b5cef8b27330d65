from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from network.models import ContactMessage


def contact_message_submit(*, name: str, email: str, subject: str, message: str) -> ContactMessage:
    """Store a contact message and, once it is committed, email it to staff."""
    from network.tasks import contact_message_notify_staff

    with transaction.atomic(durable=True):
        contact_message = ContactMessage(name=name, email=email, subject=subject, message=message)
        contact_message.full_clean()
        contact_message.save()
        contact_message_notify_staff.delay_on_commit(contact_message.pk)
    return contact_message


# --- Stored Markdown ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMarkup:
    """A model field kept rendered beside its Markdown source (see network.markup)."""

    model: str
    source: str
    html: str
    version: str
    user_content: bool


STORED_MARKUP = (
    StoredMarkup("forum.Post", "body", "body_html", "renderer_version", user_content=True),
    StoredMarkup("practice_library.Resource", "body", "body_html", "body_renderer_version", False),
    StoredMarkup(
        "sector_data.DataPage",
        "commentary",
        "commentary_html",
        "commentary_renderer_version",
        False,
    ),  # fmt: skip
    StoredMarkup(
        "events.Event", "description", "description_html", "description_renderer_version", False
    ),
)


def markup_rerender(stored: StoredMarkup, *, batch_size: int = 500) -> int:
    """Render again every row of `stored` kept by an older renderer; returns how many.

    Resumable: each batch is saved with the current version before the next is read, so
    a run stopped halfway starts where it stopped. The batch's rows are locked while
    they are rendered, so an edit saved meanwhile waits and then stores its own rendering.
    """
    model = apps.get_model(stored.model)
    stale = (
        model._base_manager.filter(**{f"{stored.version}__lt": MARKUP_RENDERER_VERSION})
        .order_by("pk")
        .only("pk", stored.source)
    )
    done = 0
    after = 0
    while True:
        with transaction.atomic():
            batch = list(stale.filter(pk__gt=after).select_for_update(of=("self",))[:batch_size])
            for row in batch:
                html = render_markdown(
                    getattr(row, stored.source), user_content=stored.user_content
                )
                setattr(row, stored.html, html)
                setattr(row, stored.version, MARKUP_RENDERER_VERSION)
            model._base_manager.bulk_update(batch, [stored.html, stored.version])
        if not batch:
            return done
        done += len(batch)
        after = batch[-1].pk
