from django.urls import include, path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile_edit, name="profile"),
    path("member-type/", views.type_change_request, name="type_change_request"),
    # Organisation memberships: members/organisations/urls.py
    path("", include("members.organisations.urls")),
]
