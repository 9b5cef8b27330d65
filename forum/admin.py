"""Staff define categories (audiences, pre-moderation, moderators) and the watch list
here, and can look up threads and posts. Text changes go through the site's own edit
page (so revisions and the moderation log are kept), not through the admin, but for a
thread's title, changed here with a reason that the moderation log keeps; nor are
threads and posts deleted here: moderators hide them and authors remove their own on the
forum's pages, which keep the thread's numbering, the counts and the moderation log. Nor
are threads locked, pinned, moved or merged here, for the same reasons."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from forum.models import Category, Post, Thread, ThreadState
from forum.moderation.checks import REASON_MAX_LENGTH, clean_reason
from forum.moderation.threads import thread_retitle
from forum.services.posting import clean_title
from members.accounts import second_step_before_appointment
from members.models import User
from network.admin_labels import LabelledListEditable
from network.admin_lists import LargeTableAdmin, year_filter
from network.text import counted


class CategoryForm(forms.ModelForm):
    """The category's page (the admin gives it its model and fields)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "moderators" in self.fields:
            self.fields["moderators"].help_text += (
                " Each must have turned on two-factor authentication first, from their "
                "account page."
            )

    def clean_moderators(self):
        chosen = self.cleaned_data["moderators"]
        already = (
            set(self.instance.moderators.values_list("pk", flat=True))
            if self.instance.pk
            else set()
        )
        # A room's moderator must have two-factor first, as the Moderators group's do
        # (members/admin/people.py says why).
        second_step_before_appointment(
            [person for person in chosen if person.pk not in already],
            role="a moderator of this room",
        )
        return chosen


@admin.register(Category)
class CategoryAdmin(LabelledListEditable, admin.ModelAdmin):
    form = CategoryForm
    # Who may read is one column, naming them: four columns of ticks under headings such
    # as "Policy makers and others may read" pushed the last post out of sight on a
    # 1,280 px screen.
    list_display = [
        "name",
        "order",
        "readers",
        "is_premoderated",
        "thread_count",
        "post_count",
        "last_post_at",
    ]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    # Chosen by name or address as they type: a two-list picker would list every
    # account, tens of thousands of them, on each category's page.
    autocomplete_fields = ["moderators"]
    readonly_fields = ["thread_count", "post_count", "last_post_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "order"]}),
        (
            "Who may read",
            {
                "fields": [
                    "providers_may_read",
                    "commissioners_may_read",
                    "policy_may_read",
                    "registered_may_read",
                ]
            },
        ),
        (
            "Who may post",
            {"fields": ["providers_may_post", "commissioners_may_post", "policy_may_post"]},
        ),
        ("Moderation", {"fields": ["is_premoderated", "moderators"]}),
        ("Counts", {"fields": ["thread_count", "post_count", "last_post_at"]}),
    ]

    @admin.display(description="who may read")
    def readers(self, category: Category) -> str:
        readers = [
            label
            for label, may in [
                ("providers", category.providers_may_read),
                ("commissioners", category.commissioners_may_read),
                ("policy makers and others", category.policy_may_read),
                ("registered non-members", category.registered_may_read),
            ]
            if may
        ]
        return ", ".join(readers).capitalize() if readers else "Moderators only"


