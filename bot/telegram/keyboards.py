"""Keyboards: engine buttons as inline keyboards, and the location request as a reply keyboard.

The engine's ShareLocation action means "ask the user to share a location": Telegram can only do that with a
reply-keyboard button (request_location), and only in private chats.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.engine.actions import MAX_BYTES, ShareLocation
from bot.engine.models import Button
from bot.i18n import _


def rows(buttons: list[InlineKeyboardButton], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out in rows; long labels get a row of their own so they are not cut off."""
    laid: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in buttons:
        if len(button.text) > 22:
            if row:
                laid.append(row)
                row = []
            laid.append([button])
            continue
        row.append(button)
        if len(row) == per_row:
            laid.append(row)
            row = []
    if row:
        laid.append(row)
    return laid


def inline_keyboard(buttons: list[Button], share_query: str | None = None) -> InlineKeyboardMarkup | None:
    """Engine buttons (except the location request) as callback buttons, plus "share this" when given."""
    keys = [InlineKeyboardButton(b.label, callback_data=b.data) for b in buttons
            if not isinstance(b.action, ShareLocation) and len(b.data.encode()) <= MAX_BYTES]
    if share_query is not None:
        keys.append(InlineKeyboardButton("↗ " + _("Share this"), switch_inline_query=share_query))
    return InlineKeyboardMarkup(rows(keys)) if keys else None


def location_keyboard(label: str | None = None) -> ReplyKeyboardMarkup:
    """A one-time keyboard with one button that shares the phone's location."""
    button = KeyboardButton("📍 " + (label or _("Share my location")), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def wants_location(buttons: list[Button]) -> Button | None:
    """The engine's location request among the buttons, if any."""
    return next((b for b in buttons if isinstance(b.action, ShareLocation)), None)
