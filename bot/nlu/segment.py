"""Sentences and clauses of a message, so that the part that asks decides, not the greeting or the story.

"Hallo! Wir sind seit drei Monaten in Kamen, meine Tochter ist 2. Wie bekomme ich einen Kita-Platz?" is three
parts: a greeting, context, and the question. ranking.py drops the parts that are only a frame (greeting,
thanks, politeness) and weighs the asking part as much as the rest together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Sentence ends in the scripts people write in: . ! ? and their Arabic (؟ ؛ ۔), Ge'ez (። ፧ ፨) and
#: Chinese-keyboard (。！？) forms; newlines; semicolons; and emoji-free runs of dots.
_END = re.compile(r"(?<=[.!?؟؛۔።፧፨。！？;\n])\s*|\s*\n\s*")
_QUESTION = re.compile(r"[?؟፧？]\s*$")
#: Long sentences are also cut at commas, dashes and "but"-like joints, to find a short asking clause.
_CLAUSE = re.compile(r"\s*(?:,|،|—| - )\s*")
LONG_SENTENCE = 14  # words
MAX_PARTS = 5


@dataclass(frozen=True)
class Part:
    """One sentence or clause, and whether it asks (ends with a question mark)."""

    text: str
    asks: bool


def segments(text: str) -> list[Part]:
    """The message's sentences (long ones cut into clauses), at most MAX_PARTS; empty parts are dropped.

    Abbreviations and numbers ("3. Klasse", "z.B.") may split a sentence in two: harmless, since every part is
    also part of the whole.
    """
    parts: list[Part] = []
    for sentence in _END.split(text):
        sentence = sentence.strip()
        if not sentence or not any(ch.isalnum() for ch in sentence):
            continue
        asks = bool(_QUESTION.search(sentence))
        if len(sentence.split()) > LONG_SENTENCE:
            clauses = [c for c in _CLAUSE.split(sentence) if any(ch.isalnum() for ch in c)]
            # Only the last clause of an asking sentence carries its question mark.
            parts += [Part(c, asks and i == len(clauses) - 1) for i, c in enumerate(clauses)]
        else:
            parts.append(Part(sentence, asks))
    if len(parts) > MAX_PARTS:
        # Keep the first and the asking parts: a story in the middle says least.
        asking = [p for p in parts if p.asks][-2:]
        parts = (parts[:MAX_PARTS - len(asking)] + asking)[:MAX_PARTS]
    return parts
