"""Topics as people see them: their button labels, the two menus they appear in, and buttons some answers carry.

Every topic (`kind: topic` in intents/<id>.yaml) needs a label, because any topic can become a button ("Did you mean
...?") and an id must never be shown; `lotse i18n check` fails on one without a translated label. Labels are
English msgids of the chat's catalogs, translated when a menu is rendered.

The main menu holds what most people ask first; everyday needs that came later sit in a second menu behind "More
topics", so the first screen stays short enough to read on a phone (Telegram shows two buttons a row).
"""

from __future__ import annotations

from bot.engine.models import Button
from bot.i18n import _


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated when shown)."""
    return message


#: Button data of the second menu ("m" is the main menu).
MORE_MENU = "m:more"

# Topic buttons of the main menu, in menu order.
MAIN: dict[str, str] = {
    "kita": N_("Kita (daycare)"),
    "school": N_("School"),
    "language_course": N_("German course"),
    "migration_counselling": N_("Counselling"),
    "residence_permit": N_("Residence permit"),
    "asylum_advice": N_("Asylum"),
    "work": N_("Work"),
    "recognition": N_("Recognition of diplomas"),
    "housing": N_("Housing"),
    "health": N_("Health"),
    "violence_protection": N_("Protection from violence"),
    "mental_health": N_("Mental health"),
    "benefits": N_("Money and benefits"),
    "interpreter": N_("Interpreter"),
    "youth": N_("Young people"),
    "registration_office": N_("Registering an address"),
    "transport": N_("Bus and train"),
    "sports_leisure": N_("Sports and leisure"),
    "volunteering": N_("Volunteering"),
    "human_contact": N_("Talk to a person"),
    "emergency": N_("Emergency"),
}
# Everyday needs behind "More topics", in menu order.
MORE: dict[str, str] = {
    "food_goods": N_("Food, clothes, furniture"),
    "debt_counselling": N_("Debts"),
    "legal_advice": N_("Legal advice"),
    "family_reunification": N_("Family reunification"),
    "pregnancy_birth": N_("Pregnancy and birth"),
    "disability_care": N_("Disability and care"),
    "bank_account": N_("Bank account"),
    "privacy": N_("Your data at Lotse"),
}
#: Every topic's label, whichever menu it is in.
TOPICS: dict[str, str] = {**MAIN, **MORE}

# Buttons an answer carries besides 👍/👎: the privacy answer offers to delete at once ("forget" asks to confirm,
# exactly as /forget and the web chat's 🗑 do).
ACTIONS: dict[str, tuple[str, str]] = {
    "privacy": (N_("Delete what Lotse remembers about you"), "forget"),
}


def label(intent: str) -> str:
    """The translated button label of a topic (never its id: an intent without a label gets "Topics")."""
    text = TOPICS.get(intent)
    return _(text) if text else _("Topics")


def menu(which: str = "main") -> list[Button]:
    """The main menu (its topics, then "More topics") or the second one (its topics, then "Back"); both end with
    the language picker."""
    if which == "more":
        buttons = [Button(_(text), f"t:{intent}") for intent, text in MORE.items()]
        buttons.append(Button("↩ " + _("Main topics"), "m"))
    else:
        buttons = [Button(_(text), f"t:{intent}") for intent, text in MAIN.items()]
        buttons.append(Button("➕ " + _("More topics"), MORE_MENU))
    return [*buttons, Button("🌐 " + _("Language"), "lang")]


def actions(intent: str) -> list[Button]:
    """The buttons the answer of `intent` carries besides feedback (translated)."""
    action = ACTIONS.get(intent)
    return [Button("🗑 " + _(action[0]), action[1])] if action else []
