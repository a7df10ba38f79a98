"""The remaining encodings offices' tools write (Shift-JIS without kana, DOS cp850, UTF-32 with and without BOM)
are read right, and every zipped format (XLSX, an HSDS package) passes one guard before anything is unpacked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlite_utils import Database

from bot.offers.db import open_db
from bot.offers.formats import import_path
from bot.offers.importer import ImportFileError, import_file
from bot.offers.store import get_offer

HEADER = "ID;Name;Kategorie;PLZ;Ort"


@pytest.fixture
def db() -> Database:
    return open_db(memory=True)


@pytest.mark.parametrize(("encoding", "bom", "name"), [
    ("shift_jis", b"", "日本語"),  # no kana at all: was read as Windows-1252 ("“ú–{Œê")
    ("cp850", b"", "Männerberatung Süd, Straße"),  # DOS and console tools
    ("cp850", b"", "Beratung für Mütter"),  # ü is a byte Windows-1252 does not have
    ("utf-32", b"", "Kita Lünen Süd – Straße"),  # Python writes the BOM
    ("utf-32-le", b"", "Kita Lünen Süd"),  # no BOM
    ("utf-32-be", b"", "Kita Lünen Süd"),
    ("cp1252", b"", "Café „Miteinander“ – Süd"),  # still Windows-1252, quotes and all
])
def test_offices_encodings_are_read_right(tmp_path: Path, db: Database, encoding: str, bom: bytes,
                                          name: str) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes(bom + f"{HEADER}\nk1;{name};Beratung;44532;Lünen\n".encode(encoding, errors="replace"))
    result = import_file(db, path, actor="test")
    assert result.ok, result.errors
    offer = get_offer(db, "k1")
    assert offer is not None and offer.name == name and offer.city == "Lünen".encode(encoding, "replace").decode(
        encoding)


def test_a_file_in_no_known_encoding_is_refused_with_what_to_do(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        import_file(db, path, actor="test")


def _zeros_member(path: Path, name: str, size: int) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * size)


def test_an_hsds_package_that_unpacks_far_beyond_its_size_is_refused_before_reading(tmp_path: Path,
                                                                                     db: Database) -> None:
    path = tmp_path / "hsds.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("service.csv", "id,name\ns1,Beratung\n")
    _zeros_member(path, "location.csv", 8 * 1024 * 1024)  # 8 MB from about 8 KB
    with pytest.raises(ImportFileError, match="more than 200 times its size"):
        import_path(db, path, actor="test")


def test_an_hsds_package_with_thousands_of_entries_is_refused(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("service.csv", "id,name\ns1,Beratung\n")
        for number in range(1000):
            archive.writestr(f"extra/{number}.csv", "")
    with pytest.raises(ImportFileError, match="1,001 entries; at most 1,000"):
        import_path(db, path, actor="test")


def test_a_workbook_with_a_bomb_inside_is_refused_by_the_same_guard(tmp_path: Path, db: Database) -> None:
    book = Workbook()
    book.active.append(["ID", "Name", "Kategorie", "PLZ"])
    book.active.append(["k1", "Kita A", "Kita", "59423"])
    path = tmp_path / "bomb.xlsx"
    book.save(path)
    _zeros_member(path, "xl/media/image1.bin", 8 * 1024 * 1024)
    with pytest.raises(ImportFileError, match=r"xl/media/image1\.bin of the workbook unpacks to 8 MB"):
        import_file(db, path, actor="test")
