"""The forum's writing pages: starting a thread, replying, editing and deleting a post
(marking it helpful, bookmarking and reporting it: forum/post_action_views.py). Refused
writing (ValidationError) is shown with the form, keeping what was typed."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forum import access, forms, notices, screening
from forum.models import (
    AttachmentApproval,
    Category,
    HoldReason,
    Post,
    PostState,
    ThreadState,
    content_hash,
)
from forum.moderation import actions
from forum.quotes import FORMER_MEMBER
from forum.services import attachments, posting
from forum.views import (
    _category_or_404,
    _post_or_404,
    _refusal_context,
    _thread_or_404,
)
from network.forms import written_back

# --- Writing ------------------------------------------------------------------------------


# Which field a refusal from forum/services/posting.py is about, by its code, so that the
# message stands by that field (and is tied to it for screen readers), not only at the top.
FIELD_OF_REFUSAL = {
    "empty": "body",
    "too_long": "body",
    "blocked": "body",
    "title": "title",
    "title_long": "title",
    "confirm": "confirm_child_safety",
    "too_many": "attachments",
    "attachment": "attachments",
    "kept_gone": "attachments",
}


def _form_errors_from(form, error: ValidationError) -> None:
    for item in error.error_list:
        field = FIELD_OF_REFUSAL.get(item.code)
        form.add_error(field if field in form.fields else None, item)


def _keep_attachments(request: HttpRequest, form) -> attachments.Kept:
    """Keep the files just chosen as the member's own (attachments.drafts_keep) before
    anything else is decided, so that a preview or a refusal lists them under the file
    input instead of asking for them again, and the post takes them once written."""
    data = form.cleaned_data
    remove = request.POST.get("remove_attachment", "")
    kept = attachments.drafts_keep(
        owner=request.user,
        files=data.get("attachments") or [],
        kept_ids=data.get("kept_attachments") or [],
        remove=int(remove) if remove.isdigit() else None,
    )
    for error in kept.errors:
        form.add_error("attachments", error)
    form.keep(kept.files)
    return kept


def _without_errors(form, make_form):
    """The form again as the member left it, with its kept files and no errors: taking a
    file off is not sending the post, and must not tell them what is missing."""
    fields = ["title", "body", "submission_key", "confirm_child_safety"]
    again = make_form(initial={name: form.data.get(name) for name in fields if name in form.data})
    again.keep(form.kept)
    return again


def _preview_or_write(
    request: HttpRequest, form, write, make_form
) -> tuple[HttpResponse | None, str, forms.PostForm]:
    """For a posted thread or reply form: (the redirect once the post is written, or None
    to show the form again; the preview's HTML; the form to show). `write(body=...,
    kept_attachments=..., submission_key=..., confirmed_child_safety=...)` writes the
    post through a service. The files chosen are kept first, whatever follows; a Remove
    button takes one off and shows the form again. A repeated submission (a double
    click) lands on the post already written; a refusal becomes the form's errors, with
    what was typed and the files chosen kept."""
    form.is_valid()
    kept = _keep_attachments(request, form)
    if "remove_attachment" in request.POST:
        if kept.removed:
            messages.info(request, f"“{kept.removed}” is no longer attached.")
        return None, "", _without_errors(form, make_form)
    if form.errors:
        return None, "", form
    data = form.cleaned_data
    if "preview" in request.POST:
        try:
            return None, posting.post_preview(body=data["body"], title=data.get("title")), form
        except ValidationError as error:
            _form_errors_from(form, error)
            return None, "", form
    try:
        post = write(
            body=data["body"],
            kept_attachments=[item.pk for item in form.kept],
            submission_key=data.get("submission_key"),
            confirmed_child_safety=data.get("confirm_child_safety", False),
        )
    except posting.DuplicateSubmission as duplicate:
        # The first submission took its own copies of the files.
        attachments.drafts_discard(owner=request.user, ids=[item.pk for item in kept.added])
        return redirect(duplicate.post.get_absolute_url()), "", form
    except ValidationError as error:
        _form_errors_from(form, error)
        form.keep(attachments.drafts_of(owner=request.user, ids=[i.pk for i in form.kept]))
        return None, "", form
    _posted_message(request, post)
    return redirect(post.get_absolute_url()), "", form


def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    if not access.can_post_in_category(request.user, category):
        return _cannot_post(request, category)
    ask = posting.needs_child_safety_confirmation(request.user)
    preview = ""
    if request.method == "POST":
        form = forms.ThreadForm(request.POST, request.FILES, ask_confirmation=ask)
        written, preview, form = _preview_or_write(
            request,
            form,
            lambda **post: posting.thread_create(
                author=request.user, category=category, title=form.cleaned_data["title"], **post
            ),
            lambda **kwargs: forms.ThreadForm(ask_confirmation=ask, **kwargs),
        )
        if written is not None:
            return written
    else:
        form = forms.ThreadForm(ask_confirmation=ask)
    return render(
        request,
        "forum/thread_form.html",
        {"category": category, "form": form, "preview": preview},
        status=200 if not form.errors else 400,
    )


def _why_held(post: Post) -> str:
    """In plain words, why a post held for quoting waits: what became of what it quotes."""
    states = {
        ThreadState.HIDDEN if quoted.thread.state == ThreadState.HIDDEN else quoted.state
        for quoted in screening.quoted_posts_not_shown(
            post.body, thread_id=post.thread_id, exclude_pk=post.pk
        )
    }
    if PostState.HIDDEN in states or ThreadState.HIDDEN in states:
        return "it quotes a post the moderators hid"
    if PostState.HELD in states:
        return "it quotes a post that is still waiting for a moderator"
    if PostState.REMOVED in states:
        return "it quotes a post its author removed"
    return "it quotes a post that is no longer shown on the forum"


def _posted_message(request: HttpRequest, post: Post) -> None:
    if post.state == PostState.HELD and post.hold_reason == HoldReason.QUOTES_NOT_SHOWN:
        level, text = (
            messages.INFO,
            f"Your post is saved and waits for a moderator, because {_why_held(post)}. "
            "Only you can see it until a moderator has read it.",
        )
    elif post.state == PostState.HELD:
        level, text = (
            messages.INFO,
            "Thank you. Your post is awaiting review by a moderator; only you can see it "
            "until then.",
        )
    elif post.attachments.filter(approval=AttachmentApproval.PENDING).exists():
        level, text = (
            messages.SUCCESS,
            "Posted. Your images will appear once a moderator has approved them.",
        )
    else:
        level, text = messages.SUCCESS, "Posted."
    notices.post_notice(request, level, text, post)


def _cannot_post(request: HttpRequest, category: Category) -> HttpResponse:
    refusal = access.post_refusal(request.user, category)
    return render(
        request,
        "forum/cannot_post.html",
        {
            "category": category,
            "written": written_back(request),
            **_refusal_context(request.user, refusal),
        },
        status=403,
    )


def _cannot_edit(request: HttpRequest, post: Post) -> HttpResponse:
    """Someone else's post: a bare 403. The author's own: why not (the edit window has
    passed, they may no longer post there, the post is removed) and what was typed, so
    an edit sent a minute too late loses nothing."""
    user = request.user
    if post.author_id != user.pk:
        raise PermissionDenied("You cannot edit this post.")
    refusal = access.post_refusal(user, post.thread.category)
    return render(
        request,
        "forum/cannot_edit.html",
        {
            "post": post,
            "thread": post.thread,
            "edit_window_minutes": settings.FORUM_EDIT_WINDOW_MINUTES,
            "written": written_back(request),
            **_refusal_context(user, refusal),
        },
        status=403,
    )


def _quote(post: Post) -> str:
    author = post.author.name if post.author else FORMER_MEMBER
    lines = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return (
        f"> **{author}** [wrote](/forum/t/{post.thread_id}/p/{post.post_number}/):\n>\n{lines}\n\n"
    )


def reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    if thread.merged_into_id:
        return redirect(thread.merged_into)
    if not access.can_post_in_category(request.user, thread.category):
        return _cannot_post(request, thread.category)
    ask = posting.needs_child_safety_confirmation(request.user)
    preview = ""
    if request.method == "POST":
        form = forms.PostForm(request.POST, request.FILES, ask_confirmation=ask)
        written, preview, form = _preview_or_write(
            request,
            form,
            lambda **post: posting.post_reply(author=request.user, thread=thread, **post),
            lambda **kwargs: forms.PostForm(ask_confirmation=ask, **kwargs),
        )
        if written is not None:
            return written
    else:
        initial = {}
        quote_number = request.GET.get("quote", "")
        if quote_number.isdigit():
            quoted = (
                Post.objects.filter(
                    thread=thread, post_number=int(quote_number), state=PostState.VISIBLE
                )
                .select_related("author")
                .first()
            )
            if quoted is not None:
                initial["body"] = _quote(quoted)
        form = forms.PostForm(initial=initial, ask_confirmation=ask)
    return render(
        request,
        "forum/reply_form.html",
        {
            "thread": thread,
            "category": thread.category,
            "form": form,
            "preview": preview,
            "locked": thread.is_locked
            and not access.is_category_moderator(request.user, thread.category),
        },
        status=200 if not form.errors else 400,
    )


def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_edit_post(request.user, post):
        return _cannot_edit(request, post)
    is_moderating = post.author_id != request.user.pk
    preview = ""
    if request.method == "POST":
        form = forms.EditForm(request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                try:
                    preview = posting.post_preview(body=form.cleaned_data["body"])
                except ValidationError as error:
                    _form_errors_from(form, error)
            else:
                try:
                    if is_moderating:
                        actions.post_moderator_edit(
                            actor=request.user,
                            post=post,
                            body=form.cleaned_data["body"],
                            reason=form.cleaned_data["reason"],
                            based_on=form.cleaned_data["based_on"],
                        )
                    else:
                        posting.post_edit(
                            editor=request.user,
                            post=post,
                            body=form.cleaned_data["body"],
                            based_on=form.cleaned_data["based_on"],
                        )
                except ValidationError as error:
                    _form_errors_from(form, error)
                else:
                    post.refresh_from_db(fields=["state", "hold_reason"])
                    held_for_quoting = (
                        post.state == PostState.HELD
                        and post.hold_reason == HoldReason.QUOTES_NOT_SHOWN
                    )
                    if held_for_quoting and not is_moderating:
                        level, text = (
                            messages.INFO,
                            f"Saved. Your post waits for a moderator, because {_why_held(post)}. "
                            "Nobody else sees it until a moderator has read it.",
                        )
                    elif post.state == PostState.HELD:
                        level, text = messages.INFO, "Saved. Your post is awaiting review again."
                    else:
                        level, text = messages.SUCCESS, "Your changes are saved."
                    notices.post_notice(request, level, text, post)
                    return redirect(post.get_absolute_url())
    else:
        form = forms.EditForm(initial={"body": post.body, "based_on": content_hash(post.body)})
    if not is_moderating:
        form.fields["reason"].widget = form.fields["reason"].hidden_widget()
    return render(
        request,
        "forum/edit_form.html",
        {
            "post": post,
            "thread": post.thread,
            "form": form,
            "preview": preview,
            "is_moderating": is_moderating,
        },
        status=200 if not form.errors else 400,
    )


@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_delete_post(request.user, post):
        raise PermissionDenied("You cannot delete this post.")
    posting.post_remove(user=request.user, post=post)
    messages.success(request, "Your post is removed. The thread shows that a post was removed.")
    return redirect(post.get_absolute_url())
