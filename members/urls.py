from django.urls import path

from members import billing_views, views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile_edit, name="profile"),
]

# Mounted at /billing/ under the "billing" namespace (network/urls.py).
billing_urlpatterns = [
    path("checkout/<slug:slug>/", billing_views.checkout, name="checkout"),
    path("checkout-return/", billing_views.checkout_return, name="checkout_return"),
    path("portal/", billing_views.portal, name="portal"),
    path("invoice/", billing_views.invoice_request, name="invoice_request"),
    path("stripe/webhook/", billing_views.stripe_webhook, name="stripe_webhook"),
]
