"""Run-time files: found through bot/resources.py, and catalogs that work without `make catalogs`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n, resources

ROOT = Path(__file__).resolve().parent.parent
PROBE = "I found no offers for this near {place}."


def msgstr(lang: str, msgid: str) -> str:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "lotse.po").open("rb") as fh:
        message = read_po(fh, locale=lang).get(msgid)
    assert message is not None and message.string, (lang, msgid)
    return str(message.string)


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of locales/ with the .po files only (as in a checkout before `make catalogs`)."""
    copy = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "LOCALES_DIR", copy)
    i18n.translations.cache_clear()
    yield copy
    i18n.translations.cache_clear()


def test_the_checkout_serves_its_own_top_level_folders() -> None:
    assert resources.checkout() == ROOT
    assert resources.intents_dir() == ROOT / "intents"
    assert resources.locales_dir() == ROOT / "locales"
    assert resources.data_file("gazetteer.csv") == ROOT / "data" / "gazetteer.csv"
    assert resources.package_file("bench", "questions.yaml").is_file()


@pytest.mark.parametrize("lang", ["ar", "uk", "ti", "de"])
def test_without_a_compiled_catalog_the_po_is_used(locales: Path, lang: str) -> None:
    assert not list(locales.rglob("*.mo"))
    with i18n.use(lang):
        shown = i18n.strip_isolates(i18n.gettext(PROBE))
    assert shown == i18n.strip_isolates(msgstr(lang, PROBE))
    assert shown != PROBE


def test_a_stale_compiled_catalog_loses_to_its_edited_po(locales: Path) -> None:
    po = locales / "ar" / "LC_MESSAGES" / "lotse.po"
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"not a catalog")  # would fail to load if it were read
    os.utime(mo, (1, 1))
    with i18n.use("ar"):
        assert i18n.strip_isolates(i18n.gettext(PROBE)) == i18n.strip_isolates(msgstr("ar", PROBE))


def test_a_language_without_any_catalog_fails_loudly(locales: Path) -> None:
    shutil.rmtree(locales / "fa")
    with pytest.raises(i18n.CatalogMissing, match="'fa'"):
        i18n.translations("fa")
    with pytest.raises(i18n.CatalogMissing):
        i18n.load_catalogs()  # what the server runs at start-up


def test_fuzzy_entries_are_not_shown(locales: Path) -> None:
    po = locales / "tr" / "LC_MESSAGES" / "lotse.po"
    text = po.read_text(encoding="utf-8")
    marker = f'msgid "{PROBE}"'
    assert marker in text
    po.write_text(text.replace(marker, "#, fuzzy\n" + marker, 1), encoding="utf-8")
    with i18n.use("tr"):
        assert i18n.gettext(PROBE) == PROBE
