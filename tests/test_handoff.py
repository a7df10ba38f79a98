"""Handoffs to staff in the engine: when one opens, what it stores, how it ends, what the person is told."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db
from sqlite_utils import Database

from bot import i18n
from bot.config import Settings, StaffConfig, StaffDesk
from bot.engine import Engine, Incoming, Reply
from bot.engine.handoff import STOP_WORDS, is_stop
from bot.engine.handoff_store import Transcript
from bot.web.app import create_app
from bot.web.keys import ENGINE
from bot.web.replies import reply_json
from bot.web.staff import STREAM_FOR

BERLIN = ZoneInfo("Europe/Berlin")
GENERAL, UNNA = -1001, -1002
ASK = "Ich möchte mit einem Menschen sprechen"


def staffed(db: Database, *desks: StaffDesk, retention_days: int = 90) -> Engine:
    return Engine(db, staff=StaffConfig(desks or (StaffDesk(GENERAL, None, "KI Test", None, 4),), retention_days))


def text(reply: Reply) -> str:
    return i18n.strip_isolates("\n".join(m.text for m in reply.messages))


def say(engine: Engine, words: str, user: str = "tg:1") -> Reply:
    return engine.handle(Incoming(user, text=words, lang_hint="de"))


def test_without_a_staff_group_nothing_changes(db: Database) -> None:
    plain = Engine(db)
    reply = say(plain, ASK)
    assert reply.intent == "human_contact" and reply.handoff is None and reply_json(reply)["handoff"] is False
    assert db.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0
    assert say(plain, "Kita in Lünen").handoff is None


def test_asking_for_a_person_opens_a_handoff_beside_the_phone_number(db: Database) -> None:
    engine = staffed(db)
    reply = say(engine, ASK + " in Lünen")
    assert reply.handoff is not None and reply_json(reply)["handoff"] is True
    assert "KI Test" in text(reply) and "4 Stunden" in text(reply)
    assert any(m.places for m in reply.messages), "the nearest contact points (with their numbers) stay"
    assert [b.data for b in reply.messages[-1].buttons] == ["h:stop"]
    row = dict(next(db.query("SELECT * FROM handoffs")))
    assert set(row) == {"number", "user_key", "lang", "place_name", "district", "channel", "staff_chat",
                        "thread_id", "relayed", "opened_at", "closed_at", "opened_by"}
    assert (row["lang"], row["place_name"], row["district"], row["channel"]) == ("de", "Lünen", "05978", "telegram")
    assert row["user_key"] == engine.sessions.key("tg:1") and "tg:1" not in json.dumps(row)


def test_the_message_that_opened_it_sent_again_is_answered_as_the_first_time(db: Database) -> None:
    """An instance died after opening the handoff and before it recorded the answer; the page (or Telegram)
    sends the same message again, and another instance handles it: it must not reach the team as the person's
    first message, nor open a second handoff."""
    engine = staffed(db)
    asked = Incoming("web:1", text=ASK + " in Lünen", lang_hint="de", delivery="web:m-0")
    first, again = engine.handle(asked), engine.handle(asked)
    assert first.handoff is not None and again.handoff == first.handoff and not again.handoff.relay
    assert text(again) == text(first)
    assert db.execute("SELECT count(*), sum(relayed) FROM handoffs").fetchone() == (1, 0)
    later = engine.handle(Incoming("web:1", text=ASK + " in Lünen", lang_hint="de", delivery="web:m-1"))
    assert later.handoff is not None and later.handoff.relay, "written once more by the person: for the team"


def test_while_it_lasts_lotse_passes_messages_on_and_keeps_its_buttons(db: Database) -> None:
    engine = staffed(db)
    say(engine, ASK)
    first, second = say(engine, "Kita in Lünen"), say(engine, "noch eine Frage")
    assert first.handoff is not None and first.handoff.relay and "weitergegeben" in text(first)
    assert second.handoff is not None and second.handoff.relay and second.messages == []
    menu = engine.handle(Incoming("tg:1", button="m"))
    assert menu.handoff is None and any(b.data == "t:kita" for b in menu.messages[0].buttons)


@pytest.mark.parametrize("lang", sorted(STOP_WORDS))
def test_stop_in_every_language_ends_it(db: Database, lang: str) -> None:
    engine = staffed(db)
    say(engine, ASK)
    reply = say(engine, STOP_WORDS[lang][0] + "!")
    assert reply.handoff is not None and reply.handoff.ended
    assert say(engine, "Kita in Lünen").handoff is None, "Lotse answers again"


def test_a_sentence_with_stop_in_it_still_reaches_the_team() -> None:
    assert is_stop("Stopp") and is_stop(" توقف ") and not is_stop("Die Bushaltestelle heißt Stop, wo ist sie?")


def test_the_stop_button_ends_it_and_a_location_later_does_not_reopen_it(db: Database) -> None:
    engine = staffed(db)
    say(engine, ASK)
    ended = engine.handle(Incoming("tg:1", button="h:stop"))
    assert ended.handoff is not None and ended.handoff.ended
    from bot.geo.distance import Point

    later = engine.handle(Incoming("tg:1", location=Point(51.6164, 7.5228)))
    assert later.handoff is None


def test_forget_ends_an_open_handoff_and_deletes_the_mapping(db: Database) -> None:
    engine = staffed(db)
    say(engine, ASK)
    reply = engine.handle(Incoming("tg:1", button="forget:yes"))
    assert reply.handoff is not None and reply.handoff.ended
    assert db.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_the_district_desk_answers_its_district_the_general_one_the_rest(db: Database) -> None:
    engine = staffed(db, StaffDesk(UNNA, "05978", "KI Kreis Unna"), StaffDesk(GENERAL, None, "KI NRW"))
    assert "KI Kreis Unna" in text(say(engine, ASK + " in Lünen", "tg:1"))
    assert "KI NRW" in text(say(engine, ASK + " in Heinsberg", "tg:2"))
    chats = dict(db.execute("SELECT place_name, staff_chat FROM handoffs").fetchall())
    assert chats == {"Lünen": UNNA, "Heinsberg": GENERAL}


def test_only_a_district_desk_asks_for_the_place_first(db: Database) -> None:
    engine = staffed(db, StaffDesk(UNNA, "05978", "KI Kreis Unna"))
    first = say(engine, ASK)
    assert first.handoff is None and any(b.data == "location" for m in first.messages for b in m.buttons)
    assert say(engine, "Lünen").handoff is not None


def test_the_cli_is_never_handed_over(db: Database) -> None:
    assert say(staffed(db), ASK, user="cli:local").handoff is None


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 12, 5, 10, 30, tzinfo=BERLIN), "Montag 09:00"),  # Saturday
    (datetime(2026, 12, 24, 17, 0, tzinfo=BERLIN), "Montag 09:00"),  # Christmas: 25 and 26 are public holidays
    (datetime(2026, 12, 2, 6, 0, tzinfo=BERLIN), "Mittwoch 09:00"),  # early on a working day
])
def test_outside_the_teams_hours_it_says_when_and_gives_the_emergency_numbers(db: Database, now: datetime,
                                                                              expected: str) -> None:
    engine = staffed(db, StaffDesk(GENERAL, None, "KI Test", "Mo-Fr 09:00-16:00; PH off", 4))
    engine.handoff.clock = lambda: now
    shown = text(say(engine, ASK))
    assert expected in shown and "112" in shown and "110" in shown


def test_within_the_teams_hours_no_emergency_note(db: Database) -> None:
    engine = staffed(db, StaffDesk(GENERAL, None, "KI Test", "Mo-Fr 09:00-16:00", 4))
    engine.handoff.clock = lambda: datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)
    assert "112" not in text(say(engine, ASK))


def test_an_emergency_during_a_handoff_gets_the_numbers_and_reaches_the_team(db: Database) -> None:
    engine = staffed(db)
    say(engine, ASK)
    reply = say(engine, "Hilfe, es brennt in der Wohnung")
    assert reply.handoff is not None and reply.handoff.relay
    assert "112" in text(reply) and "📞" in text(reply)


def test_closed_handoffs_are_deleted_after_the_retention_period(db: Database) -> None:
    engine = staffed(db)
    store, now = engine.handoff.store, datetime.now(UTC)
    old = store.open("a", lang="de", place_name=None, district=None, channel="web", staff_chat=GENERAL, now=now)
    store.close(old.number, now - timedelta(days=91))
    recent = store.open("b", lang="de", place_name=None, district=None, channel="web", staff_chat=GENERAL, now=now)
    store.close(recent.number, now - timedelta(days=89))
    store.post(old.number, "staff", "Hallo", now)
    still_open = store.open("c", lang="de", place_name=None, district=None, channel="web", staff_chat=GENERAL,
                            now=now - timedelta(days=400))
    staffed(db)  # a new start purges
    assert [r[0] for r in db.execute("SELECT number FROM handoffs ORDER BY number")] == [recent.number,
                                                                                         still_open.number]
    assert db.execute("SELECT count(*) FROM handoff_outbox").fetchone()[0] == 0


def test_the_transcript_is_small_and_forgotten_once_taken() -> None:
    transcript = Transcript(per_person=3, people=2, max_chars=10)
    for i in range(5):
        transcript.add("a", "person", f"message number {i}")
    transcript.add("b", "lotse", "x")
    transcript.add("c", "lotse", "y")  # "a" wrote longest ago: forgotten
    assert transcript.take("a") == []
    assert transcript.take("b") == [("lotse", "x")] and transcript.take("b") == []


@pytest.mark.parametrize(("env", "error"), [
    ({"LOTSE_STAFF_CHAT": "team-unna"}, "chat id"),
    ({"LOTSE_STAFF_CHAT": "-100123", "LOTSE_STAFF_HOURS": "weekdays 9 to 5"}, "opening_hours"),
    ({"LOTSE_STAFF_CHAT": "-100123", "LOTSE_STAFF_RESPONSE_HOURS": "soon"}, "number of hours"),
])
def test_bad_staff_settings_are_refused_clearly(env: dict[str, str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Settings.from_env(env)


def test_staff_settings_per_district() -> None:
    settings = Settings.from_env({"LOTSE_STAFF_CHAT": "-100123", "LOTSE_STAFF_TEAM": "KI NRW",
                                  "LOTSE_STAFF_CHAT_05978": "-100555", "LOTSE_STAFF_TEAM_05978": "KI Kreis Unna",
                                  "LOTSE_STAFF_HOURS": "Mo-Fr 08:00-15:00", "LOTSE_RETENTION_DAYS": "30"})
    assert settings.staff == StaffConfig((
        StaffDesk(-100123, None, "KI NRW", "Mo-Fr 08:00-15:00", 24),
        StaffDesk(-100555, "05978", "KI Kreis Unna", "Mo-Fr 08:00-15:00", 24)), 30)
    assert Settings.from_env({}).staff == StaffConfig((), 90)


async def test_the_stream_sends_waiting_replies_then_ends(tmp_path: Path) -> None:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    app = create_app(Settings(db_path=db_path))
    async with TestClient(TestServer(app)) as client:
        engine = app[ENGINE]
        store, now = engine.handoff.store, datetime.now(UTC)
        handoff = store.open(engine.sessions.key("web:abc"), lang="ar", place_name=None, district=None,
                             channel="web", staff_chat=GENERAL, now=now)
        first = store.post(handoff.number, "staff", "مرحبا", now)
        store.post(handoff.number, "closed", "انتهت", now)
        store.close(handoff.number, now)
        resp = await client.get("/api/staff", params={"session": "abc", "after": str(first - 1)})
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
        body = await resp.text()
        assert not body.startswith("event: open"), "closed already: nothing to announce"
        assert f"id: {first}\ndata: " in body and "مرحبا" in body and "انتهت" in body
        assert body.endswith("event: end\ndata: {}\n\n")
        again = await client.get("/api/staff", params={"session": "abc"}, headers={"Last-Event-ID": str(first)})
        assert "مرحبا" not in await again.text()
        assert (await client.get("/api/staff")).status == 400


async def test_an_open_stream_does_not_hold_up_the_shutdown(tmp_path: Path) -> None:
    import aiohttp
    from aiohttp import web

    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    app = create_app(Settings(db_path=db_path))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    engine = app[ENGINE]
    engine.handoff.store.open(engine.sessions.key("web:open"), lang="de", place_name=None, district=None,
                              channel="web", staff_chat=GENERAL, now=datetime.now(UTC))
    async with aiohttp.ClientSession() as http:
        resp = await http.get(f"http://127.0.0.1:{port}/api/staff?session=open")
        assert resp.status == 200
        # Ends at once; a server that waited for the stream would wait STREAM_FOR: half of it fails, whatever
        # else the machine is doing.
        await asyncio.wait_for(runner.cleanup(), STREAM_FOR / 2)
        resp.close()


@pytest.mark.parametrize(("before", "message"), [
    ([], ASK + " in Lünen"),  # opens the handoff: the engine and the handoff read the same understanding
    ([ASK], "Kita in Lünen"),  # passed on to the team
    ([ASK], "Mein Mann schlägt mich, ich habe Angst"),  # passed on, the numbers first
    ([ASK], "stopp"),
    ([], "Kita in Lünen"),
])
def test_the_nlu_reads_each_message_once(db: Database, monkeypatch: pytest.MonkeyPatch, before: list[str],
                                         message: str) -> None:
    engine = staffed(db)
    for words in before:
        say(engine, words)
    calls: list[str] = []
    understand = engine.nlu.understand

    def counted(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return understand(text, *args, **kwargs)

    monkeypatch.setattr(engine.nlu, "understand", counted)
    say(engine, message)
    assert len(calls) <= 1, calls
