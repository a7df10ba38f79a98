"""Offer categories: their ids, how staff name them (German, English) and the words an import accepts for them.

The ids are an interface (intents name them in `categories:`, HSDS exports them as taxonomy codes); the labels are
what the admin shows and what an import reads back, so a spreadsheet written by hand with "Tafel" or "Beratungen"
imports as well as an export does.
"""

from __future__ import annotations

import re

from bot.geo.gazetteer import fold

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "categories_of"]

CATEGORIES: tuple[str, ...] = (
    "kita", "school_enrolment", "language_course", "counselling", "foreigners_office", "asylum_advice", "work",
    "recognition", "housing", "health", "emergency", "violence_protection", "mental_health", "benefits",
    "interpreter", "volunteering", "sports_leisure", "youth", "registration_office", "transport",
    "integration_centre", "food_goods", "debt_counselling", "legal_advice", "pregnancy", "disability_care",
)
#: How staff name each category (German, English): the admin shows them, the import accepts them.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "kita": ("Kita", "Daycare (Kita)"),
    "school_enrolment": ("Schulanmeldung", "School enrolment"),
    "language_course": ("Sprachkurs", "Language course"),
    "counselling": ("Beratung", "Counselling"),
    "foreigners_office": ("Ausländerbehörde", "Foreigners' office"),
    "asylum_advice": ("Asylberatung", "Asylum advice"),
    "work": ("Arbeit", "Work"),
    "recognition": ("Anerkennung", "Recognition of qualifications"),
    "housing": ("Wohnen", "Housing"),
    "health": ("Gesundheit", "Health"),
    "emergency": ("Notfall", "Emergency"),
    "violence_protection": ("Gewaltschutz", "Protection from violence"),
    "mental_health": ("Psychische Gesundheit", "Mental health"),
    "benefits": ("Leistungen", "Benefits"),
    "interpreter": ("Sprachmittlung", "Interpreting"),
    "volunteering": ("Ehrenamt", "Volunteering"),
    "sports_leisure": ("Sport und Freizeit", "Sports and leisure"),
    "youth": ("Jugend", "Youth"),
    "registration_office": ("Bürgerbüro", "Registration office"),
    "transport": ("Mobilität", "Transport"),
    "integration_centre": ("Integrationszentrum", "Integration centre"),
    "food_goods": ("Lebensmittel und Kleidung", "Food and clothes"),
    "debt_counselling": ("Schuldnerberatung", "Debt counselling"),
    "legal_advice": ("Rechtsberatung", "Legal advice"),
    "pregnancy": ("Schwangerschaft und Geburt", "Pregnancy and birth"),
    "disability_care": ("Behinderung und Pflege", "Disability and care"),
}
# Category words admins write -> category id.
_CATEGORY_ALIASES: dict[str, str] = {
    "kindertagesstatte": "kita", "kindergarten": "kita", "daycare": "kita", "schule": "school_enrolment",
    "school": "school_enrolment", "schulanmeldung": "school_enrolment", "sprachkurs": "language_course",
    "deutschkurs": "language_course", "integrationskurs": "language_course", "beratung": "counselling",
    "migrationsberatung": "counselling", "auslanderbehorde": "foreigners_office", "asylberatung": "asylum_advice",
    "arbeit": "work", "job": "work", "anerkennung": "recognition", "wohnen": "housing", "wohnung": "housing",
    "gesundheit": "health", "notfall": "emergency", "notruf": "emergency", "gewaltschutz": "violence_protection",
    "frauenhaus": "violence_protection", "psychosozial": "mental_health", "leistungen": "benefits",
    "dolmetscher": "interpreter", "sprachmittler": "interpreter", "ehrenamt": "volunteering",
    "sport": "sports_leisure", "freizeit": "sports_leisure", "jugend": "youth", "burgeramt": "registration_office",
    "burgerburo": "registration_office", "meldeamt": "registration_office", "verkehr": "transport",
    "integrationszentrum": "integration_centre",
    # The everyday needs, as offices name their services (Tafel, Kleiderkammer, Sozialkaufhaus ...).
    "tafel": "food_goods", "lebensmittel": "food_goods", "lebensmittelausgabe": "food_goods",
    "kleiderkammer": "food_goods", "kleidung": "food_goods", "sozialkaufhaus": "food_goods", "mobel": "food_goods",
    "mobelborse": "food_goods", "schulden": "debt_counselling", "insolvenzberatung": "debt_counselling",
    "rechtsberatung": "legal_advice", "recht": "legal_advice", "mieterverein": "legal_advice",
    "verbraucherberatung": "legal_advice", "verbraucherzentrale": "legal_advice",
    "schwangerschaft": "pregnancy", "schwangerschaftsberatung": "pregnancy", "schwangerenberatung": "pregnancy",
    "hebamme": "pregnancy", "behinderung": "disability_care", "pflege": "disability_care",
    "pflegeberatung": "disability_care", "eingliederungshilfe": "disability_care",
    "teilhabeberatung": "disability_care",
    # The topic buttons as people see them in the chat (German and English), so a sheet may use those labels.
    "schutzvorgewalt": "violence_protection", "protectionfromviolence": "violence_protection",
    "aufenthaltstitel": "foreigners_office", "residencepermit": "foreigners_office", "asyl": "asylum_advice",
    "asylum": "asylum_advice", "anerkennungvonabschlussen": "recognition", "recognitionofdiplomas": "recognition",
    "seelischegesundheit": "mental_health", "geldundleistungen": "benefits", "moneyandbenefits": "benefits",
    "jungemenschen": "youth", "youngpeople": "youth",
    "wohnsitzanmelden": "registration_office", "registeringanaddress": "registration_office",
    "busundbahn": "transport", "busandtrain": "transport", "germancourse": "language_course",
    "kitadaycare": "kita", "kita": "kita",
}


def _folded(word: str) -> str:
    return re.sub(r"[^a-z]", "", fold(word))


_CATEGORY_WORDS = _CATEGORY_ALIASES | {_folded(label): cat for cat, labels in CATEGORY_LABELS.items()
                                       for label in labels}


def _category_word(folded: str) -> str | None:
    """A category by its word, also in the plural staff often write ("Sprachkurse", "Beratungen")."""
    for ending in ("", "en", "n", "e", "s"):
        if folded.endswith(ending) and (key := _CATEGORY_WORDS.get(folded[:len(folded) - len(ending)])):
            return key
    return None


def categories_of(value: str, errors: list[str]) -> list[str]:
    """The category ids of a cell ("Kita; Beratung"), by id or by the words staff write; unknown words are
    reported in `errors`."""
    found: list[str] = []
    for word in re.split(r"[,;|/]", value):
        word = word.strip()
        if not word:
            continue
        key = word.lower() if word.lower() in CATEGORIES else _category_word(_folded(word))
        if key is None:
            errors.append(f"unknown category '{word}' (use: {', '.join(CATEGORIES)})")
        elif key not in found:
            found.append(key)
    return found
