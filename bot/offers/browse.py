"""Finding offers the way staff look for them: one search box, filters, sorting, pages; and recent changes.

The search box takes an id ("demo-kita-unna-1"), a postcode ("59423"), a street ("Bahnhofstr"), a phone number
in any spacing ("116117" finds "116 117") or words and beginnings of words in any language ("Deutschk"): every word
must match somewhere (id, postcode, street, phone, or a prefix in the full-text index over names, descriptions,
organisation and town).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot.offers.model import Offer

PAGE_SIZE = 50
SORTS = {"id": "id", "name": "name_de COLLATE NOCASE", "city": "city COLLATE NOCASE, name_de COLLATE NOCASE",
         "updated": "updated_at DESC, id"}
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


def _word_condition(word: str) -> tuple[str, list[Any]]:
    digits = re.sub(r"\D", "", word)
    fts = '"' + word.replace('"', '""') + '"*'
    parts = ["id LIKE ? ESCAPE '\\'", "postcode = ?", "street LIKE ? ESCAPE '\\'",
             "rowid IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH ?)"]
    like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params: list[Any] = [like + "%", word, "%" + like + "%", fts]
    if len(digits) >= 3:
        parts.append("replace(replace(replace(replace(phone, ' ', ''), '/', ''), '-', ''), '(', '') LIKE ?")
        params.append("%" + digits + "%")
    return "(" + " OR ".join(parts) + ")", params


def find(db: Database, query: Query, page_size: int = PAGE_SIZE) -> Page:
    """One page of offers matching the query, and how many match in all."""
    where: list[str] = []
    params: list[Any] = []
    if query.state == "active":
        where.append("active = 1")
    elif query.state == "deleted":
        where.append("active = 0")
    if query.category:
        where.append("id IN (SELECT offer_id FROM offer_categories WHERE category = ?)")
        params.append(query.category)
    if query.city:
        where.append("city = ? COLLATE NOCASE")
        params.append(query.city)
    if query.example == "only":
        where.append("example = 1")
    elif query.example == "none":
        where.append("example = 0")
    # Control characters match nothing an admin can type, and a NUL ends an FTS5 string early (a syntax error).
    text = "".join(ch if ch.isprintable() else " " for ch in query.text)
    for word in text.split()[:8]:
        condition, values = _word_condition(word)
        where.append(condition)
        params += values
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    total = int(db.execute(f"SELECT count(*) FROM offers{sql_where}", params).fetchone()[0])
    pages = max(1, -(-total // page_size))
    page = min(max(1, query.page), pages)
    order = SORTS.get(query.sort, SORTS["name"])
    cursor = db.execute(f"SELECT * FROM offers{sql_where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*params, page_size, (page - 1) * page_size])
    columns = [d[0] for d in cursor.description]
    offers = [Offer.from_row(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]
    return Page(offers, total, page, pages)


def towns(db: Database) -> list[str]:
    """Every town that has an offer, for the filter."""
    rows = db.execute("SELECT DISTINCT city FROM offers WHERE coalesce(city, '') != '' ORDER BY city").fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Recent:
    """One line of "recent changes": who changed which offer when, and which fields."""

    time: str
    actor: str
    action: str
    offer_id: str
    name: str
    fields: list[str]


def recent_changes(db: Database, limit: int = 100, offset: int = 0, actor: str = "") -> list[Recent]:
    """The newest audit entries across all offers, newest first."""
    sql = ("SELECT a.time, a.actor, a.action, a.offer_id, o.name_de, a.new FROM audit a "
           "LEFT JOIN offers o ON o.id = a.offer_id")
    params: list[Any] = []
    if actor:
        sql += " WHERE a.actor = ?"
        params.append(actor)
    rows = db.execute(sql + " ORDER BY a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    return [Recent(t, who, action, oid, name or oid, sorted(json.loads(new)) if new else [])
            for t, who, action, oid, name, new in rows]
