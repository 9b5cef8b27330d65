from django.urls import include, path

app_name = "forum"

urlpatterns = [
    path("moderation/", include("forum.moderation_urls")),
]
