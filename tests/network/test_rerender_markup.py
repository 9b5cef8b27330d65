import io

from django.core.management import call_command

from events.models import Event
from forum.models import Post
from network.markup import MARKUP_RENDERER_VERSION
from network.services import STORED_MARKUP, markup_rerender
from practice_library.models import Resource
from sector_data.models import DataPage
from tests.events.factories import EventFactory
from tests.forum.factories import PostFactory
from tests.practice_library.factories import ResourceFactory
from tests.sector_data.factories import DataPageFactory

IMAGE = "![Rota for March](https://example.org/rota.png)"
FORUM_POSTS = next(stored for stored in STORED_MARKUP if stored.model == "forum.Post")


def test_rerender_renders_posts_kept_by_an_older_renderer(db):
    post = PostFactory(body=IMAGE, body_html="", renderer_version=MARKUP_RENDERER_VERSION - 1)

    assert markup_rerender(FORUM_POSTS) == 1

    post.refresh_from_db()
    assert ">Image: Rota for March</a>" in post.body_html
    assert 'rel="nofollow ugc' in post.body_html  # still marked as members' writing
    assert post.renderer_version == MARKUP_RENDERER_VERSION


def test_rerender_leaves_posts_rendered_by_the_current_renderer(db):
    post = PostFactory(
        body=IMAGE, body_html="<p>kept</p>", renderer_version=MARKUP_RENDERER_VERSION
    )

    assert markup_rerender(FORUM_POSTS) == 0

    post.refresh_from_db()
    assert post.body_html == "<p>kept</p>"


def test_rerender_goes_on_past_its_first_batch(db):
    posts = PostFactory.create_batch(3, body=IMAGE, body_html="", renderer_version=0)

    assert markup_rerender(FORUM_POSTS, batch_size=2) == 3

    assert all(
        "Rota for March" in html
        for html in Post.objects.filter(pk__in=[p.pk for p in posts]).values_list(
            "body_html", flat=True
        )
    )


def test_rerender_markup_command_covers_resources_data_pages_and_events(db):
    resource = ResourceFactory(body=IMAGE)
    page = DataPageFactory(commentary=IMAGE)
    event = EventFactory(description=IMAGE)
    Resource.objects.filter(pk=resource.pk).update(body_html="", body_renderer_version=0)
    DataPage.objects.filter(pk=page.pk).update(commentary_html="", commentary_renderer_version=0)
    Event.objects.filter(pk=event.pk).update(description_html="", description_renderer_version=0)

    call_command("rerender_markup", stdout=io.StringIO())

    for row, html in (
        (resource, "body_html"),
        (page, "commentary_html"),
        (event, "description_html"),
    ):
        row.refresh_from_db()
        assert ">Image: Rota for March</a>" in getattr(row, html)
        assert 'rel="noopener noreferrer"' in getattr(row, html)  # the editors' own links


def test_an_edited_event_records_the_renderer_that_rendered_it(db):
    event = EventFactory()

    assert event.description_renderer_version == MARKUP_RENDERER_VERSION
