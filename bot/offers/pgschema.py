"""The offers on PostgreSQL: the same tables and columns as SQLite's chain in bot/offers/db.py, built from the same
column lists, with PostgreSQL's own means where SQLite has its own.

- `offers.cell` (the 0.1-degree grid cell of bot/offers/db.py's CELL_SQL) is a stored generated column; floor()
  where SQLite's CAST truncates (the same for the positive values here).
- `offer_categories` is kept by a trigger as on SQLite, so the nearest search reads the same covering index
  (category, cell, lat, lon) with the same statement on both engines.
- Full-text search: three stored tsvectors with the 'simple' configuration (lower case, no stemming, no stop
  words: what FTS5's unicode61 tokenizer does) over the text with its accents folded (`lotse_fold`, see
  `FOLDING`): `fts_names` (names and keywords: an offer named by its own words), `fts_words` (also descriptions
  and organisation) and `fts_all` (also the town: the admin's and `lotse offers search`'s search), each with a GIN
  index. A query is folded the same way (`fold`), so "Lunen" finds "Lünen" as FTS5's remove_diacritics does.
- `meta.offers_version` is bumped by a statement trigger on every change, as SQLite's row triggers do.
- `audit`, and the sources' tables (`source_state`, `source_runs`, `source_categories`, `geocode_cache`), as
  migrations 2 and 10 of SQLite's chain.
"""

from __future__ import annotations

from bot.offers.db import DESCRIPTION_COLUMNS, NAME_COLUMNS

#: Every stored column of `offers` in SQLite's order of the export (generated ones left out).
TEXT_COLUMNS = ("organisation", "street", "postcode", "city", "district", "phone", "email", "website",
                "opening_hours", "languages", "target_group", "cost", "source", "source_date", "updated_at",
                "keywords")


def _vector(columns: tuple[str, ...], folded: bool = False) -> str:
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('simple'::regconfig, {f'lotse_fold({joined})' if folded else joined})"


def fold(placeholder: str = "?") -> str:
    """A query's text with its accents folded as the indexed text's are (inside to_tsquery)."""
    return f"lotse_fold({placeholder})"


#: Accents folded with PostgreSQL's `unaccent` extension (contrib, shipped with Debian's server package and every
#: hosted PostgreSQL; trusted, so the database's owner may add it): its rules fold all of Latin script (ü, é, ş,
#: ê, ç, œ, ß to ss), which a hand-made table would only approach. unaccent() itself is only STABLE (it reads its
#: dictionary by search_path), so a generated column cannot call it; `lotse_fold` names the dictionary with its
#: schema and may be IMMUTABLE: the documented way to index unaccented text. The extension goes into `public`
#: when nobody added it yet (not into this deployment's schema: dropping that would drop it for everyone).
FOLDING = """DO $$
DECLARE
    home text;
BEGIN
    SELECT n.nspname INTO home FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'unaccent';
    IF home IS NULL THEN
        BEGIN
            CREATE EXTENSION unaccent SCHEMA public;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'Lotse needs the unaccent extension: ask the owner of the database to run '
                'CREATE EXTENSION unaccent SCHEMA public; then migrate again';
        END;
        home := 'public';
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION lotse_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT '
                   'PARALLEL SAFE AS %L', format('SELECT %I.unaccent(%L::regdictionary, $1)', home,
                                                 home || '.unaccent'));
END $$"""


def folding_statements() -> list[str]:
    """The step that makes the search ignore accents: the folding function, and the three vectors built anew
    over folded text (a generated column's expression cannot be altered before PostgreSQL 17)."""
    vectors = {"fts_names": NAMES, "fts_words": WORDS, "fts_all": ALL}
    return [
        FOLDING,
        "ALTER TABLE offers " + ", ".join(f"DROP COLUMN IF EXISTS {c}" for c in vectors),
        "ALTER TABLE offers " + ", ".join(f"ADD COLUMN {c} tsvector GENERATED ALWAYS AS ({_vector(cols, True)}) "
                                          "STORED" for c, cols in vectors.items()),
        *(f"CREATE INDEX IF NOT EXISTS offers_{c} ON offers USING gin ({c})" for c in vectors),
    ]


NAMES = (*NAME_COLUMNS, "keywords")
WORDS = (*NAMES, *DESCRIPTION_COLUMNS, "organisation")
ALL = (*WORDS, "city")


