"""A reply in a short thread, its writer and a member who reports it: the cast of the tests
of what the moderators' decisions tell people (first decisions and reversals). A test
module takes the fixtures by naming them (`writer = reported.writer`)."""

import pytest
from django.core import mail

from forum.models import ReportReason, ReviewItem
from forum.services import reports
from tests.forum.factories import member_of_type, thread_with_posts


@pytest.fixture
def writer():
    return member_of_type(name="Femi Adebayo", email="femi@example.org")


@pytest.fixture
def reporter():
    return member_of_type(name="Grace Lewis", email="grace@example.org")


@pytest.fixture
def reply(writer):
    post = thread_with_posts(posts=2, title="Winter rotas").posts.get(post_number=2)
    post.author = writer
    post.save(update_fields=["author"])
    return post


def mail_to(person) -> list:
    return [message for message in mail.outbox if person.email in message.to]


def report_open(post, reporter, reason=ReportReason.ABUSIVE) -> ReviewItem:
    """Report the post; the open queue item it is in."""
    reports.report_create(reporter=reporter, post=post, reason=reason)
    return ReviewItem.objects.open().get(post=post)
