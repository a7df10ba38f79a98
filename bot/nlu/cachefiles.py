"""Files in the cache directory (var/cache, LOTSE_CACHE): what is built from intents/ once and loaded after.

Each file is named `<name>-<key>.npz`, its key a hash of what it was built from, and holds NumPy arrays only
(never a pickle: loading a cache file runs no code). It is written to a temporary file and renamed, so a reader
never sees half of one. Processes that start at once build it once between them: the first takes the lock of
the name and builds, the others wait and load what it wrote. Of each name the KEEP files used last are kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np

log = logging.getLogger(__name__)

KEEP = 3  # files of one name kept (the ones used last)

T = TypeVar("T")


def load_or_build(cache_dir: Path, name: str, key: str, load: Callable[[Path], T | None], build: Callable[[], T],
                  save: Callable[[T, Path], None]) -> T:
    """What `load` reads from the file of this name and key (marked as used just now; None when there is none, or
    it is damaged); else what `build` makes, saved for the next process. A file that cannot be written only means
    building again next time."""
    path = cache_dir / f"{name}-{key}.npz"
    if (found := _used(path, load)) is not None:
        return found
    with lock(cache_dir / f".{name}.lock"):
        if (found := _used(path, load)) is not None:  # built by whoever held the lock before
            return found
        built = build()
        try:
            save(built, path)
            forget_unused(cache_dir, name)
        except OSError as exc:  # a read-only install still answers, it only builds on each start
            log.warning("cache file %s not written (%s)", path.name, exc)
    return built


def _used(path: Path, load: Callable[[Path], T | None]) -> T | None:
    found = load(path)
    if found is not None:
        with contextlib.suppress(OSError):  # a read-only cache is used as it is
            os.utime(path)
    return found


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays as one .npz, atomically (a half-written file is never read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    os.close(fd)
    try:
        np.savez(tmp, **arrays)  # type: ignore[arg-type]  # NumPy's stubs take the names for its own options
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (waiting for it); without one when the cache cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def forget_unused(cache_dir: Path, name: str) -> None:
    """Delete all but the KEEP files of `name` used last: one per change of intents/ would pile up, while
    databases that share the cache with different staff topics each keep theirs."""
    files = sorted(cache_dir.glob(f"{name}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


def strings(values: list[str]) -> np.ndarray:
    """Strings without a line break as one UTF-8 array, each ended by one (a NumPy string array would pad each to
    the longest)."""
    return np.frombuffer("".join(value + "\n" for value in values).encode(), dtype=np.uint8)


def from_strings(array: np.ndarray) -> list[str]:
    """The strings of strings()."""
    return array.tobytes().decode().split("\n")[:-1]
