from django.urls import path

from members import billing_views, organisation_views, views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile_edit, name="profile"),
    path("member-type/", views.type_change_request, name="type_change_request"),
    # Organisation memberships (organisation_views.py)
    path("organisation/", organisation_views.organisation_index, name="organisation_index"),
    path("organisation/<slug:slug>/", organisation_views.organisation_detail, name="organisation"),
    path(
        "organisation/<slug:slug>/invitations/",
        organisation_views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisation/<slug:slug>/invitations/<int:pk>/resend/",
        organisation_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organisation/<slug:slug>/invitations/<int:pk>/revoke/",
        organisation_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisation/<slug:slug>/seats/<int:pk>/remove/",
        organisation_views.seat_remove,
        name="seat_remove",
    ),
    path(
        "organisation/<slug:slug>/seats/<int:pk>/admin/",
        organisation_views.seat_admin,
        name="seat_admin",
    ),
    path(
        "organisation/<slug:slug>/domain/", organisation_views.domain_verify, name="domain_verify"
    ),
    path(
        "organisation/<slug:slug>/domain/clear/",
        organisation_views.domain_clear,
        name="domain_clear",
    ),
    path("organisation/<slug:slug>/claim/", organisation_views.seat_claim, name="seat_claim"),
    path("invitations/<str:token>/", organisation_views.invitation_accept, name="invitation"),
]

# Mounted at /billing/ under the "billing" namespace (network/urls.py).
billing_urlpatterns = [
    path("checkout/<slug:slug>/", billing_views.checkout, name="checkout"),
    path("checkout-return/", billing_views.checkout_return, name="checkout_return"),
    path("portal/", billing_views.portal, name="portal"),
    path("invoice/", billing_views.invoice_request, name="invoice_request"),
    path("stripe/webhook/", billing_views.stripe_webhook, name="stripe_webhook"),
]
