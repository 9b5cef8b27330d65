from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import condition

from members import two_factor_views
from members.billing import views as billing_views
from network import email_webhooks, views
from practice_library import sitemaps

# The admin's own login form is replaced by allauth's, so admin sign-in gets the same
# rate limits and two-factor step as everyone else's.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "English Residential Network administration"
admin.site.site_title = "Network admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("membership/", billing_views.membership, name="membership"),
    path("billing/", include("members.billing.urls")),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Before allauth's own, which answer a bare 404 to someone without recovery codes.
    path(
        "accounts/2fa/recovery-codes/",
        two_factor_views.recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "accounts/2fa/recovery-codes/download/",
        two_factor_views.recovery_codes_download,
        name="mfa_download_recovery_codes",
    ),
    path("accounts/", include("allauth.urls")),
    path("account/", include("members.urls")),
    path("newsletter/", include("newsletter.urls")),
    # The email service's webhooks authenticate with ANYMAIL["WEBHOOK_SECRET"] (HTTP basic
    # auth), not with a login: see network/email_webhooks.py.
    path(
        "anymail/",
        include((email_webhooks.urlpatterns_for(settings.ANYMAIL_WEBHOOK_ESP), "anymail")),
    ),
    # Before the admin's own URLs, which would answer 404 for these.
    path("admin/insight/", include("insight.admin_urls")),
    path("admin/", admin.site.urls),
    path("insight/", include("insight.urls")),
    path("library/", include("practice_library.urls")),
    path("forum/", include("forum.urls")),
    path("events/", include("events.urls")),
    path("data/", include("sector_data.urls")),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        login_not_required(condition(etag_func=sitemaps.section_etag)(sitemap)),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
]

handler400 = "network.views.bad_request"
handler403 = "network.views.permission_denied"
handler404 = "network.views.page_not_found"
handler500 = "network.views.server_error"
