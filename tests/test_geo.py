"""The gazetteer: postcodes, towns (umlaut- and typo-tolerant), nearest town, district; organisations dropped."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from bot.geo.distance import Point, haversine_km
from bot.geo.gazetteer import Gazetteer, default_gazetteer, fold

ROOT = Path(__file__).resolve().parent.parent  # the checkout: these tests read its files


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(("written", "key"), [
    ("Lünen", "lunen"), ("LUENEN", "lunen"), (" Lunen ", "lunen"), ("LÜNEN", "lunen"), ("Straße", "strasse"),
    ("Castrop-Rauxel", "castrop-rauxel"), ("Soest", "sost"), ("Hoexter", "hoxter"), ("Höxter", "hoxter"),
    ("Dülmen", "dulmen"), ("Mönchengladbach", "monchengladbach"), ("İstanbul", "istanbul"), ("Kyïv", "kyiv"),
])
def test_fold_gives_one_key_with_or_without_accents(written: str, key: str) -> None:
    # Plain ASCII takes a short way; it must end at the key the long way gives the same name with accents.
    assert fold(written) == key


def test_postcode_lookup(gaz: Gazetteer) -> None:
    place = gaz.postcode("59423")
    assert place is not None
    assert place.name == "Unna"
    assert place.district == "Kreis Unna"
    assert place.district_code == "05978"
    assert gaz.postcode("00000") is None


@pytest.mark.parametrize("written", ["Lünen", "LÜNEN", "Luenen", "lunen", " Lünen "])
def test_town_tolerates_case_and_umlauts(gaz: Gazetteer, written: str) -> None:
    place = gaz.town(written)
    assert place is not None and place.name == "Lünen"


@pytest.mark.parametrize(("written", "town"), [
    ("Recklinhausen", "Recklinghausen"), ("Hükelhoven", "Hückelhoven"), ("Castrop Rauxel", "Castrop-Rauxel"),
    ("Geilenkirschen", "Geilenkirchen"),
])
def test_town_tolerates_typos(gaz: Gazetteer, written: str, town: str) -> None:
    place = gaz.town(written)
    assert place is not None and place.name == town


@pytest.mark.parametrize("word", ["Kita", "Deutschkurs", "Hallo"])
def test_town_does_not_invent_places_for_words(gaz: Gazetteer, word: str) -> None:
    assert gaz.town(word) is None


def test_exact_lookup_without_fuzzy(gaz: Gazetteer) -> None:
    assert gaz.town("Recklinhausen", fuzzy=False) is None


def test_organisations_are_not_places(gaz: Gazetteer) -> None:
    for org in ("HUK-Coburg", "Agentur für Arbeit Recklinghausen", "SWR", "Stadtverwaltung Lünen", "Amtsgericht"):
        assert gaz.town(org, fuzzy=False) is None, org
    # Real towns whose names contain words of an organisation filter stay.
    for town in ("Kassel", "Freigericht", "Niederkassel"):
        assert gaz.town(town, fuzzy=False) is not None, town


def test_shipped_gazetteer_has_no_company_rows() -> None:
    with (ROOT / "data" / "gazetteer.csv").open(encoding="utf-8") as fh:
        names = {row["place"] for row in csv.DictReader(fh)}
    assert not {n for n in names if "GmbH" in n or " AG" in n or "Deutsche Post" in n}
    assert len(names) > 10_000


def test_nearest_town_matches_brute_force(gaz: Gazetteer) -> None:
    rng = random.Random(11)
    towns = list(gaz.by_name.values())
    for _ in range(60):
        point = Point(rng.uniform(47.3, 55.0), rng.uniform(5.9, 15.0))
        found = gaz.nearest_town(point)
        best = min(towns, key=lambda p: haversine_km(point, p.point))
        assert found is not None
        assert haversine_km(point, found.point) == pytest.approx(haversine_km(point, best.point))


def test_nearest_town_far_outside_germany(gaz: Gazetteer) -> None:
    found = gaz.nearest_town(Point(40.0, -3.7))  # Madrid: a full scan, still an answer
    assert found is not None


def test_district_of_point_and_postcode(gaz: Gazetteer) -> None:
    assert gaz.district_of("44532") == "05978"
    assert gaz.district_of(Point(51.61, 7.52)) == "05978"  # Lünen
    assert gaz.district_name(Point(51.06, 6.10)) == "Kreis Heinsberg"
    assert gaz.district_of("99999") is None


def test_gazetteer_tool_keeps_places_and_drops_large_customer_postcodes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_gazetteer", ROOT / "data" / "tools" / "make_gazetteer.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    def row(place: str, state_code: str) -> dict[str, str]:
        return {"place": place, "state_code": state_code}

    assert tool.is_place(row("Lünen", "NW"))
    assert tool.is_place(row("Kassel", "HE"))  # "kasse" inside a town name is no health insurer
    assert tool.is_place(row("Jungholz", ""))  # the Tyrolean enclave has a German postcode and no state
    assert not tool.is_place(row("SWR", "01"))  # numeric state code: a large-customer postcode
    assert not tool.is_place(row("Agentur für Arbeit Recklinghausen", "07"))
    assert not tool.is_place(row("Muster GmbH & Co. KG", "NW"))
