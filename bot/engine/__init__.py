"""The transport-independent conversation: Incoming -> Reply. No telegram or aiohttp imports here."""

from bot.engine.engine import Engine
from bot.engine.models import Button, Incoming, Message, PlaceOut, Reply

__all__ = ["Button", "Engine", "Incoming", "Message", "PlaceOut", "Reply"]
