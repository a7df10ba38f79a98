"""The words staff use in sheets: category labels and aliases (also the chat's topic labels), language names."""

from __future__ import annotations

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
}
#: Language names staff write ("Deutsch, Arabisch") -> code; folded (lower case, umlauts folded).
LANGUAGE_WORDS: dict[str, str] = {
    "deutsch": "de", "german": "de", "englisch": "en", "english": "en", "arabisch": "ar", "arabic": "ar",
    "persisch": "fa", "farsi": "fa", "dari": "fa", "persian": "fa", "ukrainisch": "uk", "ukrainian": "uk",
    "russisch": "ru", "russian": "ru", "turkisch": "tr", "turkish": "tr", "franzosisch": "fr", "french": "fr",
    "kurdisch": "ku", "kurmandschi": "ku", "kurmanci": "ku", "kurdish": "ku", "tigrinya": "ti", "tigrinisch": "ti",
    "paschtu": "ps", "pashto": "ps", "paschto": "ps", "somali": "so", "somalisch": "so", "spanisch": "es",
    "spanish": "es", "italienisch": "it", "italian": "it", "polnisch": "pl", "polish": "pl", "rumanisch": "ro",
    "romanian": "ro", "bulgarisch": "bg", "bulgarian": "bg", "albanisch": "sq", "albanian": "sq",
    "serbisch": "sr", "kroatisch": "hr", "bosnisch": "bs", "griechisch": "el", "greek": "el",
    "portugiesisch": "pt", "portuguese": "pt", "urdu": "ur", "hindi": "hi", "vietnamesisch": "vi",
    "chinesisch": "zh", "chinese": "zh", "amharisch": "am", "amharic": "am", "niederlandisch": "nl",
    "gebardensprache": "sgn", "kurdischsorani": "ckb", "sorani": "ckb", "tamil": "ta", "georgisch": "ka",
    "armenisch": "hy", "aserbaidschanisch": "az", "usbekisch": "uz", "tschetschenisch": "ce",
}
# Category words admins write -> category id.
CATEGORY_ALIASES: dict[str, str] = {
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