class ThreadForm(forms.ModelForm):
    """A thread's title, and why it changes: often to take out what identifies someone,
    so it is a moderation decision like any other, with its reason in the log."""

    title_reason = forms.CharField(
        label="Reason for changing the title",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Needed when you change the title. Moderators see it, with who changed "
        "it and when, in the thread's moderation log; the old title is not kept there.",
    )

    def clean_title(self):
        try:
            return clean_title(self.cleaned_data["title"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        if "title" in self.changed_data and "title" in cleaned:
            try:
                cleaned["title_reason"] = clean_reason(
                    cleaned.get("title_reason", ""),
                    required=True,
                    what="Give a reason for changing the title: moderators see it in "
                    "the thread's moderation log.",
                )
            except ValidationError as error:
                self.add_error("title_reason", error)
        return cleaned


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    # Five columns fit beside the admin's menu and the filters on a 1,280 px screen: the
    # state says whether the thread is pinned or locked (the filters pick those out), and
    # the posts when the last was written (sorted by it, as the threads are at first).
    list_display = ["title", "category", "author", "state_pinned_locked", "posts"]
    list_filter = ["state", "category", "is_pinned", "is_locked"]
    search_fields = ["title"]
    list_select_related = ["category", "author"]
    date_hierarchy = "created_at"
    # Locking, pinning, moving and merging are moderation decisions: the thread's
    # moderation page makes them with a reason, checks who may, keeps the counts and
    # writes the moderation log. Here they are shown, with the way there.
    # The address words (slug) follow the title: edited apart, they could keep what a
    # new title took out.
    form = ThreadForm
    readonly_fields = ["moderation_page", "slug", "category", "author", "state", "is_pinned",
                       "is_locked", "merged_into", "post_count", "last_post_number",
                       "last_post_at", "post_number_counter", "created_at"]  # fmt: skip
    fields = ["title", "title_reason", *readonly_fields]

    @admin.display(description="state", ordering="state")
    def state_pinned_locked(self, thread: Thread) -> str:
        said = [thread.get_state_display()]
        if thread.is_pinned:
            said.append("pinned")
        if thread.is_locked:
            said.append("locked")
        return ", ".join(said)

    @admin.display(description="posts", ordering="last_post_at")
    def posts(self, thread: Thread) -> str:
        last = date_format(timezone.localtime(thread.last_post_at), "j M Y, H:i")
        return format_html("{}<br>last {}", counted(thread.post_count, "post"), last)

    @admin.display(description="Moderation")
    def moderation_page(self, thread: Thread) -> str:
        return format_html(
            '<a href="{}">Lock, pin, move, merge or hide this thread</a> '
            "on its moderation page, which keeps the reason in the moderation log.",
            reverse("forum:moderation_thread", args=[thread.pk]),
        )

    def save_model(self, request, obj, form, change):
        # The title is the one field changed here: through the moderation action, which
        # writes the log (and re-indexes the thread for the forum's search).
        if "title" in form.changed_data:
            thread_retitle(
                actor=request.user,
                thread=obj,
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["title_reason"],
            )
            obj.refresh_from_db(fields=["title", "slug"])

    def has_add_permission(self, request) -> bool:
        # A thread begins with its first post, written on the forum's pages.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _picking_highlights(self, request) -> bool:
        """The threads picker of a newsletter's "Forum highlights" section, asked by
        someone who may change editions: Django's autocomplete asks this admin for view
        permission, which editors (who compose editions) do not have on the forum."""
        match = request.resolver_match
        return (
            match is not None
            and match.url_name == "autocomplete"
            and request.GET.get("app_label") == "newsletter"
            and request.GET.get("model_name") == "section"
            and request.GET.get("field_name") == "threads"
            and request.user.has_perm("newsletter.change_edition")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        if super().has_view_permission(request, obj):
            return True
        return obj is None and self._picking_highlights(request)

    def get_search_results(self, request, queryset, search_term):
        if self._picking_highlights(request) and not super().has_view_permission(request):
            # Only threads every reader of the forum may see listed: no hidden or merged ones.
            queryset = queryset.filter(state=ThreadState.VISIBLE, merged_into__isnull=True)
        return super().get_search_results(request, queryset, search_term)


@admin.register(Post)
class PostAdmin(LargeTableAdmin):
    list_display = ["__str__", "thread", "author", "state", "hold_reason", "created_at"]
    list_filter = [
        "state",
        "hold_reason",
        "thread__category",
        year_filter("created_at", "year written"),
    ]
    list_select_related = ["thread", "author"]
    # Newest first, read from forum_post_newest_idx (the model's own order, by thread,
    # would sort every post).
    ordering = ["-created_at", "-id"]
    search_fields = ["thread__title", "author__email", "author__name"]
    search_help_text = "Words from the thread's title, or the author's name or email address."
    raw_id_fields = ["thread", "author"]
    readonly_fields = ["thread", "post_number", "author", "body", "state", "hold_reason",
                       "created_at", "edited_at", "edit_reason", "helpful_count"]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_search_results(self, request, queryset, search_term):
        """As Django's search (each word in the thread's title or the author's name or
        address), but each word finds its threads and people first, thousands of rows
        rather than millions of posts, and the posts are then found by their thread or
        author, through those columns' indexes. Django's own joins every post to its
        thread and author and tests them all: seconds at 2,000,000 posts."""
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            threads = Thread.objects.filter(title__icontains=bit).order_by().values("pk")
            authors = (
                User.objects.filter(Q(email__icontains=bit) | Q(name__icontains=bit))
                .order_by()
                .values("pk")
            )
            queryset = queryset.filter(
                Q(thread__in=_ids_or_query(threads)) | Q(author__in=_ids_or_query(authors))
            )
        return queryset, False


# Past this many ids the words are common: their posts are found soonest by walking the
# newest first and testing each against the (hashed) subquery; below, by the indexes.
_IDS_AT_MOST = 1_000


def _ids_or_query(rows):
    ids = list(rows.values_list("pk", flat=True)[: _IDS_AT_MOST + 1])
    return rows if len(ids) > _IDS_AT_MOST else ids


# The moderation admin: audit log, suspensions, and the watch list.
from forum.moderation import admin as moderation_admin  # noqa: E402, F401
