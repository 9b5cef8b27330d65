"""The reader's filter, a place: England, a region, or a council (with its region), and
the places a chart's lines compare for it."""

from dataclasses import dataclass

from members.models import Region
from sector_data.models import Council

ENGLAND = "England"
REGION_LABELS = dict(Region.choices)


@dataclass(frozen=True)
class Place:
    """The reader's filter: a region, or a council (with its region), or neither."""

    region: str = ""
    council: Council | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.region or self.council)

    @property
    def name(self) -> str:
        if self.council is not None:
            return self.council.name
        if self.region:
            return REGION_LABELS[self.region]
        return ENGLAND


ENGLAND_ONLY = Place()


def places_compared(place: Place) -> list[tuple[str, str, str]]:
    """(kind, region, name) of the places a line compares: England, the region, the council."""
    places = [("england", "", ENGLAND)]
    region = place.council.region if place.council is not None else place.region
    if region:
        places.append(("region", region, REGION_LABELS[region]))
    if place.council is not None:
        places.append(("council", region, place.council.name))
    return places
