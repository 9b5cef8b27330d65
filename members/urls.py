from django.urls import include, path

from members import data_rights_views, views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile_edit, name="profile"),
    path("member-type/", views.type_change_request, name="type_change_request"),
    path("data/", data_rights_views.data_rights_page, name="data_rights"),
    path("data/download/", data_rights_views.data_export_start, name="data_export"),
    path("data/download/<str:token>/", data_rights_views.data_download, name="data_download"),
    path("delete/", data_rights_views.account_delete, name="account_delete"),
    # Organisation memberships: members/organisations/urls.py
    path("", include("members.organisations.urls")),
]
