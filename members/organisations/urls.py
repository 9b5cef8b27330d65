"""An organisation admin's pages (seats, invitations, verified domain, its details) and the
invitation link, under /account/ in the "members" namespace (members/urls.py)."""

from django.urls import path

from members.organisations import details_views, views

urlpatterns = [
    path("organisation/", views.organisation_index, name="organisation_index"),
    path("organisation/<slug:slug>/", views.organisation_detail, name="organisation"),
    path(
        "organisation/<slug:slug>/invitations/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisation/<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organisation/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisation/<slug:slug>/seats/<int:pk>/remove/",
        views.seat_remove,
        name="seat_remove",
    ),
    path("organisation/<slug:slug>/leave/", views.seat_leave, name="seat_leave"),
    path(
        "organisation/<slug:slug>/seats/<int:pk>/admin/",
        views.seat_admin,
        name="seat_admin",
    ),
    path(
        "organisation/<slug:slug>/details/",
        details_views.organisation_details,
        name="organisation_details",
    ),
    path("organisation/<slug:slug>/domain/", views.domain_verify, name="domain_verify"),
    path(
        "organisation/<slug:slug>/domain/clear/",
        views.domain_clear,
        name="domain_clear",
    ),
    path("organisation/<slug:slug>/claim/", views.seat_claim, name="seat_claim"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
