"""One guard for every zipped format (XLSX, an HSDS package, anything later): the zip's directory is checked
before a byte is unpacked.

A zip says in its directory how many entries it has and how large each unpacks; Python's zipfile never unpacks
more than that size, so checking the directory bounds what reading can cost. Refused: more entries than a
workbook or an HSDS package has, a part or a total beyond the limits, and a part that unpacks to more than
`archive_ratio` times its packed size once it is over a few megabytes (3.6 MB growing to 2.9 GB is a bomb, not
a spreadsheet; a sheet of a few thousand offers packs ten to thirty times).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Protocol

RATIO_FROM = 4 * 1024 * 1024  # smaller parts may pack as well as they like: they cannot hurt


class ArchiveLimits(Protocol):
    """What the guard reads of the import's limits (readers.Limits)."""

    @property
    def archive_entries(self) -> int: ...
    @property
    def xlsx_member_bytes(self) -> int: ...
    @property
    def xlsx_total_bytes(self) -> int: ...
    @property
    def archive_ratio(self) -> int: ...


class ArchiveError(ValueError):
    """The archive is not safe to read; the message says what it would unpack to."""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_archive(path: Path, limits: ArchiveLimits, what: str = "archive") -> list[zipfile.ZipInfo]:
    """The entries of a zip that is safe to read (raises ArchiveError, or zipfile.BadZipFile when no zip)."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > limits.archive_entries:
        raise ArchiveError(f"the {what} has {len(members):,} entries; at most {limits.archive_entries:,}")
    total = sum(m.file_size for m in members)
    if total > limits.xlsx_total_bytes:
        raise ArchiveError(f"the {what} unpacks to {_mb(total)}; at most {_mb(limits.xlsx_total_bytes)}")
    for member in members:
        if member.file_size > limits.xlsx_member_bytes:
            raise ArchiveError(f"the part {member.filename} of the {what} unpacks to {_mb(member.file_size)}; at "
                               f"most {_mb(limits.xlsx_member_bytes)}")
        if member.file_size > RATIO_FROM and member.file_size > limits.archive_ratio * max(member.compress_size, 1):
            raise ArchiveError(f"the part {member.filename} of the {what} unpacks to {_mb(member.file_size)} from "
                               f"{member.compress_size:,} bytes, more than {limits.archive_ratio} times its size")
    return members
