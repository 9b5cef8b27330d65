import hashlib
import hmac

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _hash(email):
    # As newsletter.suppressions.address_hash, frozen here so that this migration keeps
    # meaning what it did.
    key = settings.NEWSLETTER_SUPPRESSION_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def backfill(apps, schema_editor):
    """A suppression for every address whose subscriber complained, or bounced and has
    not confirmed since, dated when it was reported."""
    Subscriber = apps.get_model("newsletter", "Subscriber")
    Suppression = apps.get_model("newsletter", "Suppression")
    now = timezone.now()
    refused = Subscriber.objects.filter(
        models.Q(state__in=["complained", "bounced"])
        | models.Q(state="pending", bounced_at__isnull=False)
    ).values_list("email", "state", "unsubscribed_at", "bounced_at")
    Suppression.objects.bulk_create(
        [
            Suppression(
                address_hash=_hash(email),
                reason="complained" if state == "complained" else "bounced",
                created_at=(unsubscribed_at if state == "complained" else bounced_at) or now,
            )
            for email, state, unsubscribed_at, bounced_at in refused.iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('newsletter', '0007_consent_added_by_staff'),
    ]

    operations = [
        migrations.CreateModel(
            name='Suppression',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('reason', models.CharField(choices=[('complained', 'Reported our email as spam'), ('bounced', 'Hard bounce (the address does not exist)')], max_length=20)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When it was reported.')),
            ],
            options={
                'ordering': ['-created_at'],
                'verbose_name': 'suppressed address',
                'verbose_name_plural': 'suppressed addresses',
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
