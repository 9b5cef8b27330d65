import email

from network.mail import build_email
from network.markup import markdown_to_text, render_markdown


def test_markdown_raw_html_is_shown_as_text_not_run():
    html = render_markdown("<script>alert(1)</script> hello")

    assert "<script>" not in html
    assert "hello" in html


def test_markdown_links_in_user_content_are_marked_ugc_and_nofollow():
    html = render_markdown("[guide](https://example.org/guide)")

    assert 'href="https://example.org/guide"' in html
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_markdown_drops_javascript_and_data_links():
    html = render_markdown("[x](javascript:alert(1)) [y](data:text/html,hi)")

    assert "<a" not in html


def test_markdown_keeps_mailto_links_and_tables():
    html = render_markdown("[mail](mailto:team@example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |")

    assert 'href="mailto:team@example.org"' in html
    assert "<table>" in html


def test_markdown_never_keeps_style_or_event_attributes():
    html = render_markdown('<p style="color:red" onclick="x()">hi</p>')

    assert "<p style" not in html
    assert "&lt;p style" in html  # shown as text, never as markup


def test_markdown_image_becomes_a_link_named_by_its_alt_text():
    html = render_markdown("![Floor plan of the lounge](https://example.org/plan.png)")

    assert "<img" not in html
    assert '<a href="https://example.org/plan.png"' in html
    assert ">Image: Floor plan of the lounge</a>" in html


def test_markdown_image_inside_a_link_keeps_only_its_alt_text():
    html = render_markdown("[![Our report](https://example.org/cover.png)](https://example.org/r)")

    assert html.count("<a ") == 1
    assert ">Our report</a>" in html


def test_markdown_image_from_a_data_address_keeps_its_alt_text_without_a_link():
    html = render_markdown("![Rota for March](data:image/png;base64,AAAA)")

    assert "<a" not in html
    assert "Rota for March" in html


def test_markdown_to_text_strips_every_tag():
    assert markdown_to_text("**Staying Close** and [more](https://example.org)") == (
        "Staying Close and more"
    )


def test_markdown_to_text_gives_characters_not_html_entities():
    # "&amp;" here would be indexed for search as the word "amp".
    assert markdown_to_text('Ofsted & the DfE: "5 > 3" <b>') == 'Ofsted & the DfE: "5 > 3" <b>'


def test_emails_are_multipart_with_plain_text_and_inlined_html(db):
    from network.models import ContactMessage

    contact_message = ContactMessage(
        name="Jo", email="jo@example.org", subject="Hello", message="A question"
    )
    message = build_email(
        template="emails/contact_message",
        context={"contact_message": contact_message},
        subject="Contact form: Hello",
        to=["team@example.org"],
    )

    parsed = email.message_from_bytes(message.message().as_bytes())
    assert parsed.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in parsed.get_payload()}
    assert "A question" in parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "<style" not in html
    assert 'style="' in html


def test_an_email_s_html_part_is_titled_with_its_subject(db):
    from network.models import ContactMessage

    contact_message = ContactMessage(
        name="Jo", email="jo@example.org", subject="Hello", message="A question"
    )
    message = build_email(
        template="emails/contact_message",
        context={"contact_message": contact_message},
        subject="Contact form:\nHello",
        to=["team@example.org"],
    )

    assert "<title>Contact form: Hello</title>" in message.alternatives[0][0]
