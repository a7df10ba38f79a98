"""Plain data classes for offers, independent of the storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Offer:
    """One offer (a Kita, a course, a counselling service ...) as stored."""

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
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def address(self) -> str:
        """Street, postcode and city as one line, leaving out what is unknown."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Offer:
        """Build from a database row (categories stored as a JSON list)."""
        cats = row.get("categories") or "[]"
        return cls(
            id=str(row["id"]),
            name=row.get("name") or row.get("name_de") or "",
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
            extra=row,
        )


@dataclass(frozen=True)
class OfferHit:
    """An offer with its distance from the point that was searched."""

    offer: Offer
    distance_km: float
