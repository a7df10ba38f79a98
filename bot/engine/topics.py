"""Topics as people see them: their button labels, the two menus they appear in, and buttons some answers carry.

All of it is read from intents/<id>.yaml: `label` (an English msgid of the chat's catalogs, translated when a menu
is rendered), `menu` (main or more) with `order`, and `action` (a button the answer carries). Every topic (`kind:
topic`) needs a label, because any topic can become a button ("Did you mean ...?") and an id must never be shown;
the loader and `lotse i18n check` refuse a topic without one.

The main menu holds what most people ask first; everyday needs that came later sit in a second menu behind "More
topics", so the first screen stays short enough to read on a phone (Telegram shows two buttons a row).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.actions import Action, Forget, LanguagePicker, Menu, Topic
from bot.engine.models import Button
from bot.i18n import _
from bot.nlu.intents import Intent


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated when shown)."""
    return message


# Buttons an answer carries besides 👍/👎 (`action:` in its file): the privacy answer offers to delete at once
# ("forget" asks to confirm, exactly as /forget and the web chat's 🗑 do).
ACTIONS: dict[str, tuple[str, Action]] = {
    "forget": (N_("Delete what Lotse remembers about you"), Forget()),
}


def labels(intents: Mapping[str, Intent]) -> dict[str, str]:
    """Every topic's label (untranslated), menu topics first in menu order."""
    ordered = sorted((i for i in intents.values() if i.is_topic and i.label),
                     key=lambda i: (i.menu is None, i.menu != "main", i.order, i.id))
    return {i.id: i.label for i in ordered}


def in_menu(intents: Mapping[str, Intent], which: str) -> list[Intent]:
    """The topics of one menu ("main" or "more"), in menu order."""
    return sorted((i for i in intents.values() if i.menu == which and i.label), key=lambda i: (i.order, i.id))


def label(intent: Intent | None) -> str:
    """The translated button label of a topic (never its id: an intent without a label gets "Topics")."""
    return _(intent.label) if intent is not None and intent.label else _("Topics")


def menu(intents: Mapping[str, Intent], which: str = "main") -> list[Button]:
    """The main menu (its topics, then "More topics") or the second one (its topics, then "Back"); both end with
    the language picker."""
    buttons = [Button(_(i.label), Topic(i.id)) for i in in_menu(intents, which)]
    if which == "more":
        buttons.append(Button("↩ " + _("Main topics"), Menu()))
    else:
        buttons.append(Button("➕ " + _("More topics"), Menu(more=True)))
    return [*buttons, Button("🌐 " + _("Language"), LanguagePicker())]


def actions(intent: Intent) -> list[Button]:
    """The buttons the answer of `intent` carries besides feedback (translated)."""
    action = ACTIONS.get(intent.action or "")
    return [Button("🗑 " + _(action[0]), action[1])] if action else []
