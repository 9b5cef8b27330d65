"""Pages go to browsers gzip-compressed, padded against BREACH; files go as they are."""

import gzip

import pytest
from django.urls import reverse

from members.access import AccessLevel
from tests.practice_library.factories import ResourceFactory, attach

pytestmark = pytest.mark.django_db

BROWSER = {"accept-encoding": "gzip, deflate, br, zstd"}


def test_a_page_goes_compressed_to_a_browser_that_accepts_gzip(client, member):
    client.force_login(member)

    response = client.get(reverse("about"), headers=BROWSER)

    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    assert page.rstrip().endswith("</html>")
    assert "<h1" in page
    assert int(response["Content-Length"]) == len(response.content) < len(page.encode())
    assert "Accept-Encoding" in response["Vary"]


def test_a_page_goes_as_it_is_to_a_client_that_does_not_accept_gzip(client, member):
    client.force_login(member)

    response = client.get(reverse("about"))

    assert "Content-Encoding" not in response
    assert response.content.decode().rstrip().endswith("</html>")
    assert "Accept-Encoding" in response["Vary"]


def test_the_kept_visitors_home_page_goes_as_it_is_kept(client):
    client.get(reverse("home"))  # renders and keeps the page
    client.cookies.clear()

    kept = client.get(reverse("home"), headers=BROWSER)

    # Served for a fraction of a millisecond; compressing its 5 kB would cost a quarter
    # of that again.
    assert "Content-Encoding" not in kept
    assert kept.content.decode().rstrip().endswith("</html>")


def test_the_visitors_home_page_is_compressed_when_it_is_rendered(client):
    response = client.get(reverse("home"), headers=BROWSER)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).decode().rstrip().endswith("</html>")


def test_a_compressed_page_carries_random_padding_against_breach(client, member):
    client.force_login(member)

    response = client.get(reverse("about"), headers=BROWSER)

    # Django writes random bytes as the gzip member's file name (FNAME, flag 8), so the
    # length of a response says nothing of how well a guessed secret compressed.
    assert response.content[:3] == b"\x1f\x8b\x08"
    assert response.content[3] & gzip.FNAME


def test_a_downloaded_text_file_keeps_its_bytes_and_length(client, member):
    resource = ResourceFactory(title="Placement data", access_level=AccessLevel.MEMBERS)
    csv = b"home,region,beds\n" + b"Willow House,North West,4\n" * 200
    attachment = attach(resource, name="placements.csv", content=csv)
    client.force_login(member)

    response = client.get(
        reverse(
            "practice_library:download",
            kwargs={"slug": resource.slug, "attachment_id": attachment.pk},
        ),
        headers=BROWSER,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Content-Encoding" not in response
    sent = b"".join(response.streaming_content) if response.streaming else response.content
    assert sent == csv
    assert int(response["Content-Length"]) == len(csv)


def test_a_short_answer_is_not_compressed(client):
    response = client.get("/healthz", headers=BROWSER)

    assert "Content-Encoding" not in response
    assert response.json() == {"status": "ok"}
