"""Catalogs, plural forms, locale formatting and right-to-left text: what a person reads in their language."""

from __future__ import annotations

import asyncio
import gettext as pygettext
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import FSI, LANGUAGES, PDI, isolate_ltr_runs, strip_isolates

ROOT = Path(__file__).resolve().parent.parent  # the checkout: these tests read its files

LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalog(lang: str) -> Catalog:
    with (LOCALES / lang / "LC_MESSAGES" / "lotse.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def template() -> Catalog:
    with (LOCALES / "lotse.pot").open("rb") as fh:
        return read_po(fh)


def messages(cat: Catalog) -> list[Message]:
    return [m for m in cat if m.id]


def plural_function(lang: str) -> Callable[[int], int]:
    """The form index the catalog's own Plural-Forms header picks for n (as gettext does at run time)."""
    return pygettext.c2py(catalog(lang).plural_expr)


def integer_categories(lang: str) -> list[str]:
    """The CLDR plural categories (via babel) that whole numbers reach, in gettext's order."""
    rule = Locale.parse(lang).plural_form
    order = ["zero", "one", "two", "few", "many", "other"]
    return sorted({rule(n) for n in range(0, 1001)}, key=order.index)


# -- catalogs ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_catalog_is_complete_without_fuzzy_entries(lang: str) -> None:
    cat = catalog(lang)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in messages(template())}
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in messages(cat)}
    assert not wanted - set(have), f"{lang}: not in the catalog (run `make i18n`): {sorted(wanted - set(have))}"
    assert not cat.fuzzy, f"{lang}: the catalog header is marked fuzzy"
    for key in wanted:
        msg = have[key]
        assert "fuzzy" not in msg.flags, f"{lang}: fuzzy entry {key!r}"
        forms = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if lang == "en":
            continue  # English shows the msgids themselves
        assert all(f.strip() for f in forms), f"{lang}: untranslated {key!r}"
        assert len(forms) == (cat.num_plurals if isinstance(msg.id, tuple) else 1), f"{lang}: forms of {key!r}"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_placeholders_are_identical_in_msgid_and_msgstr(lang: str) -> None:
    for msg in messages(catalog(lang)):
        if isinstance(msg.id, str):
            assert set(PLACEHOLDER.findall(msg.id)) == set(PLACEHOLDER.findall(str(msg.string))), (lang, msg.id)
            continue
        wanted = set(PLACEHOLDER.findall(msg.id[0])) | set(PLACEHOLDER.findall(msg.id[1]))
        for index, form in enumerate(msg.string):
            found = set(PLACEHOLDER.findall(form))
            # Plural forms may spell the number out ("عرضًا واحدًا", one offer) but never name another placeholder
            # and never drop one that is not the count.
            assert found <= wanted, (lang, index, form)
            assert wanted - {"{n}"} <= found, (lang, index, form)
        assert "{n}" in msg.string[-1], (lang, "the general plural form must show the number")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_plural_forms_header_follows_cldr(lang: str) -> None:
    """The catalog's Plural-Forms picks the form CLDR (via babel) names for every count a person may see."""
    rule = Locale.parse(lang).plural_form
    seen = integer_categories(lang)
    assert catalog(lang).num_plurals == len(seen), f"{lang}: CLDR has {len(seen)} forms for whole numbers: {seen}"
    pick = plural_function(lang)
    for n in range(0, 1001):
        assert pick(n) == seen.index(rule(n)), f"{lang}: wrong form for n={n}"


@pytest.mark.parametrize(
    "lang, forms",
    [
        ("ar", 6),
        ("ru", 3),
        ("uk", 3),
    ],
)
def test_ngettext_picks_the_right_form(lang: str, forms: int) -> None:
    msg = catalog(lang).get(("I found {n} offer near {place}:", "I found {n} offers near {place}:"))
    assert msg is not None and len(msg.string) == forms
    rule = Locale.parse(lang).plural_form
    order = integer_categories(lang)
    with i18n.use(lang):
        for n in (1, 2, 5, 11, 21, 100):
            shown = i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", n)
            assert strip_isolates(shown) == msg.string[order.index(rule(n))], (lang, n)


def test_plural_words_a_native_speaker_expects() -> None:
    def offers(lang: str, n: int) -> str:
        with i18n.use(lang):
            return i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", n)

    assert "предложение:" in offers("ru", 1) and "предложение:" in offers("ru", 21)
    assert "предложения:" in offers("ru", 2) and "предложений:" in offers("ru", 5)
    assert "предложений:" in offers("ru", 11) and "предложений:" in offers("ru", 100)
    assert "пропозицію:" in offers("uk", 21) and "пропозиції:" in offers("uk", 3) and "пропозицій:" in offers("uk", 11)
    assert "عرضين" in offers("ar", 2) and "عروض" in offers("ar", 5) and "عرضًا" in offers("ar", 11)
    assert "Angebot " in offers("de", 1) and "Angebote " in offers("de", 2)
    with i18n.use("en"):
        assert i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", 1).startswith(
            "I found {n} offer ")


def test_language_picker_names_each_language_in_its_own_name() -> None:
    assert LANGUAGES["ar"] == "العربية" and LANGUAGES["uk"] == "Українська" and LANGUAGES["ti"] == "ትግርኛ"
    assert len(LANGUAGES) == 12 and all(name.strip() for name in LANGUAGES.values())


