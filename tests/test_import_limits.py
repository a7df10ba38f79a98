"""Imports within limits: XLSX bombs refused in seconds and little memory, size/row/cell/problem limits,
encodings as spreadsheets write them, impossible coordinates, a full disk; the web admin imports off the loop."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from aiohttp import ClientResponse, FormData
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db
from openpyxl import Workbook
from serving import first_admin
from sqlite_utils import Database

from bot.config import Settings
from bot.offers.db import open_db
from bot.offers.importer import LIMITS, ImportFileError, import_file
from bot.offers.store import get_offer
from bot.web.app import create_app

HEADER = "id;Name;Kategorie;PLZ;Ort"


@pytest.fixture
def db() -> Database:
    return open_db(memory=True)


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["id", "Name", "Kategorie", "PLZ", "lat", "lon"], *rows]:
        sheet.append(row)
    book.save(path)
    return path


def rewrite(path: Path, out: Path, replace: dict[str, bytes], stream: dict[str, tuple[bytes, int]]) -> Path:
    """A copy of a workbook with members replaced, and new members streamed as head + `n` MB of 'a' (bombs)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename) or src.read(item.filename))
        for name, (head, megabytes) in stream.items():
            with dst.open(name, "w", force_zip64=True) as member:
                member.write(head)
                chunk = b"a" * (1 << 20)
                for _ in range(megabytes):
                    member.write(chunk)
                member.write(b"</t></si></sst>")
    return out


def shared_strings_bomb(small: Path, out: Path, megabytes: int) -> Path:
    """The workbook with its B2 cell taken from a shared-strings part whose one string has `megabytes` MB."""
    with zipfile.ZipFile(small) as book:
        types, rels = book.read("[Content_Types].xml"), book.read("xl/_rels/workbook.xml.rels")
        sheet = book.read("xl/worksheets/sheet1.xml")
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = types.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}'
                          '.sharedStrings+xml"/></Types>'.encode())
    rels = rels.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
                        b'2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>')
    sheet, n = re.subn(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="B2" t="s"><v>0</v></c>', sheet)
    assert n == 1
    head = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            b"<si><t>")
    return rewrite(small, out, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                                "xl/worksheets/sheet1.xml": sheet}, {"xl/sharedStrings.xml": (head, megabytes)})


#: Starts the command and reports its peak memory. Linux counts the memory a process had before exec in its peak,
#: so a child forked straight from this test process (which holds the NLU models) would look big: a small
#: process in between forks the import instead.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_pid, status, usage = os.wait4(proc.pid, 0)
print(f"peak-kb={usage.ru_maxrss} rc={os.waitstatus_to_exitcode(status)}", flush=True)
"""


def import_in_child(path: Path, tmp: Path) -> tuple[int, str]:
    """`lotse offers import --dry-run` as its own process: peak memory (MB) and what it said.

    Memory, not time, shows that a bomb was refused before it was unpacked: it does not depend on how busy the
    machine is (the time it takes belongs in `lotse bench`)."""
    env = {**os.environ, "LOTSE_DB": str(tmp / "child.db")}
    command = [sys.executable, "-m", "bot", "offers", "import", str(path), "--dry-run"]
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], env=env, capture_output=True)
    output = (done.stdout + done.stderr).decode(errors="replace")
    found = re.search(r"peak-kb=(\d+) rc=(-?\d+)", output)
    assert found, output
    return int(found.group(1)) // 1024, output.replace(found.group(0), "")


def test_a_small_shared_strings_part_is_read(tmp_path: Path, db: Database) -> None:
    """The bomb's construction is a real workbook: with a 1 MB string it imports (and the cell is too long)."""
    small = workbook(tmp_path / "small.xlsx", [["k1", "Kita A", "Kita", "59423", None, None]])
    path = shared_strings_bomb(small, tmp_path / "one.xlsx", 1)
    with pytest.raises(ImportFileError, match="line 2: a cell has 1,048,576 characters"):
        import_file(db, path, actor="test", dry_run=True)


