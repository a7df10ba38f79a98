"""Which OpenStreetMap objects become which offers: the mapping table of tags to Lotse's categories.

Each row names a kind (what `lotse offers sync osm --kinds` chooses), the tag that selects it, optional further
tags that must match, and the categories it gets. `default` says whether a district gets it without choosing:
doctors and pharmacies are many and listed by other services, so a district adds them on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TagRule:
    kind: str
    key: str
    value: str
    categories: tuple[str, ...]
    default: bool = True
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tag -> any of these values

    def matches(self, tags: dict[str, str]) -> bool:
        if tags.get(self.key) != self.value:
            return False
        return all(any(v in wanted for v in tags.get(k, "").split(";")) for k, wanted in self.also.items())

    def selector(self) -> str:
        """The Overpass filter of this row, e.g. ["amenity"="kindergarten"]."""
        extra = "".join(f'["{k}"~"^({"|".join(v)})$"]' for k, v in self.also.items())
        return f'["{self.key}"="{self.value}"]{extra}'


_MIGRANTS: dict[str, tuple[str, ...]] = {
    "social_facility:for": ("migrant", "migrants", "refugee", "refugees", "displaced")}

RULES: tuple[TagRule, ...] = (
    TagRule("kita", "amenity", "kindergarten", ("kita",)),
    TagRule("kita", "amenity", "childcare", ("kita",)),
    TagRule("school", "amenity", "school", ("school_enrolment",)),
    TagRule("townhall", "amenity", "townhall", ("registration_office",)),
    TagRule("townhall", "office", "government", ("registration_office",), also={"government": ("register_office",)}),
    TagRule("migrants", "amenity", "social_facility", ("counselling",), also=_MIGRANTS),
    TagRule("migrants", "office", "ngo", ("counselling",), also=_MIGRANTS),
    TagRule("counselling", "healthcare", "counselling", ("counselling",)),
    TagRule("counselling", "amenity", "social_facility", ("counselling",),
            also={"social_facility": ("outreach",)}),
    TagRule("language", "amenity", "language_school", ("language_course",)),
    TagRule("jobs", "office", "employment_agency", ("work",)),
    TagRule("doctors", "amenity", "doctors", ("health",), default=False),
    TagRule("pharmacies", "amenity", "pharmacy", ("health",), default=False),
)
KINDS: tuple[str, ...] = tuple(dict.fromkeys(rule.kind for rule in RULES))
DEFAULT_KINDS: tuple[str, ...] = tuple(dict.fromkeys(rule.kind for rule in RULES if rule.default))


def rules_for(kinds: tuple[str, ...] | list[str]) -> list[TagRule]:
    return [rule for rule in RULES if rule.kind in kinds]
