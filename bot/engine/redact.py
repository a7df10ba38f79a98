"""Redaction: what people write is cleaned of personal data before anything is kept for review.

Phone numbers (German and international, with spaces, dashes, slashes, brackets; also written in Eastern
Arabic or Persian digits), e-mail addresses, IBANs, dates (dates of birth above all) and long digit runs
(case, file and customer numbers) become placeholders: [phone], [email], [iban], [date], [number].
Postcodes (five digits) and short numbers stay: "Kita in 59423" still says where, and "3 Kinder" says nothing
about anyone.
"""

from __future__ import annotations

import re

#: Eastern Arabic (٠-٩) and Persian (۰-۹) digits as ASCII, one character for one, so positions stay the same.
_DIGITS = {zero + n: str(n) for zero in (0x0660, 0x06F0) for n in range(10)}

_MONTHS = (
    "jan(?:uar|uary)?|feb(?:ruar|ruary)?|m(?:ä|ae)rz|mar(?:ch)?|apr(?:il)?|mai|may|jun[ie]?|jul[iy]?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?"
    "|janvier|f[ée]vrier|mars|avril|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
)

#: (placeholder, pattern) in the order they are applied: an e-mail or IBAN holds digits a later rule would take.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[iban]", re.compile(r"\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,3})?\b", re.IGNORECASE)),
    ("[date]", re.compile(r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
                          r"|\d{1,2}\.\d{1,2}\.)(?![\d])")),
    ("[date]", re.compile(rf"(?<!\d)\d{{1,2}}\.?\s*(?:{_MONTHS})\.?(?:\s*\d{{4}}|\s*\d{{2}}(?!\d))?(?!\w)",
                          re.IGNORECASE)),
    # Digits with at most one separator between them (space, dot, dash, slash, brackets): "0176 1234 5678",
    # "+49 (0) 2303 12345", "Az. 12/345678"; what it is is decided by _digits() from its digits.
    ("", re.compile(r"(?:\+|(?<![\w+]))\(?\d(?:[ ./()-]{0,2}\d)+\)?")),
    # Codes of letters and digits ("12345BG0067890", a benefits case number) when they hold a long digit run.
    ("", re.compile(r"\b\w*\d{6,}\w*\b")),
)

PHONE_DIGITS = 7  # "0231 12345" (a short local number) and up
NUMBER_DIGITS = 6  # a run this long is no postcode, year or house number: a case, file or customer number


def _digits(run: str) -> str | None:
    """The placeholder for a digit run, or None to keep it (postcodes, years, ages, "2 Kinder")."""
    digits = sum(ch.isdigit() for ch in run)
    if run.startswith(("+", "00", "(0", "0")) and digits >= PHONE_DIGITS:
        return "[phone]"
    if digits >= NUMBER_DIGITS:
        return "[number]"
    return None


def redact(text: str) -> str:
    """The text with personal data replaced by placeholders (see the module docstring)."""
    ascii_digits = text.translate(_DIGITS)  # the patterns see ASCII digits; the output keeps the writer's own
    spans: list[tuple[int, int, str]] = []
    for placeholder, pattern in RULES:
        for match in pattern.finditer(ascii_digits):
            start, end = match.span()
            if any(start < e and s < end for s, e, _p in spans):
                continue  # already inside an e-mail, IBAN or date
            label = placeholder or _digits(match.group())
            if label:
                spans.append((start, end, label))
    out, at = [], 0
    for start, end, label in sorted(spans):
        out.append(text[at:start])
        out.append(label)
        at = end
    out.append(text[at:])
    return "".join(out)
