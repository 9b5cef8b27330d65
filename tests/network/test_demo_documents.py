"""The demo's Markdown files and the real documents written from them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from network.demo_documents import demo_text, docx_bytes, pdf_bytes, slides_pdf_bytes
from network.files import attachment_file_check, extract_text

TEXT = """# Using this checklist

Work through it with your **deputy**.

- Records show decisions
- Staff talk about their practice

| Question | Evidence |
|---|---|
| Is the statement of purpose current? | Reviewed this year |
"""


def test_a_demo_file_has_front_matter_a_body_and_the_text_of_each_attachment(tmp_path):
    path = tmp_path / "07-a-guide.md"
    path.write_text(
        "---\ntitle: A guide\ntopics: safeguarding, education\n---\nThe body.\n\n"
        "<!-- file: checklist.pdf | The checklist -->\n# Heading\n\nFile text.\n",
        encoding="utf-8",
    )

    text = demo_text(path)

    assert (text.slug, text.meta["title"], text.body) == ("a-guide", "A guide", "The body.\n")
    assert text.values("topics") == ["safeguarding", "education"]
    assert [(f.name, f.title, f.text) for f in text.files] == [
        ("checklist.pdf", "The checklist", "# Heading\n\nFile text.")
    ]


def test_demo_documents_pass_the_upload_checks_and_their_text_is_extracted(tmp_path):
    for name, content in [
        ("guide.pdf", pdf_bytes("Inspection readiness checklist", TEXT)),
        ("template.docx", docx_bytes("Inspection readiness checklist", TEXT)),
        ("slides.pdf", slides_pdf_bytes("A webinar", "## Records\n- Records show decisions")),
    ]:
        checked = attachment_file_check(SimpleUploadedFile(name, content))
        assert checked.extension == name.rsplit(".", 1)[1]
        (tmp_path / name).write_bytes(content)
        words = " ".join(extract_text(str(tmp_path / name), extension=checked.extension).split())
        assert "Records show decisions" in words
