"""The watch list's starting patterns: what most often identifies a child or a person
in care. Staff edit them in the admin; this migration only adds the ones missing."""

from django.db import migrations

PATTERNS = [
    {
        "name": "UK postcode",
        "kind": "regex",
        "pattern": r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNP-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
        "action": "hold",
        "message": "",
    },
    {
        "name": "NHS number",
        "kind": "regex",
        "pattern": r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)",
        "extra_check": "nhs_number",
        "action": "block",
        "message": "This looks like an NHS number. Remove it: a forum post must never identify "
        "a child or a person in care.",
    },
    {
        "name": "Phone number",
        "kind": "regex",
        "pattern": r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)",
        "action": "hold",
        "message": "",
    },
    {
        "name": "Email address",
        "kind": "regex",
        "pattern": r"\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b",
        "action": "hold",
        "message": "",
    },
    {
        "name": "Date like 12/03/2011",
        "kind": "regex",
        "pattern": r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)",
        "action": "hold",
        "message": "",
    },
    {
        "name": "Age, like 'aged 14'",
        "kind": "regex",
        "pattern": r"\b(?:aged|age of|age)\s+\d{1,2}\b|\b\d{1,2}[- ]year[- ]old\s+(?:boy|girl|child|lad|son|daughter)\b",
        "action": "hold",
        "message": "",
    },
    {
        "name": "Date of birth",
        "kind": "regex",
        "pattern": r"\bD\.?O\.?B\b|\bdate of birth\b|\bborn on\b",
        "action": "hold",
        "message": "",
    },
]


def add_patterns(apps, schema_editor):
    WatchPattern = apps.get_model("forum", "WatchPattern")
    for fields in PATTERNS:
        WatchPattern.objects.get_or_create(name=fields["name"], defaults=fields)


def remove_patterns(apps, schema_editor):
    WatchPattern = apps.get_model("forum", "WatchPattern")
    WatchPattern.objects.filter(name__in=[p["name"] for p in PATTERNS]).delete()


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_search_gin_and_append_only_log")]

    operations = [migrations.RunPython(add_patterns, remove_patterns)]
