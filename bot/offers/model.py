"""Plain data classes for offers, independent of the storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.offers.db import LANGS

OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


def attribution_of(source: str | None) -> str:
    """"© OpenStreetMap contributors (ODbL)" for data from openstreetmap.org (its licence asks for it)."""
    return OSM_ATTRIBUTION if source and "openstreetmap.org/" in source else ""


def _tristate(value: Any) -> bool | None:
    return None if value is None or value == "" else bool(value)


@dataclass(frozen=True)
class Offer:
    """One offer (a Kita, a course, a counselling service ...) as stored.

    `name` is the German name (required); `names`/`descriptions` hold every language given, and
    `name_in(lang)` picks the user's language with German as the fallback. `national` offers (hotlines such
    as 116 016) have no place: `store.national_offers()` returns them, `nearest()` never does.
    """

    id: str
    name: str
    categories: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    website: str = ""
    example: bool = False
    approximate: bool = False
    source: str = ""
    source_date: str = ""
    names: dict[str, str] = field(default_factory=dict, compare=False)
    descriptions: dict[str, str] = field(default_factory=dict, compare=False)
    organisation: str = ""
    district: str = ""
    email: str = ""
    opening_hours: str = ""
    languages: tuple[str, ...] = ()
    target_group: str = ""
    cost: str = ""
    #: Words people may use for the offer, in any language ("Tafel, ملابس, одяг"): searched, never shown.
    keywords: str = ""
    appointment: bool | None = None
    barrier_free: bool | None = None
    national: bool = False
    active: bool = True
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def attribution(self) -> str:
        """The credit a source requires wherever the offer is shown (OpenStreetMap's licence), else empty."""
        return attribution_of(self.source)

    @property
    def address(self) -> str:
        """Street, postcode and city as one line, leaving out what is unknown."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)

    def name_in(self, lang: str) -> str:
        """The name in `lang` when the offer has one, else the German name."""
        return self.names.get(lang) or self.name

    def description_in(self, lang: str) -> str:
        """The description in `lang` when given, else the German one (may be empty)."""
        return self.descriptions.get(lang) or self.descriptions.get("de", "")

    def hours_in(self, lang: str) -> str:
        """The opening hours rendered for a person in `lang` (empty when unknown)."""
        from bot.offers.hours import render

        return render(self.opening_hours, lang) if self.opening_hours else ""

    def hours_now(self, lang: str) -> str:
        """The opening hours in `lang` followed by "open now, until 12:00" and the like, when that can be said."""
        from bot.offers.hours import render_with_status

        return render_with_status(self.opening_hours, lang)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Offer:
        """Build from a database row (categories stored as a JSON list, languages as 'de,en')."""
        cats = row.get("categories") or "[]"
        names = {lang: row[f"name_{lang}"] for lang in LANGS if row.get(f"name_{lang}")}
        descriptions = {lang: row[f"description_{lang}"] for lang in LANGS if row.get(f"description_{lang}")}
        return cls(
            id=str(row["id"]),
            name=row.get("name_de") or row.get("name") or "",
            categories=tuple(json.loads(cats) if isinstance(cats, str) else cats),
            lat=row.get("lat"),
            lon=row.get("lon"),
            street=row.get("street") or "",
            postcode=row.get("postcode") or "",
            city=row.get("city") or "",
            phone=row.get("phone") or "",
            website=row.get("website") or "",
            example=bool(row.get("example")),
            approximate=bool(row.get("approximate")),
            source=row.get("source") or "",
            source_date=row.get("source_date") or "",
            names=names,
            descriptions=descriptions,
            organisation=row.get("organisation") or "",
            district=row.get("district") or "",
            email=row.get("email") or "",
            opening_hours=row.get("opening_hours") or "",
            languages=tuple(x for x in (row.get("languages") or "").split(",") if x),
            target_group=row.get("target_group") or "",
            cost=row.get("cost") or "",
            keywords=row.get("keywords") or "",
            appointment=_tristate(row.get("appointment")),
            barrier_free=_tristate(row.get("barrier_free")),
            national=bool(row.get("national")),
            active=bool(row.get("active", 1)),
            updated_at=row.get("updated_at") or "",
            extra=row,
        )


@dataclass(frozen=True)
class OfferHit:
    """An offer with its distance from the point that was searched (0 for national offers)."""

    offer: Offer
    distance_km: float
