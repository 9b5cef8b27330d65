"""Watch-list patterns now run on RE2, which has no lookarounds. The starting patterns
that used them to mean "not next to a digit" are rewritten to match the surroundings and
name the part that counts (?P<hit>...). A pattern staff have since changed is left alone
(it keeps working only if RE2 accepts it; the admin says why when it is next saved)."""

from django.db import migrations, models

# name -> (starting pattern, the same for RE2)
REWRITES = {
    "NHS number": (
        r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)",
        r"(?:^|\D)(?P<hit>\d{3}[ -]?\d{3}[ -]?\d{4})(?:\D|$)",
    ),
    "Phone number": (
        r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)",
        r"(?:^|[^\d+])(?P<hit>(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4})"
        r"(?:\D|$)",
    ),
    "Date like 12/03/2011": (
        r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)",
        r"(?:^|\D)(?P<hit>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))(?:\D|$)",
    ),
}


def rewrite(apps, schema_editor, *, forwards=True):
    WatchPattern = apps.get_model("forum", "WatchPattern")
    for name, (old, new) in REWRITES.items():
        before, after = (old, new) if forwards else (new, old)
        WatchPattern.objects.filter(name=name, pattern=before).update(pattern=after)


def backwards(apps, schema_editor):
    rewrite(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0004_review_kind_image"),
    ]

    operations = [
        migrations.AlterField(
            model_name="watchpattern",
            name="pattern",
            field=models.CharField(
                help_text="Regular expressions use RE2 syntax, which always runs fast: no "
                "lookarounds or back-references. Use \\b for the edge of a word, or match the "
                "surroundings and name the part that counts, e.g. "
                "(?:^|\\D)(?P<hit>\\d{10})(?:\\D|$).",
                max_length=500,
            ),
        ),
        migrations.RunPython(rewrite, backwards),
    ]
