"""Reading import files: CSV, XLSX and JSON into (headers, records), within limits, whatever the file claims.

Limits (`Limits`): the file's size, the number of rows, the length of a cell and, for XLSX, the declared sheet
dimension and the decompressed size of every zip member. An XLSX is a zip of XML: 2 KB that declare a sheet of
16,384 x 1,048,576 cells kept openpyxl padding empty rows for minutes, and a shared string that inflates to 1 GB
took 5.7 GB of memory. Both are refused here from the zip directory and the sheet's own <dimension> before a
cell is parsed, and reading stops at the row limit whatever the sheet says.

CSV text: UTF-8 (with or without BOM), UTF-32 and UTF-16 (BOM, or the zero bytes of ASCII text without one), else
the likeliest of Windows-1252, MacRoman and DOS cp850 (German Excel on Windows, old Macs, DOS tools: the one in
which umlauts read as letters inside words), or Shift-JIS for Japanese text; a file that is none of these gets a
message that says how to save it as UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.offers.archive import ArchiveError, check_archive
from bot.offers.fields import LostLetters, header_field, lost_letters

Record = tuple[int | str, dict[str, Any]]  # (line number or "entry N", cells by header)
SAVE_AS_UTF8 = "In Excel choose 'Save as' > 'CSV UTF-8'."


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no header, over a limit)."""


@dataclass(frozen=True)
class Limits:
    """What one import may be. A district's offers are a few thousand rows; these leave room and stop bombs."""

    file_bytes: int = 20 * 1024 * 1024
    rows: int = 20_000
    cell_chars: int = 10_000
    columns: int = 200
    xlsx_member_bytes: int = 64 * 1024 * 1024  # one decompressed part of the workbook (a sheet, shared strings)
    xlsx_total_bytes: int = 128 * 1024 * 1024  # every zipped format: what all parts unpack to together
    archive_entries: int = 1000  # a workbook has a few dozen parts, an HSDS package a dozen tables
    archive_ratio: int = 200  # a part over 4 MB may unpack to at most this many times its packed size
    problems: int = 200  # reported; the rest are counted


LIMITS = Limits()


def mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ImportFileError(f"the file has {mb(size)}; at most {mb(limits.file_bytes)} can be imported at once")


# -- text encodings -----------------------------------------------------------------------------------------
# Letters German (and French, Turkish) offer lists are full of, and characters that show up only when the bytes
# were read in the wrong encoding ("Š" for MacRoman's "ä", "√§" for UTF-8 read as MacRoman).
_GOOD = set("äöüÄÖÜßéèêàâçëïîôûùÉÈÇşğıŞĞİ€–„“”’")
_BAD = set("ŠšŸ§†‡…‰ŒœŽž¶∂∑∏π∫ªºΩ√≈∆«»¬ƒ¿¡ÃÂ")
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters: not a text file
_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")


def _score(text: str) -> int:
    return sum(ch in _GOOD for ch in text) - 3 * sum(ch in _BAD for ch in text)


def decode(data: bytes) -> str:
    """The file's text (see the module doc for the encodings recognised)."""
    return decode_as(data)[0]


