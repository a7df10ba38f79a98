"""Photos and documents of a handoff: what the person sends the team, and what staff send back.

Kept in the database beside the handoff (table `handoff_files`), not as files under var/: a trigger deletes a
handoff's files in the same transaction as the handoff (/forget on any channel, or the purge of handoffs closed
longer than the retention period, in whichever process runs it), a crash never leaves a file nobody knows about,
and a backup of the database carries them. The limits keep
this small: at most `MAX_BYTES` a file and `MAX_FILES` a handoff.

The type is decided by the file's first bytes (its magic number), never by its name or the type the sender
claims: JPEG, PNG, WebP, HEIC (iPhone photos) and PDF only. The name shown is the sender's, cleaned of paths and
control characters, with the extension of the type found. No aiohttp here: the web side and the transports call it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from sqlite_utils import Database

from bot import i18n
from bot.i18n import _
from bot.store import Store, as_store

MAX_BYTES = 10 * 1024 * 1024  # a phone photo or a scanned letter; WhatsApp and Telegram bots allow as much
MAX_FILES = 20  # a handoff is about one matter: a few letters and photos
MAX_NAME = 80
HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
              "application/pdf": "pdf"}
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})  # what a browser shows as a thumbnail


class Refused(Exception):
    """A file that is not taken: `reason` is too_big, wrong_type or too_many."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    token: str  # the file's address in links: random, so no file can be guessed from another's
    number: int
    who: str  # person or staff
    name: str
    mime: str
    size: int

    @property
    def image(self) -> bool:
        return self.mime in IMAGES


def sniff(data: bytes) -> str | None:
    """The file's type from its first bytes, or None when it is none of the allowed ones."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return "image/heic"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def refusal(reason: str) -> str:
    """Why a file was not taken, in the current language."""
    if reason == "too_big":
        return _("This file is too big: at most {size} MB. Please send a smaller photo or a PDF.").format(
            size=i18n.format_number(MAX_BYTES // (1024 * 1024), 0))
    if reason == "too_many":
        return _("You have sent as many files as the team can take in this conversation. Please write instead.")
    return _("Lotse can pass on photos (JPEG, PNG, WebP, HEIC) and PDF documents only.")


def clean_name(name: str | None, mime: str) -> str:
    """The sender's file name without folders or control characters, ending in the extension of its type."""
    # Some clients send the name percent-encoded (RFC 5987's filename*): decode it before folders are cut off.
    base = re.split(r"[\\/]", unquote(name or ""))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS[mime]
    return f"{(stem or 'file')[:MAX_NAME - len(extension) - 1]}.{extension}"


def check(data: bytes) -> str:
    """The type of an acceptable file; raises Refused otherwise."""
    if len(data) > MAX_BYTES:
        raise Refused("too_big")
    mime = sniff(data)
    if mime is None or not data:
        raise Refused("wrong_type")
    return mime


class FileStore:
    """The files table; every write in its own transaction."""

    def __init__(self, db: Database | Store) -> None:
        self.db = as_store(db)  # the table is the shared schema's (bot/store/schema.py)

    def add(self, number: int, who: str, name: str | None, data: bytes, now: datetime,
            message: int | None = None) -> StoredFile:
        """Keep a checked file for a handoff (raises Refused: too big, wrong type, too many)."""
        mime = check(data)
        if self.count(number) >= MAX_FILES:
            raise Refused("too_many")
        stored = StoredFile(secrets.token_urlsafe(18), number, who, clean_name(name, mime), mime, len(data))
        self.db.run("INSERT INTO handoff_files(token, number, message, who, name, mime, size, data, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [stored.token, number, message, who, stored.name, mime, len(data), data,
                     now.astimezone(UTC).isoformat(timespec="seconds")])
        return stored

    def attach(self, token: str, message: int) -> None:
        """Tie a file to the inbox message that announces it (written after the file was accepted)."""
        self.db.run("UPDATE handoff_files SET message = ? WHERE token = ?", [message, token])

    def count(self, number: int) -> int:
        row = self.db.one("SELECT count(*) FROM handoff_files WHERE number = ?", [number])
        return int(row[0]) if row else 0

    def get(self, token: str) -> tuple[StoredFile, bytes] | None:
        row = self.db.one("SELECT token, number, who, name, mime, size, data FROM handoff_files WHERE token = ?",
                          [token])
        return (StoredFile(*row[:6]), bytes(row[6])) if row else None

    def of_message(self, number: int) -> dict[int, StoredFile]:
        """The files of a handoff by the inbox message that announces them."""
        rows = self.db.query("SELECT message, token, number, who, name, mime, size FROM handoff_files "
                             "WHERE number = ? AND message IS NOT NULL", [number])
        return {int(r[0]): StoredFile(*r[1:]) for r in rows}

    def sweep(self) -> int:
        """Delete the files of handoffs that no longer exist (purged, or deleted by /forget); how many."""
        return self.db.run("DELETE FROM handoff_files WHERE number NOT IN (SELECT number FROM handoffs)")
