"""Paying for a membership, mounted at /billing/ under the "billing" namespace
(network/urls.py)."""

from django.urls import path

from members.billing import views

app_name = "billing"

urlpatterns = [
    path("checkout/<slug:slug>/", views.checkout, name="checkout"),
    path("checkout-return/", views.checkout_return, name="checkout_return"),
    path("portal/", views.portal, name="portal"),
    path("invoice/", views.invoice_request, name="invoice_request"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