def decode_as(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in ("utf-8", "utf-16", "utf-32", "cp1252", "mac_roman", "cp850",
    "shift_jis")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8"), "utf-8"
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: its BOM starts the same
        return _strict(data, "utf-32"), "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    head = data[:4096]
    if len(head) >= 8 and len(data) % 4 == 0 and head.count(0) * 4 >= len(head) * 2.9:
        # ASCII in UTF-32: three of every four bytes are zero
        return _strict(data, "utf-32-le" if head[1] == 0 and head[0] != 0 else "utf-32-be"), "utf-32"
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # ASCII in UTF-16: every other byte is zero
        return _strict(data, "utf-16-le" if head[1] == 0 else "utf-16-be"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    windows = _or_none(data, "cp1252")
    mac = data.decode("mac_roman")  # every byte is a MacRoman character: it needs evidence, not just no error
    if _BINARY.search(mac) is not None:
        raise ImportFileError(f"this is not a text file; {SAVE_AS_UTF8}")
    dos = data.decode("cp850")  # every byte is a character here too
    words = {name: _word_score(text) for name, text in (("cp1252", windows), ("mac_roman", mac), ("cp850", dos))
             if text is not None}
    japanese = _or_none(data, "shift_jis")
    if japanese is not None and (_KANA.search(japanese) or max(words.values()) <= 0):
        # German text in Windows-1252 often decodes as Shift-JIS too (ä + next letter make a kanji), but never to
        # kana, and never leaves no German word behind: Japanese text is full of kana, or at least no umlaut
        # reads as a letter inside a word in any of the European encodings.
        non_ascii = [ch for ch in japanese if ord(ch) > 127]
        if non_ascii and sum(bool(_JAPANESE.match(ch)) for ch in non_ascii) >= 0.8 * len(non_ascii):
            return japanese, "shift_jis"
    if words["cp850"] >= 2 and words["cp850"] > max(words.get("cp1252", -(10**9)), words["mac_roman"]):
        return dos, "cp850"  # DOS and old Windows console tools: "M\x84nner" is "Männer" there (two such words)
    ws, ms = (_score(windows) if windows is not None else -(10**9)), _score(mac)
    if windows is not None and (ws >= ms > 0 or (ms <= 0 and ws >= 0)):  # umlauts read right, or plain text
        return windows, "cp1252"
    if ms > 0:
        return mac, "mac_roman"
    raise ImportFileError("the file's text is not in an encoding Lotse recognises (UTF-8, UTF-16, UTF-32, "
                          f"Windows-1252, MacRoman, DOS cp850, Shift-JIS); is it an Excel file saved with a .csv name? "
                          f"{SAVE_AS_UTF8}")


_UMLAUT_IN_WORD = re.compile(r"(?<=[A-Za-z])[äöüß]|[ÄÖÜäöü](?=[a-z])")
_QUOTE_IN_WORD = re.compile(r"(?<=[A-Za-z])[„“”‚‘’…†‡•ŠŒŽšœžŸ√∂ƒ∆«»¬][A-Za-z]")


def _word_score(text: str) -> int:
    """How German the text reads: umlauts inside words count, quotes and symbols inside words count against."""
    return len(_UMLAUT_IN_WORD.findall(text)) - 2 * len(_QUOTE_IN_WORD.findall(text))


def _or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(f"the file starts like {encoding.upper()} text but is not; {SAVE_AS_UTF8}") from None


# -- CSV ----------------------------------------------------------------------------------------------------
def read_csv(data: bytes, limits: Limits = LIMITS) -> tuple[list[str], Iterator[Record]]:
    """Headers and records of a CSV file, with the line each record starts on."""
    if len(data) > limits.file_bytes:
        raise ImportFileError(f"the file has {mb(len(data))}; at most {mb(limits.file_bytes)} can be imported")
    text, encoding = decode_as(data)
    first = text.split("\n", 1)[0]
    # The header line decides the separator: German Excel writes ";", others ",", some tools tabs.
    delimiter = max(",;\t", key=first.count)
    # The csv module's own limit (131,072 characters) ends in an error without a line; ours is checked per row.
    csv.field_size_limit(max(csv.field_size_limit(), limits.file_bytes))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise ImportFileError("the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(f"line 1: {exc}") from None
    _check_headers(headers, limits)

    fields = {h: header_field(h) for h in headers}

    def records() -> Iterator[Record]:
        # The row number a spreadsheet shows: a cell with a line break inside stays one row there.
        row = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFileError(f"line {reader.line_num}: {exc}") from None
            row += 1
            _check_row(row, cells, limits)
            record: dict[str, Any] = dict(zip(headers, cells, strict=False))
            if encoding == "cp1252":
                # Excel's "CSV (Trennzeichen-getrennt)" turns Arabic or Cyrillic letters into '?': mark such
                # cells, so the row is refused instead of overwriting the names with question marks.
                record = {h: LostLetters(v) if lost_letters(fields[h], v) else v for h, v in record.items()}
            yield row, record

    return headers, records()


def _check_headers(headers: list[str], limits: Limits) -> None:
    if len(headers) > limits.columns:
        raise ImportFileError(f"the file has {len(headers)} columns; an offer has at most {limits.columns}")
    _check_row(1, headers, limits)


def _check_row(row: int, cells: Any, limits: Limits, where: str | None = None) -> None:
    if row > limits.rows + 1:
        raise ImportFileError(f"the file has more than {limits.rows:,} rows; split it into smaller files")
    for cell in cells:
        if isinstance(cell, str) and len(cell) > limits.cell_chars:
            raise ImportFileError(f"{where or f'line {row}'}: a cell has {len(cell):,} characters; at most "
                                  f"{limits.cell_chars:,} are allowed")


# -- XLSX ---------------------------------------------------------------------------------------------------
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_xlsx(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse a workbook whose parts inflate beyond the limits or whose first sheet declares too many cells."""
    try:
        members = check_archive(path, limits, "workbook")
        sheets = sorted(m.filename for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m.filename))
        if sheets:
            with zipfile.ZipFile(path) as book, book.open(sheets[0]) as sheet:
                head = sheet.read(4096)  # <dimension> comes right after <sheetPr>, at the start
            _check_dimension(head, limits)
    except ArchiveError as exc:
        raise ImportFileError(str(exc)) from None
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"cannot read the workbook: {exc}") from None


def _check_dimension(head: bytes, limits: Limits) -> None:
    found = _DIMENSION.search(head)
    if found is None or found.group(3) is None:
        return
    rows, columns = int(found.group(4)), _column_number(found.group(3))
    if rows > limits.rows + 1 or columns > limits.columns:
        raise ImportFileError(f"the sheet declares {columns:,} columns and {rows:,} rows; at most "
                              f"{limits.columns} columns and {limits.rows:,} rows can be imported")


def read_xlsx(path: Path, limits: Limits = LIMITS) -> tuple[list[str], Iterator[Record]]:
    """Headers and records of the first sheet of an Excel workbook."""
    from openpyxl import load_workbook

    check_size(path, limits)
    check_xlsx(path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        # Bounded however many cells the sheet claims: never more rows or columns than the limits.
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(values_only=True, max_row=1, max_col=limits.columns), None)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"cannot read the workbook: {exc}") from exc
    if first is None:
        raise ImportFileError("the sheet is empty")
    headers = ["" if h is None else str(h) for h in first]
    while headers and not headers[-1]:
        headers.pop()  # a sheet padded to more columns than it uses
    _check_headers(headers, limits)
    rows = sheet.iter_rows(values_only=True, min_row=2, max_row=limits.rows + 2, max_col=max(1, len(headers)))

    def records() -> Iterator[Record]:
        number = 1
        try:
            for number, cells in enumerate(rows, start=2):
                _check_row(number, cells, limits)
                yield number, {h: _cell(v) for h, v in zip(headers, cells, strict=False)}
        except ImportFileError:
            raise
        except Exception as exc:  # a cell openpyxl cannot read (a number such as "nan"), broken XML
            raise ImportFileError(f"line {number + 1}: a cell cannot be read ({exc})") from exc
        finally:
            book.close()

    return headers, records()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- JSON ---------------------------------------------------------------------------------------------------
def read_json(data: bytes, limits: Limits = LIMITS) -> tuple[list[str], Iterator[Record]]:
    """Headers (union of keys) and records of a JSON list of objects."""
    if len(data) > limits.file_bytes:
        raise ImportFileError(f"the file has {mb(len(data))}; at most {mb(limits.file_bytes)} can be imported")
    try:
        doc = json.loads(decode(data))
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise ImportFileError(f"not valid JSON: {exc}") from exc
    items = doc.get("offers") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ImportFileError('JSON must be a list of objects (or {"offers": [...]})')
    if len(items) > limits.rows:
        raise ImportFileError(f"the file has {len(items):,} entries; at most {limits.rows:,} can be imported")
    headers = list(dict.fromkeys(str(k) for item in items for k in item))
    _check_headers(headers, limits)

    def value(v: Any) -> Any:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, list):
            return ",".join(str(x) for x in v)
        if isinstance(v, int) and abs(v) > 10**18:
            return str(v)[:40]  # a giant integer is no offer field; keep it printable for the error message
        return v

    def records() -> Iterator[Record]:
        for n, item in enumerate(items, 1):
            cells = {str(k): value(v) for k, v in item.items()}
            _check_row(n + 1, cells.values(), limits, f"entry {n}")
            yield f"entry {n}", cells

    return headers, records()


def read_file(path: Path, limits: Limits = LIMITS) -> tuple[list[str], Iterator[Record], bool]:
    """Headers, records, and whether cells may carry export's formula escaping (CSV and XLSX do)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".json", ".csv", ".txt", ".tsv"):
        raise ImportFileError(f"unknown file type '{suffix}' (use .csv, .xlsx or .json)")
    check_size(path, limits)
    if suffix in (".xlsx", ".xlsm"):
        return (*read_xlsx(path, limits), True)
    data = path.read_bytes()
    if suffix == ".json":
        return (*read_json(data, limits), False)
    return (*read_csv(data, limits), True)
