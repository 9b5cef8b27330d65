"""Fields that name a person, in the admin pages of staff who may not see members.

Editors run the library, events and the newsletter but have no permission on members'
accounts. Django's admin shows a person field as a link to their account (and, when
editable, a lookup into the members' list), pages that would only refuse an editor. For
them the field shows the person's address as text instead; staff who may see members
keep the link and the lookup.
"""

from django.contrib import admin
from django.http import HttpRequest


def account_address(field: str, description: str):
    """A read-only admin column: the address of the person in `field`."""

    @admin.display(description=description)
    def address(model_admin, obj) -> str:
        person = getattr(obj, field)
        return person.email if person is not None else "-"

    return address


class AccountFieldsAsText:
    """Mix into a ModelAdmin before admin.ModelAdmin. `account_fields` maps each person
    field to the name of its account_address() display on the class."""

    account_fields: dict[str, str] = {}

    @staticmethod
    def sees_accounts(request: HttpRequest) -> bool:
        return request.user.has_perm("members.view_user")

    def get_fields(self, request: HttpRequest, obj=None):
        shown = set(self.account_fields.values())
        fields = [f for f in super().get_fields(request, obj) if f not in shown]
        if self.sees_accounts(request):
            return fields
        return [self.account_fields.get(f, f) for f in fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.sees_accounts(request):
            return fields
        return [f for f in fields if f not in self.account_fields] + list(
            self.account_fields.values()
        )
