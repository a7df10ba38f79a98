"""What a button does, as typed actions, and the one pair that writes and reads their data.

Every button the engine makes carries an action (`Button(label, Topic("kita"))`); transports send `encode(action)`
as the button's data and hand the data that comes back to the engine, which reads it with `decode` once per
message. Nothing else builds or parses button data (like aiogram's CallbackData, without the library).

The wire format is compact text and has not changed since the first buttons were sent, so data of buttons in old
chats still reads: `t:<intent>` a topic, `more:<intent>:<offset>` the next results, `fb:+:<intent>` / `fb:-:<intent>`
👍 / 👎, `l:<lang>` a language, `lang` the language picker, `m` / `m:more` the two menus, `about` (what Lotse can
do), `place` (ask for the place), `location` (share it), `forget` / `forget:yes`, `h:stop` (end the chat with the
team) and `start:<payload>` (/start with a deep-link payload; never a button). Anything else decodes to None, and
the engine answers it with a fresh menu.

Limits: Telegram's callback data is at most 64 bytes; WhatsApp's reply button id 256 characters and list row id
200. Intent ids have at most 48 characters (bot/knowledge/store.py), so the longest button, `more:<id>:<offset>`,
stays within 64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's callback data; WhatsApp allows more (256 button id, 200 list row id)
MAX_OFFSET = 100  # "More results" pages no further than this
_ID = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{0,64}$")
_COMMAND = re.compile(r"/([a-z]+)(?:@\w+)?(?:\s+(\S+))?", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    """Answer a topic (menu, "Did you mean ...?")."""

    intent: str


@dataclass(frozen=True)
class More:
    """The next page of a topic's offers, from `offset`."""

    intent: str
    offset: int


@dataclass(frozen=True)
class Feedback:
    """👍 (helpful) or 👎 under the answer of `intent`."""

    intent: str
    helpful: bool


@dataclass(frozen=True)
class Language:
    """Talk in this language from now on."""

    code: str


@dataclass(frozen=True)
class LanguagePicker:
    """Show every language in its own name."""


@dataclass(frozen=True)
class Menu:
    """The main topics, or the second menu of everyday needs (`more`)."""

    more: bool = False


@dataclass(frozen=True)
class Help:
    """What Lotse can do (/help)."""


@dataclass(frozen=True)
class AskPlace:
    """Ask where the person is; the next message names the place (/place)."""


@dataclass(frozen=True)
class ShareLocation:
    """Share the phone's location: transports show their own location button for it, never a callback."""


@dataclass(frozen=True)
class Forget:
    """Delete what Lotse remembers: ask first, then (`confirmed`) do it."""

    confirmed: bool = False


@dataclass(frozen=True)
class StopHandoff:
    """End the chat with the team."""


@dataclass(frozen=True)
class Start:
    """/start with a deep-link payload (bot/engine/deeplinks.py); made by transports, never shown as a button."""

    payload: str = ""


Action = (Topic | More | Feedback | Language | LanguagePicker | Menu | Help | AskPlace | ShareLocation | Forget
          | StopHandoff | Start)

_WORDS: dict[str, Action] = {
    "lang": LanguagePicker(), "m": Menu(), "m:more": Menu(more=True), "about": Help(), "place": AskPlace(),
    "location": ShareLocation(), "forget": Forget(), "forget:yes": Forget(confirmed=True), "h:stop": StopHandoff(),
}
_DATA: dict[Action, str] = {action: word for word, action in _WORDS.items()}
#: The commands of Telegram's menu (bot/telegram/app.py), typed; and two German ones people try.
_COMMANDS: dict[str, Action] = {"/help": Help(), "/menu": Menu(), "/language": LanguagePicker(), "/place": AskPlace(),
                                "/forget": Forget(), "/vergessen": Forget(), "/sprache": LanguagePicker()}


def encode(action: Action) -> str:
    """The button data of an action."""
    match action:
        case Topic(intent):
            return f"t:{intent}"
        case More(intent, offset):
            return f"more:{intent}:{offset}"
        case Feedback(intent, helpful):
            return f"fb:{'+' if helpful else '-'}:{intent}"
        case Language(code):
            return f"l:{code}"
        case Start(payload):
            return f"start:{payload}"
    return _DATA[action]


def command(text: str) -> Action | None:
    """A command typed as text ("/forget", "/start kita-unna") as the action of its button: the web chat and
    WhatsApp have no command menu, and "/forget" is no English sentence to answer in English. None for other text."""
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    name, payload = match.group(1).lower(), match.group(2) or ""
    if name == "start":
        return Start(payload) if _PAYLOAD.match(payload) else Start()
    return _COMMANDS.get("/" + name) if not payload else None


def decode(data: str | None) -> Action | None:
    """The action of button data; None for anything that is not one (old, garbled or forged data)."""
    if not data or len(data.encode("utf-8", "replace")) > 2 * MAX_BYTES:
        return None
    if (word := _WORDS.get(data)) is not None:
        return word
    kind, _sep, arg = data.partition(":")
    if kind == "t" and _ID.match(arg):
        return Topic(arg)
    if kind == "l" and _LANG.match(arg):
        return Language(arg)
    if kind == "more":
        intent, _sep, offset = arg.partition(":")
        # isascii: "²".isdigit() and "٣".isdigit() are True too
        if _ID.match(intent) and offset.isascii() and offset.isdigit() and len(offset) <= 6:
            return More(intent, min(int(offset), MAX_OFFSET))
    if kind == "fb":
        sign, _sep, intent = arg.partition(":")
        if sign in ("+", "-") and _ID.match(intent):
            return Feedback(intent, sign == "+")
    if kind == "start" and _PAYLOAD.match(arg):
        return Start(arg)
    return None
