"""Who sees what of the sector data, built on members/access.py.

visitors             anonymous, registered and lapsed people: the list of data pages,
                     and on each published page a teaser (its headline figure and its
                     first chart, with that chart's table, for England)
members              every chart, the filters by region and council, the downloads
editors, staff       all that, and pages not yet published (to check them)
"""

from members import access
from members.models import Organisation
from sector_data.models import Council, DataPage


def can_read_in_full(user) -> bool:
    """Every chart, the filters and the CSV downloads: members, and the people who curate."""
    return access.is_member(user) or access.is_editor(user) or access.is_staff(user)


def can_download(user) -> bool:
    return can_read_in_full(user)


def can_see_page(user, page: DataPage) -> bool:
    """Published pages are for everyone (as a teaser or in full); drafts for curators."""
    if page.is_published:
        return True
    return access.is_editor(user) or access.is_staff(user)


def own_council(user) -> Council | None:
    """The council whose seat the person holds, so a commissioner sees their own first."""
    current = access.membership(user)
    organisation: Organisation | None = current.organisation if current else None
    if organisation is None:
        return None
    return Council.objects.filter(organisation=organisation).first()
