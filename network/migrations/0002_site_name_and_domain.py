"""Name the site after the network: allauth's emails greet people with the Site's name
("Hello from …"), which Django creates as example.com."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.update_or_create(
        id=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
