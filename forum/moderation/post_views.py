"""The moderators' pages for one post and its files: hide, restore, approve, reject,
edit and redact posts; look at, approve and reject images; take down one attached file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import access, quotes
from forum.models import (
    FILE_DELETED,
    ModerationAction,
    PostAttachment,
    ReviewItem,
    content_hash,
)
from forum.moderation import actions, attachments, redaction
from forum.moderation.forms import (
    ModeratorEditForm,
    ReasonForm,
    RedactForm,
)
from forum.moderation.views import (
    _back,
    _moderated_post,
    _next,
    _post_page,
    _refused,
)
from network.files import protected_file_response, safe_filename

# --- Posts ------------------------------------------------------------------------------------


@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A post as moderators see it: its text, state, edit history and moderation log."""
    post = _moderated_post(request, pk)
    revisions = post.revisions.select_related("edited_by")
    history = ModerationAction.objects.filter(post=post).select_related("actor")[:50]
    open_item = ReviewItem.objects.open().filter(post=post).first()
    images = post.attachments.filter(is_image=True)
    documents = post.attachments.filter(is_image=False).order_by("pk")
    quoted_in = quotes.quoting_posts([post])[post.pk]
    return render(
        request,
        "forum/moderation/post.html",
        {
            "post": post,
            "thread": post.thread,
            "revisions": revisions,
            "history": history,
            "open_item": open_item,
            "images": images,
            "documents": documents,
            "quoted_in": quoted_in,
        },
    )


def _post_action(request: HttpRequest, pk: int, operation, done: str, *, then=None) -> HttpResponse:
    """Run `operation` on the post from a ReasonForm; `then(post)` after it succeeded,
    which may name the page to go to instead of the one the form came from."""
    post = _moderated_post(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError(form.errors["reason"]))
        return _back(request, _post_page(post))
    try:
        operation(actor=request.user, post=post, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Post #{post.post_number} {done}.")
        elsewhere = then(post) if then is not None else None
        if elsewhere:
            return redirect(elsewhere)
    return _back(request, _post_page(post))


@require_POST
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    def quotes_left(post) -> str | None:
        # Hidden from the thread page, a post's words still stand in the posts that
        # quote it (a child's name, say): the moderator hears where, as the queue says,
        # on the post's own page, which lists them. Back on a thread page the warning
        # would stand at its top, out of sight of the post the moderator scrolled to;
        # the moderators' own pages (the queue) list the quotes beside the post.
        quoting = quotes.quoting_posts([post])[post.pk]
        if not quoting:
            return None
        from_moderation_pages = request.POST.get("next", "").startswith(
            reverse("forum:moderation_queue")
        )
        numbers = ", ".join(
            f"post #{other.post_number}"
            + (f" in “{other.thread.title}”" if other.thread_id != post.thread_id else "")
            for other in quoting
        )
        messages.warning(
            request,
            f"Quoted in {numbers} (still visible): what they quote stays there; edit or "
            "redact them too if needed.",
        )
        return None if from_moderation_pages else _post_page(post)

    return _post_action(request, pk, actions.post_hide, "is hidden", then=quotes_left)


@require_POST
def post_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.post_restore, "is visible again")


@require_POST
def post_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.post_reject, "was rejected")


@require_POST
def post_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    try:
        actions.publish_held_post(actor=request.user, post=post)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Post #{post.post_number} is published.")
    return _back(request, _post_page(post))


@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit with a reason shown to readers; the earlier text is kept as a revision."""
    post = _moderated_post(request, pk)
    form = ModeratorEditForm(
        request.POST or None, initial={"body": post.body, "based_on": content_hash(post.body)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.post_moderator_edit(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
                based_on=form.cleaned_data["based_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Post #{post.post_number} is edited.")
            return _back(request, _post_page(post))
    return render(
        request,
        "forum/moderation/post_form.html",
        {"form": form, "post": post, "redacting": False, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def post_redact(request: HttpRequest, pk: int) -> HttpResponse:
    """Take text out for good: earlier versions holding it are deleted too."""
    post = _moderated_post(request, pk)
    opens_thread = post.post_number == 1
    form = RedactForm(
        request.POST or None,
        initial={
            "body": post.body,
            "title": post.thread.title,
            "based_on": content_hash(post.body),
        },
        opens_thread=opens_thread,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = redaction.post_redact(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
                purge_all_revisions=form.cleaned_data["purge_all_revisions"],
                title=form.cleaned_data.get("title") if opens_thread else None,
                based_on=form.cleaned_data["based_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Post #{post.post_number} is redacted; {result.revisions_purged} earlier "
                f"version{'s' if result.revisions_purged != 1 else ''} deleted.",
            )
            if result.posts_still_holding:
                numbers = ", ".join(f"#{p.post_number}" for p in result.posts_still_holding)
                messages.warning(
                    request,
                    f"Other posts in this thread still contain words you took out "
                    f"(perhaps by quoting): {numbers}. Redact them too if needed.",
                )
            return redirect(_post_page(post))
    return render(
        request,
        "forum/moderation/post_form.html",
        {"form": form, "post": post, "redacting": True, "next": _next(request)},
        status=400 if form.errors else 200,
    )


# --- Images -----------------------------------------------------------------------------------


def _moderated_attachment(request: HttpRequest, pk: int, **only) -> PostAttachment:
    attachment = get_object_or_404(
        PostAttachment.objects.select_related("post__thread__category"), pk=pk, **only
    )
    if not access.is_category_moderator(request.user, attachment.post.thread.category):
        raise PermissionDenied
    return attachment


def _moderated_image(request: HttpRequest, pk: int) -> PostAttachment:
    return _moderated_attachment(request, pk, is_image=True)


@require_GET
def image(request: HttpRequest, pk: int) -> HttpResponse:
    """A waiting image, for the moderator deciding on it (never cached)."""
    attachment = _moderated_image(request, pk)
    if attachment.approval in FILE_DELETED:
        raise Http404  # its file was deleted
    if not attachment.file or not attachment.metadata_stripped:
        raise Http404  # still carries its metadata (location), until the task strips it
    try:
        response = protected_file_response(
            request,
            attachment.file,
            filename=safe_filename(attachment.original_filename, extension=attachment.extension),
            content_type=attachment.content_type,
            as_attachment=False,
        )
    except FileNotFoundError:
        raise Http404("The image is not available.") from None
    response["Cache-Control"] = "private, no-store"
    return response


def _image_action(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    attachment = _moderated_image(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        operation(actor=request.user, attachment=attachment, reason=reason)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The image is {done}.")
    return _back(request, _post_page(attachment.post))


@require_POST
def image_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, actions.attachment_approve, "approved")


@require_POST
def image_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, actions.attachment_reject, "rejected and deleted")


# --- Any attached file -------------------------------------------------------------------------


@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take down one file (a document, or an image readers see), the post left up."""
    attachment = _moderated_attachment(request, pk)
    post = attachment.post
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError(form.errors["reason"]))
        return _back(request, _post_page(post))
    try:
        attachments.attachment_remove(
            actor=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        # Not by its name: the name goes with the file, as it may identify a child.
        what = "image" if attachment.is_image else f"file ({attachment.kind})"
        messages.success(
            request,
            f"The {what} is removed from post #{post.post_number}: it is deleted, with its name.",
        )
    return _back(request, _post_page(post))
