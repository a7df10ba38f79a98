"""Volunteers' WhatsApp links: `https://wa.me/<number>?text=...` opens a chat with Lotse, the first message typed.

WhatsApp has no hidden start payload like Telegram's `/start`: the link can only fill in the text the person
then sends. So the text is short and harmless to send, "👋 #ar_kita_Luenen", and carries the same payload as a
Telegram deep link (bot/engine/deeplinks.py); the channel reads it back and presets language, topic and place.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.engine.deeplinks import ALLOWED

# "👋 #ar_kita_Luenen", or "/start ar_kita_Luenen" typed by hand as on Telegram: the whole message only.
PRESET = re.compile(r"^\s*(?:👋\s*#|/start\s+)([A-Za-z0-9_-]{1,64})\s*$")


def number_digits(number: str) -> str:
    """'+49 2303 1234567' -> '4923031234567': wa.me wants the international number, digits only."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) < 8 or digits.startswith("0"):
        raise ValueError(f"{number!r} is not an international phone number (+ and the country code, then the number)")
    return digits


def first_message(payload: str) -> str:
    return f"👋 #{payload}"


def whatsapp_link(number: str, payload: str) -> str:
    """The wa.me link that opens a chat with the number, the preset message typed in."""
    if not ALLOWED.match(payload):
        raise ValueError(f"payload {payload!r} is not a deep-link payload")
    return f"https://wa.me/{number_digits(number)}?text={quote(first_message(payload))}"


def payload_of(text: str) -> str | None:
    """The deep-link payload a first message carries, if it is one."""
    match = PRESET.match(text)
    return match.group(1) if match else None
