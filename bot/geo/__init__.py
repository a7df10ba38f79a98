"""Geography: the gazetteer of German places and postcodes, and distances."""

from bot.geo.distance import Point, haversine_km
from bot.geo.gazetteer import Gazetteer, Place, load_gazetteer

__all__ = ["Gazetteer", "Place", "Point", "haversine_km", "load_gazetteer"]