# -- locale formatting ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lang, km, shown",
    [
        ("de", 3.24, "3,2 km"),
        ("en", 3.24, "3.2 km"),
        ("de", 0.456, "460 m"),
        ("ru", 12.0, "12 км"),
        ("fa", 3.24, "۳٫۲ کیلومتر"),
        ("ar", 3.24, "3.2 كم"),
        ("de", 25.4, "25 km"),
    ],
)
def test_distances_are_formatted_for_the_locale(lang: str, km: float, shown: str) -> None:
    with i18n.use(lang):
        assert strip_isolates(i18n.format_distance(km)) == shown


async def test_locale_does_not_leak_between_concurrent_conversations() -> None:
    async def conversation(lang: str) -> list[str]:
        seen = []
        with i18n.use(lang):
            for _ in range(5):
                await asyncio.sleep(0)
                seen.append(i18n.gettext("Send"))
        return seen

    german, ukrainian = await asyncio.gather(conversation("de"), conversation("uk"))
    assert set(german) == {"Senden"} and set(ukrainian) == {"Надіслати"}
    assert i18n.current() == i18n.DEFAULT_LANG


def test_normalise_lang_maps_browser_and_iso_codes() -> None:
    assert i18n.normalise_lang("de-DE") == "de" and i18n.normalise_lang("prs") == "fa"
    assert i18n.normalise_lang("kmr") == "ku" and i18n.normalise_lang("pt-BR") is None


# -- right to left -------------------------------------------------------------------------------------------
def isolated(text: str) -> list[str]:
    return re.findall(f"{FSI}([^{PDI}]*){PDI}", text)


def outside(text: str) -> str:
    return re.sub(f"{FSI}[^{PDI}]*{PDI}", "", text)


def test_phone_numbers_keep_their_order_inside_arabic() -> None:
    text = isolate_ltr_runs("اتصل بالرقم 116 117 أو 112.", "ar")
    assert isolated(text) == ["116 117", "112"]
    assert outside(text).endswith(".")  # the full stop stays outside, at the sentence's (left) end


def test_office_words_and_addresses_are_isolated_whole() -> None:
    text = isolate_ltr_runs(
        "اسأل مكتب (Ausländerbehörde) في Kamener Straße 110, Unna، ثم Kita (Kindertagesstätte) هنا", "ar")
    assert isolated(text) == ["Ausländerbehörde", "Kamener Straße 110, Unna", "Kita (Kindertagesstätte)"]
    assert not re.search("[A-Za-z0-9]", outside(text))
    assert outside(text).count("(") == outside(text).count(")")


def test_isolation_is_idempotent_and_leaves_ltr_text_and_placeholders_alone() -> None:
    once = isolate_ltr_runs("وجدت {n} عروض قرب {place}: Kita", "ar")
    assert "{n}" in once and "{place}" in once and isolated(once) == ["Kita"]
    assert isolate_ltr_runs(once, "ar") == once
    assert isolate_ltr_runs("Kita in Unna, 116 117", "de") == "Kita in Unna, 116 117"
    assert isolated(isolate_ltr_runs("شماره ۰۸۰۰ ۱۱۱ ۰ ۱۱۱ رایگان است", "fa")) == ["۰۸۰۰ ۱۱۱ ۰ ۱۱۱"]


def test_urls_are_isolated_without_the_sentence_punctuation() -> None:
    text = isolate_ltr_runs("الموقع: https://www.integrationsportal-kreis-heinsberg.de/. شكرًا", "ar")
    assert isolated(text) == ["https://www.integrationsportal-kreis-heinsberg.de/"]


@pytest.mark.parametrize("lang", sorted(i18n.RTL_LANGUAGES))
def test_rtl_translations_isolate_their_latin_words(lang: str) -> None:
    with i18n.use(lang):
        label = i18n.gettext("Kita (daycare)")
    assert "Kita" in isolated(label) and not re.search("[A-Za-z]", outside(label))


def test_compiled_catalogs_are_build_products() -> None:
    # The catalogs are compiled during set-up, never committed (a stale .mo would show old texts).
    tracked = (ROOT / ".gitignore").read_text(encoding="utf-8") if (ROOT / ".gitignore").exists() else ""
    assert "*.mo" in tracked or "lotse.mo" in tracked
    assert "pybabel extract" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_lotse_i18n_check_reports_every_language() -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["i18n", "check"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line[:2] in LANGUAGES]
    assert len(rows) == 12 and all("/" in row for row in rows)
    assert result.output.strip().endswith("all complete")


def test_the_check_fails_on_a_topic_button_without_a_translated_label() -> None:
    from dataclasses import replace

    from bot import i18n_cli
    from bot.nlu.intents import load_intents

    intents = load_intents(strict=False)
    assert i18n_cli.label_problems(intents, "en") == []
    assert i18n_cli.label_problems(intents, "ar") == []
    intents["kita"] = replace(intents["kita"], label="")
    intents["school"] = replace(intents["school"], label="A label nobody translated")
    assert any("'kita'" in p and "id would be shown" in p for p in i18n_cli.label_problems(intents, "en"))
    assert any("A label nobody translated" in p for p in i18n_cli.label_problems(intents, "de"))
