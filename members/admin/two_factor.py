"""allauth's authenticators (authenticator apps, security keys, recovery codes), listed
for staff helping someone who lost a device: they see who has which, and remove one so
the person can set it up again.

allauth's own admin showed and let staff edit each authenticator's data: the secret of an
authenticator app and the seed of recovery codes, stored as they are. Whoever read one
could produce that person's codes, so their second step proved nothing. Here the data is
never shown, and nobody adds or edits an authenticator: people set up their own.
"""

from allauth.mfa import admin as allauth_mfa_admin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.http import HttpRequest

# allauth's registration, imported first so that it is there to replace.
admin.site.unregister(allauth_mfa_admin.Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
