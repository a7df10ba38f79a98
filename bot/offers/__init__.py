"""The district's offer database: schema, queries, nearest search, demo data."""

from bot.offers.db import open_db
from bot.offers.model import Offer, OfferHit
from bot.offers.store import nearest

__all__ = ["Offer", "OfferHit", "nearest", "open_db"]
