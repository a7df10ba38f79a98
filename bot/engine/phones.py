"""Phone numbers a person can tap: found in answers and staff replies, as `tel:` links and in forms apps link.

Numbers are found with `phonenumbers` (Google's libphonenumber): any valid German number however it is written
("0228 19240", "(0231) 50-12345", "0176 12345678", "+49 30 ...", Arabic-Indic digits) and international ones
("+380 44 123 4567"), not only the shapes a regex of ours knew. Its matcher does not know every German service
number (116 016 is missing from its short-number data), so the short ones (110, 112, 115, 116 xxx) are taken from
the detector that checks answers against data/verified_numbers.yaml (bot/engine/answers.py), which also leaves
out house numbers ("Kamener Straße 110").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from bot.engine.answers import digits_of, phone_numbers
from bot.i18n import FSI, LRI, PDI, strip_isolates

REGION = "DE"  # a number without a country code is German


@dataclass(frozen=True)
class Phone:
    """A number as it is written in a text, and the `tel:` URI that dials it."""

    text: str
    tel: str

    @property
    def dial(self) -> str:
        """What to dial: E.164 ("+4922819240"), a short number as it is ("116016")."""
        return self.tel.removeprefix("tel:")


def _short(raw: str) -> str | None:
    """The digits of a German short service number (110, 112, 115, 116 016, 116 117), else None."""
    digits = digits_of(raw)
    return digits if digits.startswith("11") and len(digits) in (3, 6) else None


def _parsed(number: str) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(strip_isolates(number), REGION)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def phones_in(text: str) -> list[Phone]:
    """Every phone number of a text, in order, as written there (for the web chat and the inbox to link)."""
    plain = strip_isolates(text)
    found: dict[int, Phone] = {}
    for match in PhoneNumberMatcher(plain, REGION, leniency=Leniency.VALID):
        e164 = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
        found[match.start] = Phone(match.raw_string, "tel:" + e164)
    taken = [(start, start + len(phone.text)) for start, phone in found.items()]
    at = 0
    for raw in phone_numbers(plain):
        start = plain.find(raw, at)
        at = start + len(raw) if start >= 0 else at
        short = _short(raw)
        if short and start >= 0 and not any(a <= start < b for a, b in taken):
            found[start] = Phone(raw, "tel:" + short)
    phones = [found[start] for start in sorted(found)]
    return [p for p in dict.fromkeys(phones) if p.text in text]


def tel_uri(number: str) -> str:
    """'02361 / 50 20 12' -> 'tel:+492361502012'; short service numbers stay short ('tel:116117')."""
    if (short := _short(number)) is not None and not number.lstrip().startswith(("+", "00")):
        return "tel:" + short
    parsed = _parsed(number)
    if parsed is not None:
        return "tel:" + phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    return "tel:" + digits_of(number)


def tappable(number: str, rtl: bool = False) -> str:
    """A number written so Telegram apps offer to call it.

    Short service numbers as plain digits ("116117"). Others in international form, "+49 2361 502012", where the
    `+` makes Telegram mark them as phone numbers; in right-to-left text without spaces ("02361502012" for a
    German one, "+380441234567" for another): groups separated by spaces would be drawn in reverse order there,
    and bidi isolates around a number stop the apps from recognising it.
    """
    if (short := _short(number)) is not None and not number.lstrip().startswith(("+", "00")):
        return short
    parsed = _parsed(number)
    if parsed is None:
        return digits_of(number)
    if not rtl:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
    if parsed.country_code == 49:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL).replace(" ", "")
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def rewrite(text: str, form: Callable[[Phone], str]) -> str:
    """The text with each phone number in another form (and no bidi isolate wrapped around it alone)."""
    for phone in phones_in(text):
        shown = form(phone)
        for wrapped in (f"{FSI}{phone.text}{PDI}", f"{LRI}{phone.text}{PDI}"):
            text = text.replace(wrapped, shown)
        text = text.replace(phone.text, shown)
    return text


def tappable_text(text: str, rtl: bool = False) -> str:
    """The text with each phone number in its tappable form for Telegram."""
    return rewrite(text, lambda phone: tappable(phone.text, rtl))


def dialable_text(text: str) -> str:
    """The text with each phone number as it is dialled ("+492361502012", "116016"): WhatsApp links these, and
    in right-to-left text no groups are reordered."""
    return rewrite(text, lambda phone: phone.dial)
