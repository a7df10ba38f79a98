"""One interface for the shared state, two engines behind it (SQLite by default, PostgreSQL for several instances).

Statements are written once, with `?` placeholders and SQL that both engines speak (`INSERT ... ON CONFLICT`,
`RETURNING`, `CASE`); an engine translates what it must (PostgreSQL's `%s` placeholders). What only one engine
can do well is a method here with an honest fallback on the other:

- `transaction()`: several statements that commit together (a single statement commits on its own);
- `chat_lock(key)`: one conversation handled by one process at a time, across every instance (an advisory lock
  on PostgreSQL; within the one process that owns a SQLite file, a lock in memory);
- `claim_row(...)`: take a row nobody else is taking (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
  writer at a time, so a plain transaction is already exclusive);
- `notify(channel, payload)` / `listen(...)`: tell the other instances that something changed.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

Row = tuple[Any, ...]
Args = Sequence[object]


class Sql(ABC):
    """Run statements: `query` (all rows), `one` (the first row or None), `run` (how many rows it changed)."""

    @abstractmethod
    def _execute(self, sql: str, args: Args) -> tuple[list[Row], int]:
        """The rows a statement returned (none for most writes) and its row count."""

    def query(self, sql: str, args: Args = ()) -> list[Row]:
        return self._execute(sql, args)[0]

    def one(self, sql: str, args: Args = ()) -> Row | None:
        rows = self._execute(sql, args)[0]
        return rows[0] if rows else None

    def run(self, sql: str, args: Args = ()) -> int:
        return self._execute(sql, args)[1]

    def many(self, sql: str, rows: Sequence[Args]) -> None:
        """One statement for each of many rows (an engine may send them together)."""
        for args in rows:
            self._execute(sql, args)


class Store(Sql):
    """A database of shared state. Outside `transaction()` every statement is its own transaction."""

    #: "sqlite" or "postgresql": the migrations pick their statements by it.
    dialect: str
    #: The exceptions a write may meet while the database is briefly unavailable (SQLite busy, PostgreSQL
    #: restarting): worth keeping the write and trying again later rather than failing the conversation.
    unavailable: tuple[type[Exception], ...] = ()

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Sql]:
        """Statements that commit together, or not at all when the block raises."""

    @abstractmethod
    def chat_lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Hold one conversation's lock for the block: its messages are handled one after another."""

    @abstractmethod
    def script(self, sql: str) -> None:
        """Run several statements separated by `;` (schema changes), in one transaction."""

    def is_unavailable(self, exc: BaseException) -> bool:
        """True when `exc` means "try again in a moment", not bad SQL or a full disk."""
        return isinstance(exc, self.unavailable)

    def skip_locked(self) -> str:
        """The suffix of a SELECT that takes rows no other transaction is taking ('' where writes are serial)."""
        return ""

    def notify(self, channel: str, payload: str = "") -> None:
        """Tell the other instances that `channel` changed (nothing to tell with one process)."""

    def listen(self, channels: Sequence[str], on_notice: Callable[[str, str], None]) -> Listening:
        """Call `on_notice(channel, payload)` for what other instances announce, until closed."""
        return Listening()

    def hold(self, name: str) -> Held | None:
        """Hold a lock of this name until `close()` or this process ends; None when another process holds it.
        With one process owning a SQLite file there is nobody to share with: always granted."""
        return Held()

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DatabaseUnavailable(Exception):
    """The database could not be reached for a moment (reported by the engine worker): ask to write again."""


class Held:
    """A lock held for as long as a job runs (the one Telegram poller); `close()` gives it back."""

    def close(self) -> None:
        pass


class Listening:
    """A running subscription to notices; `close()` ends it. With one process there is nothing to hear."""

    def close(self) -> None:
        pass

