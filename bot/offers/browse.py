"""Finding offers the way staff look for them: one search box, filters, sorting, pages; and recent changes.

The search box takes an id ("demo-kita-unna-1"), a postcode ("59423"), a street ("Bahnhofstr"), a phone number
in any spacing ("116117" finds "116 117") or words and beginnings of words in any language ("Deutschk"): every word
must match somewhere (id, postcode, street, phone, or a prefix in the full-text index over names, descriptions,
organisation and town: FTS5 on SQLite, the 'simple' tsvector `fts_all` on PostgreSQL).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.offers.model import Offer
from bot.offers.pgschema import fold
from bot.offers.sql import OffersDb, offer_dicts, on_postgres, rows

PAGE_SIZE = 50
SORTS = {"id": "id", "name": "name_de COLLATE NOCASE", "city": "city COLLATE NOCASE, name_de COLLATE NOCASE",
         "updated": "updated_at DESC, id"}
#: PostgreSQL has no NOCASE collation: the same orders by lower().
PG_SORTS = {key: order.replace("name_de COLLATE NOCASE", "lower(name_de)").replace("city COLLATE NOCASE",
                                                                                    "lower(city)")
            for key, order in SORTS.items()}
STATES = ("active", "deleted", "all")


@dataclass(frozen=True)
class Query:
    """What the offers page asks for (every part optional)."""

    text: str = ""
    category: str = ""
    city: str = ""
    state: str = "active"  # active, deleted or all
    example: str = ""  # "", "only" or "none"
    sort: str = "name"
    page: int = 1


@dataclass(frozen=True)
class Page:
    offers: list[Offer]
    total: int
    page: int
    pages: int


def _word_condition(word: str, postgres: bool = False) -> tuple[str, list[Any]]:
    digits = re.sub(r"\D", "", word)
    if postgres:  # a quoted lexeme as a prefix: no tsquery syntax from the search box
        fts = "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"
        text_match = f"fts_all @@ to_tsquery('simple', {fold()})"
    else:
        fts = '"' + word.replace('"', '""') + '"*'
        text_match = "rowid IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH ?)"
    parts = ["id LIKE ? ESCAPE '\\'", "postcode = ?", "street LIKE ? ESCAPE '\\'", text_match]
    like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params: list[Any] = [like + "%", word, "%" + like + "%", fts]
    if len(digits) >= 3:
        parts.append("replace(replace(replace(replace(phone, ' ', ''), '/', ''), '-', ''), '(', '') LIKE ?")
        params.append("%" + digits + "%")
    return "(" + " OR ".join(parts) + ")", params


def find(db: OffersDb, query: Query, page_size: int = PAGE_SIZE) -> Page:
    """One page of offers matching the query, and how many match in all."""
    where: list[str] = []
    params: list[Any] = []
    postgres = on_postgres(db)
    if query.state == "active":
        where.append("active = 1")
    elif query.state == "deleted":
        where.append("active = 0")
    if query.category:
        where.append("id IN (SELECT offer_id FROM offer_categories WHERE category = ?)")
        params.append(query.category)
    if query.city:
        where.append("lower(city) = lower(?)" if postgres else "city = ? COLLATE NOCASE")
        params.append(query.city)
    if query.example == "only":
        where.append("example = 1")
    elif query.example == "none":
        where.append("example = 0")
    # Control characters match nothing an admin can type, and a NUL ends an FTS5 string early (a syntax error).
    text = "".join(ch if ch.isprintable() else " " for ch in query.text)
    for word in text.split()[:8]:
        condition, values = _word_condition(word, postgres)
        where.append(condition)
        params += values
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    total = int(rows(db, f"SELECT count(*) FROM offers{sql_where}", params)[0][0])
    pages = max(1, -(-total // page_size))
    page = min(max(1, query.page), pages)
    order = (PG_SORTS if postgres else SORTS).get(query.sort, SORTS["name"] if not postgres else PG_SORTS["name"])
    found = offer_dicts(db, f"{sql_where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*params, page_size, (page - 1) * page_size])
    return Page([Offer.from_row(row) for row in found], total, page, pages)


def towns(db: OffersDb) -> list[str]:
    """Every town that has an offer, for the filter."""
    found = rows(db, "SELECT DISTINCT city FROM offers WHERE coalesce(city, '') != '' ORDER BY city")
    return [r[0] for r in found]


@dataclass(frozen=True)
class Recent:
    """One line of "recent changes": who changed which offer when, and which fields."""

    time: str
    actor: str
    action: str
    offer_id: str
    name: str
    fields: list[str]


def recent_changes(db: OffersDb, limit: int = 100, offset: int = 0, actor: str = "") -> list[Recent]:
    """The newest audit entries across all offers, newest first."""
    sql = ("SELECT a.time, a.actor, a.action, a.offer_id, o.name_de, a.new FROM audit a "
           "LEFT JOIN offers o ON o.id = a.offer_id")
    params: list[Any] = []
    if actor:
        sql += " WHERE a.actor = ?"
        params.append(actor)
    found = rows(db, sql + " ORDER BY a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [Recent(t, who, action, oid, name or oid, sorted(json.loads(new)) if new else [])
            for t, who, action, oid, name, new in found]
