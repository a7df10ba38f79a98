"""Phone numbers a person can tap: `tel:` links for the web chat, and a written form Telegram apps recognise.

The numbers are found with the same detector that checks every number against data/verified_numbers.yaml
(bot/engine/answers.py), so what is linked is exactly what is verified, hotlines inside answer texts included.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.answers import digits_of, national_digits, phone_numbers
from bot.i18n import FSI, LRI, PDI


@dataclass(frozen=True)
class Phone:
    """A number as it is written in a text, and the `tel:` URI that dials it."""

    text: str
    tel: str


def tel_uri(number: str) -> str:
    """'02361 / 50 20 12' -> 'tel:+492361502012'; short service numbers stay short ('tel:116117')."""
    digits = national_digits(number)
    if digits.startswith("0") and not digits.startswith("00") and len(digits) > 4:
        return "tel:+49" + digits[1:]
    return "tel:" + digits


def phones_in(text: str) -> list[Phone]:
    """Every phone number of a text, in order, as written there (for the web chat to link)."""
    found: list[Phone] = []
    for raw in dict.fromkeys(phone_numbers(text)):
        if raw in text:
            found.append(Phone(raw, tel_uri(raw)))
    return found


def tappable(number: str, rtl: bool = False) -> str:
    """A number written so Telegram apps offer to call it.

    Short service numbers as plain digits ("116117"). Others in international form, "+49 2361 502012", where
    the `+` makes Telegram mark them as phone numbers; in right-to-left text as plain national digits
    ("02361502012"): groups separated by spaces would be drawn in reverse order there, and bidi isolates around
    a number stop the apps from recognising it.
    """
    digits = national_digits(number)
    if not digits.startswith("0") or len(digits) <= 4:
        return digits
    if rtl:
        return digits
    rest = number.translate(str.maketrans("", "", "/-")).split()
    rest = [digits_of(part) for part in rest if digits_of(part)]
    if rest and rest[0].startswith("0049"):
        rest[0] = rest[0][4:]
    elif rest and rest[0].startswith("0"):
        rest[0] = rest[0][1:]
    elif number.lstrip().startswith("+49") and rest:
        rest[0] = rest[0][2:]
    rest = [part for part in rest if part]
    # Area code, then the number in one group: "+49 800 1110111" (Telegram's own example: "+1-212-555-0123").
    return "+49 " + rest[0] + (" " + "".join(rest[1:]) if len(rest) > 1 else "")


def tappable_text(text: str, rtl: bool = False) -> str:
    """The text with each phone number in its tappable form (and no bidi isolate wrapped around it alone)."""
    for raw in dict.fromkeys(phone_numbers(text)):
        shown = tappable(raw, rtl)
        for wrapped in (f"{FSI}{raw}{PDI}", f"{LRI}{raw}{PDI}"):
            text = text.replace(wrapped, shown)
        text = text.replace(raw, shown)
    return text
