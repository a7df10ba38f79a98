"""A Telegram reply recorded as it goes out, so that another instance can finish it (bot/store/once.py).

With several instances the webhook hands the handlers two things per update through PTB's bot_data: a recorder
(the reply is written into the update's claim before its first message goes and after each one) and, when this
instance took over the claim of one that died while sending, what that one recorded: the handlers then send the
messages not confirmed instead of asking the engine again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.engine.actions import decode
from bot.engine.models import Button, Message, PlaceOut, Reply
from bot.store.once import RECORDERS, REPLAYS, Recorded

log = logging.getLogger(__name__)

Recorder = Callable[[list[Any], int], None]  # the messages as JSON values, how many of them went


def values(reply: Reply, messages: list[Message]) -> list[dict[str, Any]]:
    """The messages of a reply as JSON values, each with what the reply says of them all."""
    return [{"text": m.text, "buttons": [[b.label, b.data] for b in m.buttons],
             "places": [asdict(p) for p in m.places], "lang": reply.lang, "rtl": reply.rtl, "intent": reply.intent}
            for m in messages]


def reply_of(recorded: Recorded) -> Reply | None:
    """The recorded reply again (buttons whose data no longer decodes are left out); None when it is not one."""
    try:
        messages = [Message(v["text"], [Button(label, action) for label, data in v["buttons"]
                                        if (action := decode(data)) is not None],
                            [PlaceOut(**p) for p in v["places"]]) for v in recorded.messages]
        first = recorded.messages[0]
        return Reply(messages, first["lang"], intent=first["intent"], rtl=first["rtl"])
    except (KeyError, TypeError, ValueError, IndexError):
        log.warning("a recorded Telegram reply could not be read; the update is answered anew")
        return None


def replayed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Reply, int] | None:
    """The reply a stopped instance was sending for this update, and how many of its messages went."""
    recorded: Recorded | None = context.bot_data.get(REPLAYS, {}).get(update.update_id)
    reply = reply_of(recorded) if recorded is not None else None
    return (reply, recorded.sent) if reply is not None and recorded is not None else None


def recording(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether this update's reply is recorded as it goes (several instances, the webhook)."""
    return update.update_id in context.bot_data.get(RECORDERS, {})


def note(update: Update, context: ContextTypes.DEFAULT_TYPE, recorded: list[Any], sent: int) -> None:
    """Record how far the reply went (nothing to do with one instance, or outside the webhook)."""
    recorder: Recorder | None = context.bot_data.get(RECORDERS, {}).get(update.update_id)
    if recorder is None:
        return
    try:
        recorder(recorded, sent)
    except Exception:  # the database is away: the reply still goes out, only a takeover would answer anew
        log.warning("telegram: could not record how far a reply went", exc_info=True)
