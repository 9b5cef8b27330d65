"""The digest sections: what a section is, the registry of every app's sections (found
in their `digest_sections` modules when the newsletter app is ready), and the sections
one reader gets for one period."""

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

from members import access
from newsletter.models import DigestPeriod, Subscriber

Kind = DigestPeriod.Kind


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    summary: str = ""
    note: str = ""  # e.g. "members only", "12 replies"


@dataclass(frozen=True)
class DigestSection:
    title: str
    items: list[DigestItem]


@dataclass
class Reader:
    """One recipient, as providers see them."""

    subscriber: Subscriber
    topic_ids: frozenset[int]

    @property
    def user(self):
        return self.subscriber.user

    def may_read(self, level: str) -> bool:
        """May this person read content at this access level? (members/access.py)"""
        return access.can_read_level(self.user, level)

    def wants_topics(self, topic_ids: Iterable[int]) -> bool:
        """No topics chosen means every topic."""
        return not self.topic_ids or bool(self.topic_ids.intersection(topic_ids))


Provider = Callable[[Reader, DigestPeriod], DigestSection | None]


@dataclass(order=True)
class _Registered:
    order: int
    key: str
    provider: Provider = field(compare=False)
    kinds: tuple[str, ...] = field(compare=False)


SECTIONS: dict[str, _Registered] = {}


def sections_register(module) -> None:
    """Register (or replace) the sections a module declares in its SECTIONS: dicts with
    "key" and "provider", and optionally "kinds" (daily and weekly if not given) and
    "order" (sections appear lowest first; 100 if not given)."""
    for entry in getattr(module, "SECTIONS", []):
        SECTIONS[entry["key"]] = _Registered(
            order=entry.get("order", 100),
            key=entry["key"],
            provider=entry["provider"],
            kinds=tuple(entry.get("kinds", (Kind.DAILY, Kind.WEEKLY))),
        )


def sections_discover() -> None:
    """Import every installed app's `digest_sections` module, as the admin does with
    admin.py, and register its SECTIONS (in the order of INSTALLED_APPS). Called once,
    when the newsletter app is ready."""
    autodiscover_modules("digest_sections")
    for app in apps.get_app_configs():
        module = sys.modules.get(f"{app.name}.digest_sections")
        if module is not None:
            sections_register(module)


def _as_section(found) -> DigestSection | None:
    if found is None or isinstance(found, DigestSection):
        return found
    return DigestSection(
        title=found["title"],
        items=[
            item if isinstance(item, DigestItem) else DigestItem(**item)
            for item in found.get("items", [])
        ],
    )


def sections_for(reader: Reader, period: DigestPeriod) -> list[DigestSection]:
    found = []
    for registered in sorted(SECTIONS.values()):
        if period.kind not in registered.kinds:
            continue
        section = _as_section(registered.provider(reader, period))
        if section is not None and section.items:
            found.append(section)
    return found
