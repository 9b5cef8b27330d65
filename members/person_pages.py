"""Links from a person's page in the admin to everything kept about them elsewhere.

Staff answering a member on the phone start from the person: their subscriptions,
invoices, forum posts, reports, event places, newsletter subscription. members imports
no other app of ours, so each app registers its lists here from its AppConfig.ready(),
as insight registers its page about an organisation (members.organisations.pages).
"""

from urllib.parse import urlencode

from django.urls import reverse

from members.models import User

# text -> (the admin list's URL name, {query parameter: the User field giving its value})
_lists: dict[str, tuple[str, dict[str, str]]] = {}


def person_admin_list_register(text: str, admin_url_name: str, **query: str) -> None:
    """Link the person's page to an admin list filtered to them, e.g.
    person_admin_list_register("Forum posts", "admin:forum_post_changelist",
    author__id__exact="pk"). The filter must be one the list's admin allows (a field
    of its own model, or one of its list filters) or the admin shows the whole list."""
    _lists[text] = (admin_url_name, query)


def person_admin_links(user: User) -> list[tuple[str, str]]:
    """(text, url) of every registered list, filtered to `user` (no queries)."""
    links = []
    for text, (url_name, query) in _lists.items():
        params = {key: getattr(user, field) for key, field in query.items()}
        links.append((text, f"{reverse(url_name)}?{urlencode(params)}"))
    return links
