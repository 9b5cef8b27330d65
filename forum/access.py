"""The forum's access policy: who may read and post in which category, moderate it, and
see, edit, delete, report or react to which post. Views, templates, tasks and the
forum's services ask these functions; nothing else reads a category's audience fields
to decide access. Who is a member, of which type, and who moderates the whole forum
come from members/access.py.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from forum.models import Category, Post, PostState, Report, Suspension, ThreadState
from members.access import (
    MODERATORS_GROUP,
    colleague_organisation,
    is_lapsed,
    is_moderator,
    is_staff,
    member_type,
    members_now_q,
)
from members.models import MemberType

# Categories carry their audience (`<type>_may_read`, `<type>_may_post`,
# `registered_may_read`); posts their `state`.
#
#   anonymous            reads nothing (the forum needs signing in)
#   registered, lapsed   read categories open to registered non-members; never post
#   member               reads and posts where their member type is allowed
#   category moderator   reads and posts in their categories (Category.moderators)
#   moderator, staff     read and post everywhere; moderators moderate everywhere
# A member suspended from the forum (forum.Suspension in force) reads but cannot post;
# a suspended moderator does not moderate, and reads only what their membership opens.

_FORUM_READ_FIELD = {
    MemberType.PROVIDER: "providers_may_read",
    MemberType.COMMISSIONER: "commissioners_may_read",
    MemberType.POLICY: "policy_may_read",
}
_FORUM_POST_FIELD = {
    MemberType.PROVIDER: "providers_may_post",
    MemberType.COMMISSIONER: "commissioners_may_post",
    MemberType.POLICY: "policy_may_post",
}


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _moderates_everything(user) -> bool:
    return _whole_forum_moderator(user) or is_staff(user)


def _whole_forum_moderator(user) -> bool:
    # A moderator suspended (by staff) is suspended from moderating too: the queue, the
    # tools and what only moderators read close until the suspension ends.
    return is_moderator(user) and not is_suspended_from_forum(user)


def _moderated_category_ids(user) -> frozenset[int]:
    """Categories this person moderates by name (Category.moderators), once per request."""
    cached = getattr(user, "_access_forum_moderated", None)
    if cached is None:
        through = Category.moderators.through
        cached = frozenset(through.objects.filter(user=user).values_list("category_id", flat=True))
        user._access_forum_moderated = cached
    return cached


def is_category_moderator(user, category) -> bool:
    """May `user` moderate posts and threads in `category`?"""
    if not _signed_in(user):
        return False
    if _whole_forum_moderator(user):
        return True
    return category.pk in _moderated_category_ids(user) and not is_suspended_from_forum(user)


def is_forum_moderator(user) -> bool:
    """Does `user` moderate at least one category (the review queue opens for them)?"""
    if not _signed_in(user):
        return False
    if _whole_forum_moderator(user):
        return True
    return bool(_moderated_category_ids(user)) and not is_suspended_from_forum(user)


def forget_forum(user) -> None:
    """Drop what this request has worked out about `user`'s forum roles and suspension."""
    for attribute in ("_access_forum_moderated", "_access_forum_suspended"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def is_suspended_from_forum(user) -> bool:
    """Is a forum suspension in force for `user` now?"""
    if not _signed_in(user):
        return False
    cached = getattr(user, "_access_forum_suspended", None)
    if cached is None:
        cached = Suspension.objects.in_force().filter(member=user).exists()
        user._access_forum_suspended = cached
    return cached


def forum_suspension(user):
    """The suspension in force for `user` (to show its reason and end), or None."""
    if not _signed_in(user):
        return None
    return Suspension.objects.in_force().filter(member=user).order_by("-until").first()


def can_read_category(user, category) -> bool:
    if not _signed_in(user):
        return False
    if _moderates_everything(user):
        return True
    current_type = member_type(user)
    if current_type is not None and getattr(category, _FORUM_READ_FIELD[current_type], False):
        return True
    if current_type is None and category.registered_may_read:
        return True
    return category.pk in _moderated_category_ids(user)


def can_post_in_category(user, category) -> bool:
    """May `user` start threads and reply in `category` (locks aside: see can_reply)?"""
    if not _signed_in(user) or is_suspended_from_forum(user):
        return False
    if _moderates_everything(user) or category.pk in _moderated_category_ids(user):
        return True
    current_type = member_type(user)
    if current_type is None:
        return False
    return bool(getattr(category, _FORUM_POST_FIELD[current_type], False))


class PostRefusal(models.TextChoices):
    """Why someone who may read a page of the forum may not post on it; each page that
    refuses says which, with the next step (forum/includes/refusal.html)."""

    NOT_MEMBER = "not_member", "Only members post in the forum"
    LAPSED = "lapsed", "Your membership has ended"
    NO_SEAT = "no_seat", "Your organisation has no seat for you"
    OTHER_TYPE = "other_type", "This category is for other member types"
    SUSPENDED = "suspended", "You are suspended from posting"
    LOCKED = "locked", "This thread is locked"


def _person_refusal(user) -> PostRefusal | None:
    """What stops `user` posting anywhere at all, or None if something might let them."""
    if is_suspended_from_forum(user):
        return PostRefusal.SUSPENDED
    if _moderates_everything(user) or member_type(user) is not None:
        return None
    return None if _moderated_category_ids(user) else _without_membership(user)


def _without_membership(user) -> PostRefusal:
    """What would let in a signed-in person who holds no membership: a seat at their
    organisation, which is a member (NO_SEAT), renewing (LAPSED), or joining."""
    if colleague_organisation(user) is not None:
        return PostRefusal.NO_SEAT
    if is_lapsed(user):
        return PostRefusal.LAPSED
    return PostRefusal.NOT_MEMBER


def forum_refusal(user) -> PostRefusal | None:
    """Why `user` may post nowhere in the forum (the index says so), or None."""
    if not _signed_in(user):
        return PostRefusal.NOT_MEMBER
    return _person_refusal(user)


def post_refusal(user, category) -> PostRefusal | None:
    """Why `user` may not start threads in `category`, or None when they may."""
    if can_post_in_category(user, category):
        return None
    if not _signed_in(user):
        return PostRefusal.NOT_MEMBER
    return _person_refusal(user) or PostRefusal.OTHER_TYPE


def reply_refusal(user, thread) -> PostRefusal | None:
    """Why `user` may not reply to `thread` (which they can read), or None when they may."""
    refusal = post_refusal(user, thread.category)
    if refusal is not None:
        return refusal
    if thread.is_locked and not is_category_moderator(user, thread.category):
        return PostRefusal.LOCKED
    return None


def reading_refusal(user, thread) -> PostRefusal | None:
    """Why signed-in `user` may not read `thread`, when joining, renewing or taking an
    organisation's seat would open it (NOT_MEMBER, LAPSED, NO_SEAT): a link to it in an
    old notification or a forwarded digest then says what to do, not that the page is
    missing. None where they may read it, and where it is nothing of theirs to know
    about (a thread held or hidden, a room for some member types or for moderators
    only): that page answers 404, as for a thread that does not exist."""
    if not _signed_in(user) or thread.state != ThreadState.VISIBLE:
        return None
    category = thread.category
    if can_read_category(user, category):
        return None
    # A room every member type reads: any membership opens it, so whoever is refused
    # here holds none.
    if not all(getattr(category, field) for field in _FORUM_READ_FIELD.values()):
        return None
    return _without_membership(user)


def readable_categories_q(user, *, prefix: str = "") -> Q:
    """A Q for the categories `user` may read; `prefix="category__"` filters threads,
    `prefix="thread__category__"` posts. Listings, search and digests all use it."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if _moderates_everything(user):
        return Q()
    current_type = member_type(user)
    if current_type is not None:
        allowed = Q(**{f"{prefix}{_FORUM_READ_FIELD[current_type]}": True})
    else:
        allowed = Q(**{f"{prefix}registered_may_read": True})
    moderated = _moderated_category_ids(user)
    if moderated:
        allowed |= Q(**{f"{prefix}pk__in": sorted(moderated)})
    return allowed


def readable_categories(user):
    """The categories `user` may read, in their order."""
    return Category.objects.filter(readable_categories_q(user))


def can_read_thread(user, thread) -> bool:
    """Threads held for review or hidden are for their author (held) and moderators."""
    if not can_read_category(user, thread.category):
        return False
    if thread.state == ThreadState.VISIBLE:
        return True
    if is_category_moderator(user, thread.category):
        return True
    return thread.state == ThreadState.HELD and thread.author_id == user.pk


def can_reply(user, thread) -> bool:
    if not can_post_in_category(user, thread.category) or not can_read_thread(user, thread):
        return False
    if thread.merged_into_id is not None:
        return False
    return not thread.is_locked or is_category_moderator(user, thread.category)


class PostPermissions:
    """What `user` may do with posts of one category: see the body, edit, delete,
    report, react. The rules are written once, here; can_see_post_body() and its
    siblings below ask this class about a single post, and a thread page builds one for
    its twenty posts, so that what depends only on the person and the category (a
    moderator? allowed to post there? suspended?) is worked out once, when first
    needed, rather than once per post and question."""

    def __init__(self, user, category=None, *, post=None, now: datetime | None = None):
        """`category`, or `post` to take it from (post.thread.category, read only if a
        rule needs it: a visible post's body needs no category)."""
        self.user = user
        self._category = category
        self._post = post
        self._now = now

    @cached_property
    def category(self):
        return self._category if self._category is not None else self._post.thread.category

    @cached_property
    def signed_in(self) -> bool:
        return _signed_in(self.user)

    @cached_property
    def user_pk(self):
        return getattr(self.user, "pk", None)

    @cached_property
    def moderator(self) -> bool:
        return is_category_moderator(self.user, self.category)

    @cached_property
    def may_post(self) -> bool:
        return can_post_in_category(self.user, self.category)

    @cached_property
    def suspended(self) -> bool:
        return is_suspended_from_forum(self.user)

    @cached_property
    def now(self) -> datetime:
        return self._now or timezone.now()

    def see_body(self, post) -> bool:
        """Visible posts to every reader; held ones to their author and moderators;
        hidden ones to moderators; removed ones to nobody (the thread shows "removed")."""
        if post.state == PostState.VISIBLE:
            return True
        if post.state == PostState.REMOVED:
            return False
        if self.moderator:
            return True
        return post.state == PostState.HELD and post.author_id == self.user_pk

    def edit(self, post) -> bool:
        """Authors edit their own posts for FORUM_EDIT_WINDOW_MINUTES while they may post
        there, until a moderator edits or hides it; moderators edit any in their categories."""
        if self.moderator:
            return post.state != PostState.REMOVED
        if not self.signed_in or post.author_id != self.user_pk:
            return False
        if post.state in (PostState.REMOVED, PostState.HIDDEN) or not self.may_post:
            return False
        if post.edit_reason or post.edited_by_id not in (None, post.author_id):
            # A moderator edited it (took out a child's name, say): an edit of the
            # author's could put back what they took out. Deleting it stays open.
            return False
        return self.now - post.created_at <= timedelta(minutes=settings.FORUM_EDIT_WINDOW_MINUTES)

    def delete(self, post) -> bool:
        """Authors remove their own posts (it leaves "removed" in the thread)."""
        if not self.signed_in or post.author_id != self.user_pk:
            return False
        return post.state in (PostState.VISIBLE, PostState.HELD) and not self.suspended

    def report(self, post) -> bool:
        """Anyone signed in who can read a visible post may report it, not their own.

        Safety first: a registered reader of an open category too, and a suspended
        member, who still reads the forum and may be the one to see a child named. Their
        reports reach the moderators but never hide a post (reports.report_create)."""
        if not self.signed_in or post.state != PostState.VISIBLE:
            return False
        return post.author_id != self.user_pk

    def react(self, post) -> bool:
        return (
            self.signed_in
            and post.state == PostState.VISIBLE
            and post.author_id != self.user_pk
            and self.may_post
        )


def can_see_post_body(user, post, *, category=None) -> bool:
    return PostPermissions(user, category, post=post).see_body(post)


def can_edit_post(user, post, *, now: datetime | None = None) -> bool:
    return PostPermissions(user, post=post, now=now).edit(post)


def can_delete_post(user, post) -> bool:
    return PostPermissions(user, post=post).delete(post)


def can_report_post(user, post) -> bool:
    return PostPermissions(user, post=post).report(post)


def can_react(user, post) -> bool:
    return PostPermissions(user, post=post).react(post)


def member_types_reading(category) -> frozenset[str]:
    """The member types whose members may read `category`."""
    return frozenset(
        type_ for type_, field_name in _FORUM_READ_FIELD.items() if getattr(category, field_name)
    )


def is_kept_to_some_member_types(category) -> bool:
    """Is `category` closed to members of some type? Its name and its threads' titles are
    then for its readers alone (the room's page answers others 404, not 403)."""
    return member_types_reading(category) != frozenset(_FORUM_READ_FIELD)


def category_readers_q(category) -> Q:
    """A Q on User: everyone who may read `category` now (mirrors can_read_category), so
    that notifications and emails reach only people who may read what they point to."""
    group_members = get_user_model().groups.through.objects.filter(group__name=MODERATORS_GROUP)
    named = category.moderators.through.objects.filter(category=category).values("user")
    suspended = Suspension.objects.in_force().values("member")
    readers = Q(is_staff=True) | Q(is_superuser=True) | Q(pk__in=named)
    readers |= Q(pk__in=group_members.values("user")) & ~Q(pk__in=suspended)
    for type_, field_name in _FORUM_READ_FIELD.items():
        if getattr(category, field_name):
            readers |= members_now_q(member_type=type_)
    if category.registered_may_read:
        # Everyone signed in who is not a member reads it; members by their type above.
        readers |= ~members_now_q()
    return Q(is_active=True) & readers


def moderated_categories_q(user, *, prefix: str = "") -> Q:
    """A Q for the categories `user` moderates; `prefix="post__thread__category__"`
    filters the review queue, `prefix="category__"` threads."""
    if not _signed_in(user) or is_suspended_from_forum(user):
        return Q(pk__in=[])
    if is_moderator(user):
        return Q()
    return Q(**{f"{prefix}pk__in": sorted(_moderated_category_ids(user))})


def can_suspend_from_forum(user) -> bool:
    """Suspending a member stops them posting anywhere, so only moderators of the whole
    forum may (not people who moderate a category or two)."""
    return _whole_forum_moderator(user)


def can_open_suspensions_of(actor, member) -> bool:
    """May `actor` open `member`'s suspensions page (their name, their record, the form)?

    Staff may for anyone. A moderator may for the people the forum has shown them: who
    has posted, reported or been suspended. Not any account by its number: most
    people who sign up never write in the forum, and their names are not the
    moderators' business."""
    if not can_suspend_from_forum(actor):
        return False
    if is_staff(actor):
        return True
    return (
        Post.objects.filter(author=member).exists()
        or Report.objects.filter(reporter=member).exists()
        or Suspension.objects.filter(member=member).exists()
    )


def can_suspend_member(actor, member) -> bool:
    """May `actor` suspend `member`? Moderators (of a category or more, suspended or not)
    and staff are suspended by staff only: a moderator cannot silence another, or the
    staff who oversee the moderators."""
    if not can_suspend_from_forum(actor):
        return False
    if is_staff(member) or is_moderator(member) or _moderated_category_ids(member):
        return is_staff(actor)
    return True
