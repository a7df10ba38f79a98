"""Example data in its place: it never ranks above a real offer of the same kind up to 5 km farther away, staff
can remove it for good (CLI and admin), and `lotse setup --no-demo` still gives the real contact points and
hotlines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.engine import Engine
from bot.engine.models import Incoming
from bot.geo.distance import Point
from bot.offers import write
from bot.offers.db import open_db
from bot.offers.store import list_offers, nearest

LUENEN = Point(51.6067, 7.5241)
KM_LAT = 1 / 111.2  # degrees of latitude per km


def _kita(db: Database, offer_id: str, km_north: float, example: bool) -> None:
    write.save(db, {"id": offer_id, "name_de": offer_id, "categories": ["kita"], "lat": LUENEN.lat + km_north * KM_LAT,
                    "lon": LUENEN.lon, "example": int(example)}, "test")


@pytest.mark.parametrize(("real_km", "order"), [
    (4.0, ["real", "example"]),    # 0.5 km example vs 4 km real: the real one first
    (5.4, ["real", "example"]),    # still within 5 km beyond the example
    (6.0, ["example", "real"]),    # farther than that: the example comes first, and says it is one
])
def test_examples_never_rank_above_a_real_offer_within_5_km_more(real_km: float, order: list[str]) -> None:
    db = open_db(memory=True)
    _kita(db, "example", 0.5, True)
    _kita(db, "real", real_km, False)
    hits = nearest(db, ["kita"], LUENEN, 2)
    assert [h.offer.id for h in hits] == order
    assert {h.offer.id: round(h.distance_km, 1) for h in hits} == {"example": 0.5, "real": real_km}


def test_paging_keeps_the_same_order() -> None:
    db = open_db(memory=True)
    for i in range(4):
        _kita(db, f"example-{i}", 0.2 + i * 0.1, True)
        _kita(db, f"real-{i}", 2.0 + i, False)
    first = [h.offer.id for h in nearest(db, ["kita"], LUENEN, 3)]
    second = [h.offer.id for h in nearest(db, ["kita"], LUENEN, 3, offset=3)]
    assert first + second == ["real-0", "real-1", "real-2", "real-3", "example-0", "example-1"]


def _setup(tmp_path: Path, *args: str) -> tuple[CliRunner, Path]:
    db_path = tmp_path / "lotse.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db_path), "setup", *args])
    assert result.exit_code == 0, result.output
    return runner, db_path


def test_after_remove_examples_a_kita_question_in_luenen_is_answered_honestly(tmp_path: Path) -> None:
    runner, db_path = _setup(tmp_path)
    examples = open_db(db_path).execute("SELECT count(*) FROM offers WHERE example = 1").fetchone()[0]
    result = runner.invoke(cli, ["--db", str(db_path), "offers", "remove-examples"])
    assert result.exit_code == 0 and f"{examples} example offers removed" in result.output
    db = open_db(db_path)
    assert not [o for o in list_offers(db, inactive=True) if o.example]
    engine = Engine(db, default_lang="de")
    reply = engine.handle(Incoming("u1", text="Kita in Lünen"))
    places = [p for m in reply.messages for p in m.places]
    assert all(not p.example for p in places)
    if not places:
        assert any("keine Angebote" in m.text and "Lünen" in m.text for m in reply.messages)
    # The hotlines remain: a question about violence still gets 116 016 and 110.
    violence = engine.handle(Incoming("u2", text="Mein Mann schlägt mich, wir wohnen in Lünen"))
    assert "116 016" in violence.messages[0].text and "110" in violence.messages[0].text
    kept = {o.id for o in list_offers(db)}
    assert {"nat-112", "nat-110", "nat-116016", "nat-116117"} <= kept and any(i.startswith("nrw-") for i in kept)
    # Removed for good: a later set-up (a new demo version) does not bring them back.
    db.execute("UPDATE meta SET value = '0' WHERE key = 'demo_version'")
    db.conn.commit()
    _setup(tmp_path)
    assert not [o for o in list_offers(open_db(db_path)) if o.example]
    history = write.history(open_db(db_path), "demo-kita-44532-luenen")
    assert history and history[-1].action == "remove-example"


def test_setup_without_demo_gives_the_real_contact_points_and_hotlines(tmp_path: Path) -> None:
    _runner, db_path = _setup(tmp_path, "--no-demo")
    offers = list(list_offers(open_db(db_path)))
    assert offers and not any(o.example for o in offers)
    assert {"nat-112", "nat-116016"} <= {o.id for o in offers}
    assert any(o.id.startswith("nrw-05978") for o in offers)  # Kreis Unna's contact point
