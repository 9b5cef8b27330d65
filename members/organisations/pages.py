"""Links that higher apps add to the organisation page.

members imports no other app of ours, so an app with a page about an organisation (the
insight app's engagement report) registers a link builder here from its
AppConfig.ready(), as apps register with the admin.
"""

from collections.abc import Callable

from members.models import Organisation

# Each builder gets the organisation and whether the page is the admin's (staff) or the
# organisation page (its admins), and returns (text, url), or None for no link.
LinkBuilder = Callable[[Organisation, bool], "tuple[str, str] | None"]
_builders: list[LinkBuilder] = []


def organisation_link_register(builder: LinkBuilder) -> None:
    if builder not in _builders:
        _builders.append(builder)


def organisation_links(
    organisation: Organisation, *, for_staff: bool = False
) -> list[tuple[str, str]]:
    """(text, url) of every registered page about this organisation (no queries: the
    builders only reverse URLs)."""
    return [link for builder in _builders if (link := builder(organisation, for_staff)) is not None]
