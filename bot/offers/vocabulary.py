"""The words staff use in sheets for languages ("Deutsch, Arabisch"); categories are in bot/offers/categories.py."""

from __future__ import annotations

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