def statements() -> list[str]:
    """The statements of the schema step (each one statement: function bodies hold semicolons)."""
    languages = ",\n    ".join(f"{c} TEXT" for c in (*NAME_COLUMNS[1:], *DESCRIPTION_COLUMNS))
    texts = ", ".join(f"{c} TEXT" for c in TEXT_COLUMNS)
    cell = "floor((lat + 90) * 10)::integer * 10000 + floor((lon + 180) * 10)::integer"
    bump = ("INSERT INTO meta(key, value) VALUES ('offers_version', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)")
    return [
        f"""CREATE TABLE IF NOT EXISTS offers (
    id TEXT PRIMARY KEY,
    name_de TEXT NOT NULL,
    {languages},
    name TEXT GENERATED ALWAYS AS (name_de) STORED,
    categories TEXT NOT NULL DEFAULT '[]',
    {texts},
    lat DOUBLE PRECISION, lon DOUBLE PRECISION,
    approximate INTEGER NOT NULL DEFAULT 0, national INTEGER NOT NULL DEFAULT 0,
    appointment INTEGER, barrier_free INTEGER,
    example INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,
    cell INTEGER GENERATED ALWAYS AS ({cell}) STORED,
    fts_names tsvector GENERATED ALWAYS AS ({_vector(NAMES)}) STORED,
    fts_words tsvector GENERATED ALWAYS AS ({_vector(WORDS)}) STORED,
    fts_all tsvector GENERATED ALWAYS AS ({_vector(ALL)}) STORED
)""",
        "CREATE INDEX IF NOT EXISTS offers_geo ON offers(cell, lat, lon, id) WHERE active = 1",
        "CREATE INDEX IF NOT EXISTS offers_example ON offers(id) WHERE example = 1",
        "CREATE INDEX IF NOT EXISTS offers_national ON offers(id) WHERE national = 1",
        *(f"CREATE INDEX IF NOT EXISTS offers_{c} ON offers USING gin ({c})" for c in ("fts_names", "fts_words",
                                                                                     "fts_all")),
        """CREATE TABLE IF NOT EXISTS offer_categories (
    offer_id TEXT NOT NULL, category TEXT NOT NULL, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
    active INTEGER NOT NULL, cell INTEGER, PRIMARY KEY (offer_id, category)
)""",
        "CREATE INDEX IF NOT EXISTS offer_categories_geo ON offer_categories(category, cell, lat, lon, offer_id) "
        "WHERE active = 1",
        """CREATE OR REPLACE FUNCTION offer_categories_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM offer_categories WHERE offer_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO offer_categories(offer_id, category, lat, lon, active, cell)
            SELECT NEW.id, value, NEW.lat, NEW.lon, NEW.active, NEW.cell
            FROM json_array_elements_text(NEW.categories::json) AS value ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$""",
        "CREATE OR REPLACE TRIGGER offers_categories AFTER INSERT OR UPDATE OR DELETE ON offers "
        "FOR EACH ROW EXECUTE FUNCTION offer_categories_keep()",
        f"CREATE OR REPLACE FUNCTION offers_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {bump}; "
        "RETURN NULL; END $$",
        "CREATE OR REPLACE TRIGGER offers_version AFTER INSERT OR UPDATE OR DELETE ON offers "
        "FOR EACH STATEMENT EXECUTE FUNCTION offers_bump()",
        """CREATE TABLE IF NOT EXISTS audit (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, offer_id TEXT NOT NULL, old TEXT, new TEXT
)""",
        "CREATE INDEX IF NOT EXISTS audit_offer ON audit(offer_id, id)",
        """CREATE TABLE IF NOT EXISTS source_state (
    offer_id TEXT PRIMARY KEY, source TEXT NOT NULL, scope TEXT NOT NULL, source_key TEXT NOT NULL,
    values_json TEXT NOT NULL, seen_at TEXT NOT NULL
)""",
        "CREATE INDEX IF NOT EXISTS source_state_scope ON source_state(source, scope)",
        """CREATE TABLE IF NOT EXISTS source_runs (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, source TEXT NOT NULL, scope TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT, added INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0, kept INTEGER NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '{}', error TEXT
)""",
        "CREATE INDEX IF NOT EXISTS source_runs_source ON source_runs(source, scope, id)",
        """CREATE TABLE IF NOT EXISTS source_categories (
    source TEXT NOT NULL, label TEXT NOT NULL, categories TEXT NOT NULL DEFAULT '[]', who TEXT, changed_at TEXT,
    PRIMARY KEY (source, label)
)""",
        "CREATE TABLE IF NOT EXISTS geocode_cache (query TEXT PRIMARY KEY, lat DOUBLE PRECISION, "
        "lon DOUBLE PRECISION, found_at TEXT NOT NULL)",
    ]
