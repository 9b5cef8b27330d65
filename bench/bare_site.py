"""The yardstick for bench/load.py: a Django site with one view that answers "ok".

Served by the same gunicorn with the same settings as the portal, it measures what the
machine, gunicorn, Django's request cycle and the load generator cost, so the portal's
pages can be given as a share of it.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-site-for-benchmarks-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    INSTALLED_APPS=[],
)


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", ok)]

application = get_wsgi_application()
