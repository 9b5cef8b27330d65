"""allauth's list of signed-in devices: a record, read only, searchable by this project's
user fields. Deleting one signs that device out.

allauth's own admin searches `user__username`, which this user model has not (people sign
in with their email), so any search of the list was a server error. It also let staff
add a device and change one's address or browser, which only made the record untrue.
"""

from allauth.usersessions import admin as allauth_sessions_admin
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.contrib import admin

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(allauth_sessions_admin.UserSessionAdmin):
    search_fields = ["user__email", "user__name", "ip"]
    # Not the session key: whoever holds it is signed in as the person.
    fields = ["user", "ip", "user_agent", "created_at", "last_seen_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deleting the row alone signed nobody out: the device's next request made it again
    # (network.middleware.UserSessionActivityMiddleware). Ending the session signs the
    # device out, then deletes the row.
    def delete_model(self, request, obj) -> None:
        get_adapter().end_sessions([obj])

    def delete_queryset(self, request, queryset) -> None:
        get_adapter().end_sessions(list(queryset))