@pytest.mark.slow
def test_dimension_bomb_is_refused_in_little_memory(tmp_path: Path) -> None:
    small = workbook(tmp_path / "small.xlsx", [["k1", "Kita A", "Kita", "59423", None, None]])
    with zipfile.ZipFile(small) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    bomb = re.sub(rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:XFD1048576"', sheet)
    assert bomb != sheet
    path = rewrite(small, tmp_path / "dimension.xlsx", {"xl/worksheets/sheet1.xml": bomb}, {})
    assert path.stat().st_size < 10_000
    megabytes, output = import_in_child(path, tmp_path)
    assert "declares 16,384 columns and 1,048,576 rows" in output, output
    assert megabytes < 300, megabytes


@pytest.mark.slow
def test_shared_string_bomb_of_1_gb_is_refused_in_little_memory(tmp_path: Path) -> None:
    small = workbook(tmp_path / "small.xlsx", [["k1", "Kita A", "Kita", "59423", None, None]])
    path = shared_strings_bomb(small, tmp_path / "strings.xlsx", 1024)
    assert path.stat().st_size < 5_000_000  # about 1 GB once unpacked
    megabytes, output = import_in_child(path, tmp_path)
    assert "the workbook unpacks to 1024 MB" in output, output
    assert megabytes < 300, megabytes


def test_sparse_sheet_reads_no_more_than_the_row_limit(tmp_path: Path, db: Database) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Kategorie", "PLZ"])
    sheet.cell(row=1_000_000, column=1, value="far away")  # declared honestly: beyond the row limit
    book.save(tmp_path / "sparse.xlsx")
    with pytest.raises(ImportFileError, match="rows"):
        import_file(db, tmp_path / "sparse.xlsx", actor="test", dry_run=True)


def test_a_cell_over_the_csv_modules_limit_is_a_clear_error(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "long.csv"
    path.write_text(f"{HEADER}\nk1;{'x' * 140_000};Kita;59423;Unna\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2: a cell has 140,000 characters"):
        import_file(db, path, actor="test")


def test_too_many_rows_and_too_large_files_are_refused(tmp_path: Path, db: Database) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + "\n" + "".join(f"k{i};Kita {i};Kita;59423;Unna\n" for i in range(LIMITS.rows + 1)))
    with pytest.raises(ImportFileError, match="more than 20,000 rows"):
        import_file(db, rows, actor="test", dry_run=True)
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.truncate(LIMITS.file_bytes + 1)
    with pytest.raises(ImportFileError, match="at most 20 MB"):
        import_file(db, big, actor="test")


def test_only_the_first_problems_are_listed_and_the_rest_counted(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n" + "".join(f"k{i};Kita {i};Kitta;59423;Unna\n" for i in range(1000)))
    result = import_file(db, path, actor="test")
    assert len(result.errors) == LIMITS.problems + 1 and result.problem_count == 1000
    assert str(result.errors[-1]) == "…: and 800 more problems (only the first 200 are listed)"


@pytest.mark.parametrize("encoding, bom", [
    ("mac_roman", b""), ("cp1252", b""), ("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b""),
    ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""),
])
def test_encodings_spreadsheets_write(tmp_path: Path, db: Database, encoding: str, bom: bytes) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes(bom + f"{HEADER}\nk1;Kita Lünen Süd – Straße;Kita;44532;Lünen\n".encode(encoding))
    result = import_file(db, path, actor="test")
    assert result.ok, result.errors
    offer = get_offer(db, "k1")
    assert offer is not None and offer.name == "Kita Lünen Süd – Straße"


def test_shift_jis_is_read_as_japanese(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes(f"{HEADER};name_ja\nk1;日本語クラス;Deutschkurs;44532;Lünen;\n".encode("shift_jis",
                                                                                        errors="replace"))
    result = import_file(db, path, actor="test", dry_run=True)
    assert result.ok, result.errors
    assert result.added[0].new["name_de"] == "日本語クラス"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "NaN"])
def test_non_finite_coordinates_are_problems_not_tracebacks(tmp_path: Path, db: Database, value: str) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text(f"Name;Kategorie;PLZ;lat;lon\nKita A;Kita;59423;{value};7.6\n")
    [problem] = import_file(db, csv, actor="test").errors
    assert problem.line == 2 and "is not a number" in problem.message
    data = tmp_path / "c.json"
    data.write_text(f'[{{"Name": "Kita A", "Kategorie": "Kita", "PLZ": "59423", "lat": {value}, "lon": 7.6}}]'
                    .replace("inf", "Infinity").replace("nan", "NaN"))
    [problem] = import_file(db, data, actor="test").errors
    assert "is not a number" in problem.message
    # openpyxl writes nan as an empty cell: the number goes into the sheet's XML as Excel would store it.
    sheet = workbook(tmp_path / "c.xlsx", [["k1", "Kita A", "Kita", "59423", 12.345, 7.6]])
    with zipfile.ZipFile(sheet) as book:
        xml = book.read("xl/worksheets/sheet1.xml").replace(b"<v>12.345</v>", f"<v>{value}</v>".encode())
    rewrite(sheet, tmp_path / "c2.xlsx", {"xl/worksheets/sheet1.xml": xml}, {})
    try:
        [problem] = import_file(db, tmp_path / "c2.xlsx", actor="test").errors
        assert "is not a number" in problem.message
    except ImportFileError as exc:  # "nan" without a decimal point is no number to openpyxl at all
        assert str(exc).startswith("line 2: a cell cannot be read")


def test_full_disk_is_a_clear_error_and_nothing_is_written(tmp_path: Path) -> None:
    db = open_db(tmp_path / "full.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL as on a full disk
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n" + "".join(f"k{i};Kita {i} {'lang ' * 50};Kita;59423;Unna\n" for i in range(300)))
    with pytest.raises(ImportFileError, match="the disk is full"):
        import_file(db, path, actor="test")
    assert db.execute("SELECT count(*) FROM offers").fetchone()[0] == 0


async def chat_until(client: TestClient, session: str, done: asyncio.Task[object]) -> list[int]:
    """One person talking until the import is done (at least twice): the status of every answer."""
    statuses: list[int] = []
    while not done.done() or len(statuses) < 2:
        resp = await client.post("/api/chat", json={"session": session, "text": "Kita in Unna"})
        statuses.append(resp.status)
        await resp.read()
    return statuses


async def test_twenty_chats_get_answers_while_the_admin_imports(tmp_path: Path) -> None:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    rows = "".join(f"x{i};Kita {i};Kita;59423;Unna\n" for i in range(LIMITS.rows))
    settings = Settings(db_path=db_path, rate_burst=10**6, rate_per_minute=10**6, address_per_minute=10**7,
                        web_per_minute=10**7, new_sessions_per_minute=10**7)
    async with TestClient(TestServer(create_app(settings))) as client:
        await first_admin(client)  # the first account, through the one-time set-up link
        # As the admin's own form sends it: its CSRF token first.
        token = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/admin")).text())
        assert token is not None
        form = FormData()
        form.add_field("csrf", token.group(1))
        form.add_field("file", (HEADER + "\n" + rows).encode(), filename="many.csv", content_type="text/csv")
        upload: asyncio.Task[object] = asyncio.create_task(client.post("/admin/import", data=form))
        talking = [asyncio.create_task(chat_until(client, f"during{n}", upload)) for n in range(20)]
        pages = 0
        while not upload.done():  # the page is served by the event loop alone, all the time the import runs
            resp = await client.get("/")
            assert resp.status == 200
            pages += 1
        talks = await asyncio.gather(*talking)
        answer = upload.result()
        assert isinstance(answer, ClientResponse)
        assert answer.status == 200 and "20000 neu" in (await answer.text()).replace(".", "")
    assert pages >= 1
    assert all(status == 200 for statuses in talks for status in statuses), talks  # never "database is locked"
