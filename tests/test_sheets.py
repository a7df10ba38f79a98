"""Sheets as offices write them: language columns named in German ("Name (arabisch)"), the category labels people
see in the chat ("Schutz vor Gewalt"), and every message of the admin's import in German."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.offers.db import open_db
from bot.offers.fields import header_field
from bot.offers.importer import import_file
from bot.offers.store import get_offer
from bot.web.admin import accounts
from bot.web.app import create_app

SHEET = ("ID;Name;Name (arabisch);Beschreibung (ukrainisch);Telefon;Kategorie;PLZ;Ort;Notizen intern\n"
         "s1;Frauenberatung Lünen;استشارة النساء;Консультація для жінок;02306 100-0;Schutz vor Gewalt;44532;Lünen;x\n"
         "s2;Begegnungscafé;مقهى;Кафе;02306 100-1;Sport und Freizeit, Junge Menschen;59423;Unna;\n")


@pytest.mark.parametrize(("header", "field"), [
    ("Name (arabisch)", "name_ar"), ("Name (Arabic)", "name_ar"), ("Bezeichnung Farsi", "name_fa"),
    ("Beschreibung (ukrainisch)", "description_uk"), ("Beschreibung Türkisch", "description_tr"),
    ("Name (en)", "name_en"), ("Telefon", "phone"), ("Kategorie", "categories"), ("Notizen intern", None),
])
def test_headers_as_offices_write_them(header: str, field: str | None) -> None:
    assert header_field(header) == field


def test_a_sheet_with_german_language_columns_and_chat_labels_imports(tmp_path: Path) -> None:
    db = open_db(memory=True)
    path = tmp_path / "angebote.csv"
    path.write_text(SHEET, encoding="utf-8")
    result = import_file(db, path, actor="anna")
    assert result.ok, result.errors
    offer = get_offer(db, "s1")
    assert offer is not None and offer.names["ar"] == "استشارة النساء"
    assert offer.descriptions["uk"] == "Консультація для жінок" and offer.categories == ("violence_protection",)
    cafe = get_offer(db, "s2")
    assert cafe is not None and cafe.categories == ("sports_leisure", "youth")
    assert result.warnings == ["column 'Notizen intern' is not an offer field and is ignored"]


async def test_the_admin_says_everything_about_the_sheet_in_german(tmp_path: Path) -> None:
    db_path = tmp_path / "lotse.db"
    db = open_db(db_path)
    accounts.add_user(db, "anna", "sonnenblume-42", "editor")
    db.close()
    async with TestClient(TestServer(create_app(Settings(db_path=db_path)))) as client:
        page = await (await client.get("/admin/login")).text()
        login = re.search(r'name="login_csrf" value="([^"]+)"', page)
        assert login
        await client.post("/admin/login", data={"name": "anna", "password": "sonnenblume-42",
                                                "login_csrf": login.group(1)})
        found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/admin")).text())
        assert found
        form = FormData()
        form.add_field("csrf", found.group(1))
        form.add_field("file", SHEET.encode(), filename="angebote.csv", content_type="text/csv")
        form.add_field("dry_run", "1")
        html = await (await client.post("/admin/import", data=form)).text()
        assert "2 neu" in html and "Die Spalte „Notizen intern“ ist kein Angebotsfeld und wird ausgelassen" in html
        assert "is not an offer field" not in html
        form = FormData()
        form.add_field("csrf", found.group(1))
        form.add_field("file", bytes(range(256)) * 4, filename="kaputt.csv", content_type="text/csv")
        html = await (await client.post("/admin/import", data=form)).text()
        assert "der Text der Datei ist in keiner Kodierung, die Lotse erkennt" in html or "keine Textdatei" in html
