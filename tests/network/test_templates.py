"""The templates themselves."""

from pathlib import Path

from django.conf import settings
from django.template.utils import get_app_template_dirs


def _our_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
        Path(d) for d in get_app_template_dirs("templates") if Path(d).is_relative_to(base)
    ]
    return sorted(
        path
        for directory in dirs
        if ".venv" not in directory.parts
        for path in directory.rglob("*")
        if path.is_file()
    )


def test_no_template_has_a_short_comment_over_several_lines():
    """Django's {# #} ends at the line's end: over several lines it prints as text (a
    comment printed inside a list broke the newsletter archive's markup)."""
    templates = _our_templates()
    spread = [
        f"{template.relative_to(settings.BASE_DIR)}:{number}"
        for template in templates
        for number, line in enumerate(template.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]

    assert len(templates) > 100
    assert spread == []
