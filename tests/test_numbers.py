"""Every phone number a newcomer can read in Lotse is on data/verified_numbers.yaml, with its source.

Scanned: the answers (intents/answers/*.yaml), every catalog (msgid and msgstr), the web page's template and
script, and every string in the code (engine texts, demo data, Telegram texts). A number anywhere else fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.engine.answers import load_answers, national_digits, phone_numbers, unverified_numbers

ROOT = Path(__file__).resolve().parent.parent  # the checkout: these tests read its files

VERIFIED = yaml.safe_load((ROOT / "data" / "verified_numbers.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("Rufen Sie 116 117 an.", ["116 117"]),
        ("TelefonSeelsorge: 0800 111 0 111 oder 0800 111 0 222", ["0800 111 0 111", "0800 111 0 222"]),
        ("Die Brücke, Tel. 02361 / 50 20 12", ["02361 / 50 20 12"]),
        ("KI Heinsberg 02452 / 13-4222", ["02452 / 13-4222"]),
        ("Notruf 112, Polizei 110.", ["112", "110"]),
        ("+49 2361 502012", ["+49 2361 502012"]),
        ("اتصل بالرقم ١١٦ ١١٧ أو ١١٢", ["١١٦ ١١٧", "١١٢"]),  # Arabic-Indic digits
        ("با شماره ۰۸۰۰ ۱۱۱ ۰ ۱۱۱ تماس بگیرید", ["۰۸۰۰ ۱۱۱ ۰ ۱۱۱"]),  # Persian digits
        ("\u2068116 016\u2069 رایگان است", ["116 016"]),  # inside bidi isolates
        ("600 Stunden Deutsch und 100 Stunden Orientierung", []),
        ("seit dem 1. August 2020 in 45657 Recklinghausen, Mo-Fr 08:30-12:00", []),
        ("Kamener Straße 110, 3,5 km, § 24 SGB VIII, offer nrw-05370-1", []),
    ],
)
def test_phone_numbers_are_found_in_every_style(text: str, numbers: list[str]) -> None:
    assert phone_numbers(text) == numbers


def test_an_unknown_number_is_caught() -> None:
    assert unverified_numbers("Rufen Sie 0231 1234567 an oder 116 117.") == ["0231 1234567"]
    assert unverified_numbers("اتصل ب ۰۲۳۱ ۱۲۳۴۵۶۷") == ["۰۲۳۱ ۱۲۳۴۵۶۷"]
    assert unverified_numbers("+49 2361 502012") == []  # the same number as 02361 / 50 20 12


def test_every_verified_number_has_a_source() -> None:
    assert {national_digits(e["number"]) for e in VERIFIED} >= {"112", "110", "116117", "116016"}
    for entry in VERIFIED:
        assert str(entry.get("source", "")).startswith(("http://", "https://")), entry
        assert entry.get("what"), entry


def texts_in_code() -> list[tuple[str, str]]:
    """Every string constant of the code a person can be shown (docstrings are for developers).

    bot/i18n.py and bot/engine/answers.py are left out: they hold the digit tables of the number detector itself.
    """
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in ("bot/i18n.py", "bot/engine/answers.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


def texts_in_catalogs() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "locales").rglob("*.po")):
        with path.open("rb") as fh:
            for msg in read_po(fh):
                for text in [*(msg.id if isinstance(msg.id, tuple) else (msg.id,)),
                             *(msg.string if isinstance(msg.string, tuple) else (msg.string,))]:
                    found.append((f"{path.relative_to(ROOT)}: {msg.id!r}", str(text)))
    return found


def texts_in_pages() -> list[tuple[str, str]]:
    web = ROOT / "bot" / "web"
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
            for p in sorted([*web.glob("templates/*"), *web.glob("static/*.js"), *web.glob("static/*.html")])]


def texts_in_answers() -> list[tuple[str, str]]:
    return [(f"intents/answers/{a.id}.yaml [{lang}]", text)
            for a in load_answers().values() for lang, text in a.text.items()]


@pytest.mark.parametrize("source", [texts_in_answers, texts_in_catalogs, texts_in_pages, texts_in_code])
def test_every_phone_number_shown_is_verified(source: object) -> None:
    assert callable(source)
    texts: list[tuple[str, str]] = source()
    assert texts
    bad = [(where, number) for where, text in texts for number in unverified_numbers(text)]
    assert bad == [], "numbers not on data/verified_numbers.yaml:\n" + "\n".join(f"{w}: {n}" for w, n in bad)


def test_the_scan_reaches_the_answers_that_carry_numbers() -> None:
    # Guard against a scan that silently finds nothing: the emergency answer shows at least 112 and 110.
    emergency = [n for where, text in texts_in_answers() if "emergency.yaml" in where for n in phone_numbers(text)]
    assert {"112", "110"} <= {national_digits(n) for n in emergency}
