"""allauth's list of signed-in devices, searchable by this project's user fields.

allauth's own admin searches `user__username`, which this user model has not (people sign
in with their email), so any search of the list was a server error.
"""

from allauth.usersessions import admin as allauth_sessions_admin
from allauth.usersessions.models import UserSession
from django.contrib import admin

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(allauth_sessions_admin.UserSessionAdmin):
    search_fields = ["user__email", "user__name", "ip"]
