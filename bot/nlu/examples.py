"""The intent examples prepared for matching: each phrase's matching key and the matcher's index over them.

Normalising some 28,000 phrases and indexing their n-grams takes seconds of processor time, on every start of
every process (`lotse serve` and its worker, each `lotse` command, each test's server). So the result is kept in
the cache directory (bot/nlu/cachefiles.py) under a hash of the phrases and of the code that prepares them, and
a process that finds it loads it in a fraction of that time. A change of intents/ or of this code makes a new one.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.nlu import cachefiles
from bot.nlu.intents import Intent
from bot.nlu.matcher import Example, Matcher
from bot.nlu.normalise import normalise

log = logging.getLogger(__name__)

#: The modules whose code decides what is prepared: a change of any of them makes a new cache file.
CODE = ("bot.nlu.normalise", "bot.nlu.matcher", "bot.nlu.cachefiles", __name__)


@dataclass(frozen=True)
class Prepared:
    """The examples of some intents, ready for matching."""

    keys: dict[str, str]  # phrase -> its matching key (normalised)
    examples: list[Example]  # one per matching key and intent, in the order of the intents and their phrases
    matcher: Matcher

    @property
    def words(self) -> set[str]:
        """Every word of the examples' keys."""
        return {word for example in self.examples for word in example.text.split()}


def prepare(intents: Mapping[str, Intent], cache_dir: Path | None = None, name: str = "examples") -> Prepared:
    """The intents' examples prepared: loaded from the cache when they were prepared by this code before."""
    phrases = _phrases(intents)

    def build() -> Prepared:
        return _prepared(phrases, [normalise(p) for _i, _l, p in phrases], None)

    if cache_dir is None:
        return build()
    return cachefiles.load_or_build(cache_dir, name, fingerprint(phrases), lambda path: _load(path, phrases),
                                    build, lambda prepared, path: _save(prepared, phrases, path))


def _phrases(intents: Mapping[str, Intent]) -> list[tuple[str, str, str]]:
    """(intent, language, phrase) of every example, in the order of the intents' files."""
    return [(intent.id, lang, phrase) for intent in intents.values()
            for lang, phrases in intent.examples.items() for phrase in phrases]


def _prepared(phrases: list[tuple[str, str, str]], keys: list[str],
              arrays: Mapping[str, np.ndarray] | None) -> Prepared:
    """From each phrase's key: the examples (a key once per intent; an empty key is none) and their matcher."""
    examples: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for (intent, lang, _phrase), text in zip(phrases, keys, strict=True):
        if text and (text, intent) not in seen:
            seen.add((text, intent))
            examples.append(Example(text, intent, lang))
    by_phrase = {phrase: text for (_i, _l, phrase), text in zip(phrases, keys, strict=True)}
    return Prepared(by_phrase, examples, Matcher(examples, arrays))


def _save(prepared: Prepared, phrases: list[tuple[str, str, str]], path: Path) -> None:
    keys = [prepared.keys[phrase] for _i, _l, phrase in phrases]
    cachefiles.write_arrays(path, {"keys": cachefiles.strings(keys),
                                   **{"matcher_" + k: v for k, v in prepared.matcher.arrays.items()}})


def _load(path: Path, phrases: list[tuple[str, str, str]]) -> Prepared | None:
    """The prepared examples of the file; None when there is none, or it is damaged (prepared again)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = cachefiles.from_strings(data["keys"])
            arrays = {k.removeprefix("matcher_"): data[k] for k in data.files if k.startswith("matcher_")}
        if len(keys) != len(phrases):
            raise ValueError(f"{len(keys)} keys for {len(phrases)} phrases")
        return _prepared(phrases, keys, arrays)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # a damaged cache is rebuilt, never fatal
        log.warning("examples cache unreadable, preparing again: %s", exc)
        return None


def fingerprint(phrases: list[tuple[str, str, str]]) -> str:
    """A short hash of the phrases (with their intent and language) and of the code that prepares them."""
    digest = hashlib.sha256()
    for module in CODE:
        source = getattr(sys.modules[module], "__file__", None)
        digest.update(Path(source).read_bytes() if source else module.encode())
    for intent, lang, phrase in phrases:
        digest.update(f"{intent}\t{lang}\t{phrase}\0".encode())
    return digest.hexdigest()[:16]
