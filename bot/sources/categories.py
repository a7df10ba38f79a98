"""Staff's mapping of a source's own categories to Lotse's (kept in `source_categories`, used by every sync)."""

from __future__ import annotations

import json

from bot.offers.fields import named_categories
from bot.offers.sql import OffersDb, rows, writing
from bot.offers.write import now


def set_mapping(db: OffersDb, source: str, label: str, categories: str | list[str], who: str) -> list[str]:
    """Remember that `label` of `source` means `categories` (ids or labels); empty forgets it. ValueError when
    a category is not known."""
    text = ",".join(categories) if isinstance(categories, list) else categories
    found = named_categories(text) if text.strip() else []
    if text.strip() and not found:
        raise ValueError(f"unknown category '{text}'")
    with writing(db) as tx:
        if found:
            tx.run("INSERT INTO source_categories (source, label, categories, who, changed_at) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT(source, label) DO UPDATE SET categories = excluded.categories, who = excluded.who, "
                   "changed_at = excluded.changed_at", [source, label.strip(), json.dumps(found), who, now()])
        else:
            tx.run("DELETE FROM source_categories WHERE source = ? AND label = ?", [source, label.strip()])
    return found


def mappings(db: OffersDb, source: str) -> dict[str, list[str]]:
    found = rows(db, "SELECT label, categories FROM source_categories WHERE source = ? ORDER BY label", [source])
    return {label: json.loads(cats) for label, cats in found}


def seen_labels(db: OffersDb, source: str) -> list[str]:
    """Category names the source used in its last runs that are not mapped (from the runs' notes)."""
    found = rows(db, "SELECT report FROM source_runs WHERE source = ? ORDER BY id DESC LIMIT 5", [source])
    labels: list[str] = []
    for (report,) in found:
        for note in json.loads(report or "{}").get("notes", []):
            if note.startswith("category '") and "' is not mapped" in note:
                labels.append(note[len("category '"):note.index("' is not mapped")])
    return list(dict.fromkeys(labels))
