"""The district's offer database: schema, queries, nearest search, import/export, audit, demo data."""

from bot.offers.db import open_db
from bot.offers.model import Offer, OfferHit
from bot.offers.store import national_offers, nearest

__all__ = ["Offer", "OfferHit", "national_offers", "nearest", "open_db"]
