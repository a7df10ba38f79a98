"""Offers a question names by their own words: "Kleiderkammer in Kamen" finds "Kleiderkammer St. Martin" there,
"ملابس مجانية في كامن" finds it when its keywords include "ملابس".

The words of the question (the place taken out by the caller) are looked up in the full-text index over names,
keywords and, when asked, descriptions and organisation (never the town: every offer in Kamen says "Kamen").
A word only counts when it tells offers apart: it must occur in some offer, but not in a large share of them
("Beispieldaten", "für", "Angebot" say nothing). Offers are ranked by how many of the counted words they carry,
then real offers before example data (someone who names a place means the real one), then by distance.

On SQLite the index is FTS5 (`offers_fts`); on PostgreSQL the 'simple' tsvectors of bot/offers/pgschema.py:
`fts_names` for names and keywords, `fts_words` when descriptions and organisation count too.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from bot.geo.distance import Point, haversine_km
from bot.offers.db import DESCRIPTION_COLUMNS, NAME_COLUMNS, offers_version
from bot.offers.model import Offer, OfferHit
from bot.offers.pgschema import fold
from bot.offers.sql import OffersDb, offer_dicts, rows
from bot.store import Store

#: Where an offer's own words are: its names and keywords (what it is called) ...
NAMES = (*NAME_COLUMNS, "keywords")
#: ... and, for a question no topic fits, also what it does and who runs it.
ALL = (*NAMES, *DESCRIPTION_COLUMNS, "organisation")
#: A word in more than this share of the active offers does not single any out.
COMMON_SHARE = 0.2
MIN_COMMON = 5  # in a small database a word may occur this often and still count
MIN_LETTERS = 3
MAX_WORDS = 8  # a long message is a story, not a name; its first words are tried
#: Function words of the twelve languages that a name may contain but a question never means by it ("für",
#: "dans", "для"); words under three letters ("in", "في") are left out anyway.
STOP_WORDS = frozenset((
    "auf", "aus", "bei", "beim", "für", "fur", "mit", "und", "oder", "der", "die", "das", "den", "dem", "des",
    "ein", "eine", "einen", "einem", "einer", "zum", "zur", "von", "vom", "nach", "gibt", "ist", "ich", "mein",
    "meine", "suche", "the", "for", "and", "with", "near", "where", "are", "there", "from", "les", "des", "une",
    "pour", "avec", "dans", "près", "pres", "est", "ile", "için", "icin", "nerede", "var", "bir", "الى", "إلى",
    "على", "وين", "أين", "فين", "برای", "کجا", "для", "где", "есть",
))

_WORD = re.compile(r"\w+")


def words_of(text: str) -> list[str]:
    """The words of a question that may name an offer: no function words, no digits, at least three letters."""
    out: list[str] = []
    for word in _WORD.findall(text.casefold()):
        if word in STOP_WORDS or word.isdigit() or len(word) < MIN_LETTERS or word in out:
            continue
        out.append(word)
    return out[:MAX_WORDS]


def _term(word: str, columns: Sequence[str]) -> str:
    """An FTS5 query for one word in `columns`: quoted (no query syntax from users), a prefix when long enough
    to carry an ending ("Kleiderkammern" finds "Kleiderkammer")."""
    plain = unicodedata.normalize("NFC", word).replace('"', '""')
    star = "*" if len(plain) >= 5 else ""
    return "{" + " ".join(columns) + "}" + f': "{plain}"{star}'


def _matching(db: Database, word: str, columns: Sequence[str], common: int) -> set[int]:
    """The rowids of the offers that carry `word` in `columns`; none when it is in more than `common` of them."""
    query = _term(word, columns)
    found = int(db.execute("SELECT count(*) FROM offers_fts WHERE offers_fts MATCH ?", [query]).fetchone()[0])
    if not found or found > common:
        return set()  # in no offer (says nothing here) or in too many (names none)
    return {int(r[0]) for r in db.execute("SELECT rowid FROM offers_fts WHERE offers_fts MATCH ?", [query])}


def _matching_pg(db: OffersDb, word: str, columns: Sequence[str], common: int) -> set[str]:
    """As `_matching`, on PostgreSQL: the ids of the offers that carry `word` (a quoted lexeme, as a prefix when
    long enough), none when it is in more than `common` of them."""
    vector = "fts_names" if tuple(columns) == NAMES else "fts_words"
    plain = unicodedata.normalize("NFC", word).replace("\\", "\\\\").replace("'", "''")
    query = f"'{plain}'" + (":*" if len(plain) >= 5 else "")
    found = rows(db, f"SELECT id FROM offers WHERE {vector} @@ to_tsquery('simple', {fold()}) LIMIT ?",
                 [query, common + 1])
    return set() if len(found) > common else {str(r[0]) for r in found}


_ACTIVE: dict[int, tuple[str, int]] = {}  # connection -> (offers_version, number of active offers)
_STORE_ACTIVE: weakref.WeakKeyDictionary[Store, tuple[str, int]] = weakref.WeakKeyDictionary()  # the same


def drop_caches(db: OffersDb) -> None:
    """Forget what is cached over these offers (they were changed where no counter here sees it)."""
    if isinstance(db, Database):
        _ACTIVE.pop(id(db.conn), None)
        if hasattr(db, "_lotse_examples"):
            del db._lotse_examples  # the example offers' ids (bot/offers/store.py)
    else:
        _STORE_ACTIVE.pop(db, None)


def _active(db: OffersDb) -> int:
    """The number of active offers, counted again only when an offer changed (a count per message would grow
    with the offers)."""
    version = offers_version(db)
    known = _ACTIVE.get(id(db.conn)) if isinstance(db, Database) else _STORE_ACTIVE.get(db)
    if known is None or known[0] != version:
        known = (version, int(rows(db, "SELECT count(*) FROM offers WHERE active = 1")[0][0]))
        if isinstance(db, Database):
            _ACTIVE[id(db.conn)] = known
        else:
            _STORE_ACTIVE[db] = known
    return known[1]


def named_nearby(db: OffersDb, words: Iterable[str], point: Point, radius_km: float, n: int = 3,
                 columns: Sequence[str] = NAMES, categories: Sequence[str] = (),
                 real_only: bool = False) -> list[OfferHit]:
    """Active offers with a place within `radius_km` that carry the telling words, best first (see above); with
    `categories`, only offers in one of them; with `real_only`, no example data."""
    common = max(MIN_COMMON, int(_active(db) * COMMON_SHARE))
    if not isinstance(db, Database):
        return _named_on_store(db, words, point, radius_km, n, columns, categories, real_only, common)
    counts = Counter(rowid for word in words for rowid in _matching(db, word, columns, common))
    if not counts:
        return []
    where, params = _found_where("rowid", list(counts), categories, real_only)
    cursor = db.execute("SELECT rowid, * FROM offers" + where, params)
    columns_of = [d[0] for d in cursor.description]
    found = [(int(values[0]), dict(zip(columns_of[1:], values[1:], strict=True))) for values in cursor.fetchall()]
    return _best(found, counts, point, radius_km, n)


def _named_on_store(db: OffersDb, words: Iterable[str], point: Point, radius_km: float, n: int,
                    columns: Sequence[str], categories: Sequence[str], real_only: bool,
                    common: int) -> list[OfferHit]:
    counts = Counter(offer_id for word in words for offer_id in _matching_pg(db, word, columns, common))
    if not counts:
        return []
    tail, params = _found_where("id", list(counts), categories, real_only)
    return _best([(row["id"], row) for row in offer_dicts(db, tail, params)], counts, point, radius_km, n)


def _found_where(key: str, found: list[Any], categories: Sequence[str], real_only: bool) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) that keeps the found offers that are active, placed, real when asked
    and in one of `categories` when given; `key` is the column the found ids are of (rowid or id)."""
    sql = (f" WHERE {key} IN ({','.join('?' * len(found))}) AND active = 1 AND lat IS NOT NULL AND lon IS NOT NULL"
           + (" AND example = 0" if real_only else ""))
    params: list[object] = list(found)
    if categories:
        # EXISTS per found offer (a handful), not the list of every offer of the categories (grows with them).
        sql += (" AND EXISTS (SELECT 1 FROM offer_categories c WHERE c.offer_id = offers.id AND c.category IN "
                f"({','.join('?' * len(categories))}))")
        params += list(categories)
    return sql, params


def _best(found: Sequence[tuple[Any, dict[str, Any]]], counts: dict[Any, int], point: Point, radius_km: float,
          n: int) -> list[OfferHit]:
    """The offers within the radius: most words first, then real before example data, then nearest."""
    hits: list[tuple[int, bool, float, Offer]] = []
    for key, row in found:
        offer = Offer.from_row(row)
        km = haversine_km(point, Point(float(row["lat"]), float(row["lon"])))
        if km <= radius_km:
            hits.append((-counts[key], offer.example, km, offer))
    hits.sort(key=lambda h: (h[0], h[1], h[2], h[3].id))
    return [OfferHit(offer, km) for _count, _example, km, offer in hits[:n]]
