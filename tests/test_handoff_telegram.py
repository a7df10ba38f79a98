"""Talk to a person on Telegram: the real PTB Application against the fake Bot API, with a staff supergroup.

A person writing in Arabic asks for a person, writes to the team (text and a photo), gets the team's reply, and
after /close is answered by Lotse again. Every call the bot made to the staff group is checked for the person's
Telegram id, name and username.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from demodb import demo_db
from sqlite_utils import Database

from bot import i18n
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import message_update, text_update
from bot.config import Settings, StaffConfig, StaffDesk
from bot.engine import Engine, Incoming
from bot.telegram.runner import TelegramBot

PERSON = 987654321
NAME, USERNAME = "Yasmin", "yasmin_k"
STAFF_CHAT = -1001234567890
COLLEAGUE = 5550001
TEAM = "KI Kreis Unna"
PHOTO = [{"file_id": "AgACphoto", "file_unique_id": "uq1", "width": 800, "height": 600, "file_size": 51200}]


def person(update: dict[str, Any]) -> dict[str, Any]:
    """An update from the person, with a name and username staff must never see."""
    message = update["message"]
    message["from"].update(first_name=NAME, username=USERNAME)
    message["chat"].update(first_name=NAME, username=USERNAME)
    return update


def says(text: str) -> dict[str, Any]:
    return person(text_update(PERSON, text, lang="ar"))


def staff_says(text: str, thread: int) -> dict[str, Any]:
    """A colleague writing in the handoff's topic of the staff supergroup."""
    return text_update(COLLEAGUE, text, lang="de", chat_id=STAFF_CHAT, kind="supergroup",
                       message_thread_id=thread, is_topic_message=True)


def settings_for(api: FakeBotAPI, db_path: Path | None = None, hours: str | None = None) -> Settings:
    desk = StaffDesk(STAFF_CHAT, None, TEAM, hours, 4)
    return Settings(db_path=db_path or Path("unused.db"), telegram_token=api.token,
                    telegram_api_base_url=api.base_url, staff=StaffConfig((desk,)))


def assert_staff_never_sees_the_person(api: FakeBotAPI) -> None:
    """Every call but those to the person's own chat, and every message the staff group holds, without the
    person's id, name or username."""
    assert any(c.chat_id == STAFF_CHAT for c in api.calls), "nothing reached the staff group"
    for call in api.calls:
        if call.chat_id == PERSON:
            continue
        # copyMessage names the chat it copies from (Telegram needs it; the copy shows no sender).
        shown = json.dumps({k: v for k, v in call.params.items() if k != "from_chat_id"}, ensure_ascii=False)
        for secret in (str(PERSON), NAME, USERNAME):
            assert secret not in shown, (call.method, shown)
    for (chat, _id), message in api.messages.items():
        if chat == STAFF_CHAT:
            held = json.dumps(message, ensure_ascii=False)
            assert str(PERSON) not in held and NAME not in held and USERNAME not in held, held


def to_person(api: FakeBotAPI) -> list[str]:
    return [c.text for c in api.sent(PERSON, ["sendMessage", "editMessageText"])]


@pytest.fixture
def file_engine(tmp_path: Path) -> Engine:
    """A database file, so the engine runs in its worker process as in production."""
    db = demo_db(tmp_path / "lotse.db")
    return Engine(db, staff=StaffConfig((StaffDesk(STAFF_CHAT, None, TEAM, None, 4),)))


@pytest.fixture
async def bot(api: FakeBotAPI, file_engine: Engine, tmp_path: Path) -> AsyncIterator[TelegramBot]:
    async with TelegramBot(settings_for(api, tmp_path / "lotse.db"), file_engine, poll_timeout=5,
                           engine_workers=1) as running:
        assert running.worker is not None  # the engine answers from its own process
        yield running
        api.drain()


async def test_arabic_person_talks_to_the_team_and_back_to_lotse(api: FakeBotAPI, bot: TelegramBot,
                                                                   file_engine: Engine) -> None:
    api.push(says("أريد التحدث مع شخص"))
    [offer] = await api.wait_for("sendMessage", chat_id=PERSON)
    assert TEAM in offer.text and "h:stop" in offer.button_data()
    with i18n.use("ar"):
        assert i18n.strip_isolates(i18n.gettext("End the chat with the team")) in json.dumps(
            offer.markup, ensure_ascii=False)
    assert not api.sent(STAFF_CHAT), "no topic before the person writes to the team"

    api.push(says("وصلتني رسالة من مكتب الأجانب ولا أفهمها"))
    [topic] = await api.wait_for("createForumTopic")
    assert topic.params["name"] == "#1 · ar" and topic.chat_id == STAFF_CHAT
    thread = next(t for (chat, t) in api.topics if chat == STAFF_CHAT)
    [first] = await api.wait_for("copyMessage", chat_id=STAFF_CHAT)
    opening = api.sent(STAFF_CHAT, ["sendMessage"])[0]
    assert opening.params["message_thread_id"] == thread
    assert "#1" in opening.text and "أريد التحدث مع شخص" in opening.text  # the last messages before it
    assert first.params["from_chat_id"] == PERSON and first.params["message_thread_id"] == thread
    await api.wait_for("sendMessage", 2, chat_id=PERSON)  # "passed on to the team" (once)

    api.push(says("هل يمكنكم مساعدتي اليوم؟"))
    api.push(person(message_update(PERSON, lang="ar", photo=PHOTO, caption="هذه هي الرسالة")))
    copies = await api.wait_for("copyMessage", 3, chat_id=STAFF_CHAT)
    held = [api.messages[(STAFF_CHAT, m)] for (c, m) in api.messages if c == STAFF_CHAT and (c, m) in api.messages]
    assert any(m.get("photo") == PHOTO and m.get("caption") == "هذه هي الرسالة" for m in held), held
    assert all(c.params["message_thread_id"] == thread for c in copies)
    assert len(to_person(api)) == 2, "Lotse itself stays quiet while the team has the conversation"

    api.push(staff_says("مرحبا، نحن نساعدك. تعالي يوم الخميس الساعة العاشرة.", thread))
    [answer] = await api.wait_for("copyMessage", chat_id=PERSON)
    assert answer.params["from_chat_id"] == STAFF_CHAT
    copied = api.messages[(PERSON, max(m for (c, m) in api.messages if c == PERSON))]
    assert copied["text"].startswith("مرحبا، نحن نساعدك") and "from" not in copied

    api.push(staff_says("/close", thread))
    [closed] = await api.wait_for("closeForumTopic")
    assert closed.params["message_thread_id"] == thread
    with i18n.use("ar"):
        notice = i18n.gettext("The team has ended this conversation. Lotse answers your questions again.")
    assert to_person(api)[-1] == notice

    api.push(says("أبحث عن روضة أطفال في لونن"))
    await api.wait_for("sendVenue", chat_id=PERSON)
    assert "Kita" in to_person(api)[-1] or "روضة" in to_person(api)[-1]
    assert len(api.sent(STAFF_CHAT, ["copyMessage"])) == 3, "after /close nothing goes to the team any more"
    assert_staff_never_sees_the_person(api)
    rows = [dict(r) for r in file_engine.db.query("SELECT * FROM handoffs")]
    assert len(rows) == 1 and rows[0]["closed_at"] and rows[0]["channel"] == "telegram"
    assert str(PERSON) not in json.dumps(rows) and len(rows[0]["user_key"]) == 64


# -- outside the team's hours, and an emergency during a handoff (inline engine, fixed clock) ---------------
SATURDAY = datetime(2026, 12, 5, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
async def weekend_bot(api: FakeBotAPI, db: Database) -> AsyncIterator[tuple[TelegramBot, Engine]]:
    engine = Engine(db, staff=settings_for(api, hours="Mo-Fr 09:00-16:00; PH off").staff)
    engine.handoff.clock = lambda: SATURDAY
    async with TelegramBot(settings_for(api, hours="Mo-Fr 09:00-16:00"), engine, poll_timeout=5) as running:
        yield running, engine
        api.drain()


async def test_outside_hours_says_when_and_emergency_gets_the_numbers_at_once(
        api: FakeBotAPI, weekend_bot: tuple[TelegramBot, Engine]) -> None:
    api.push(says("أريد التحدث مع موظف"))
    [offer] = await api.wait_for("sendMessage", chat_id=PERSON)
    with i18n.use("ar"):
        later = i18n.gettext("The team is not at work right now. They will answer from {when}.")
    later = i18n.strip_isolates(later.split("{when}")[0]).strip()
    text = i18n.strip_isolates(offer.text)
    assert "الاثنين 09:00" in text, text  # Monday 09:00, in Arabic
    assert later in text and "112" in text and "110" in text

    api.push(says("وصلتني رسالة"))
    await api.wait_for("copyMessage", chat_id=STAFF_CHAT)
    api.push(says("النجدة! حريق في البيت"))
    await api.wait_for("copyMessage", 2, chat_id=STAFF_CHAT)  # the team sees it too
    urgent = i18n.strip_isolates(to_person(api)[-1])
    assert "112" in urgent and "📞" in urgent, urgent
    assert_staff_never_sees_the_person(api)


async def test_stop_in_arabic_ends_it_and_tells_the_team(api: FakeBotAPI,
                                                         weekend_bot: tuple[TelegramBot, Engine]) -> None:
    api.push(says("أريد التحدث مع شخص"))
    await api.wait_for("sendMessage", chat_id=PERSON)
    api.push(says("سؤال عن الإقامة"))
    [_topic] = await api.wait_for("createForumTopic")
    api.push(says("توقف"))
    [closed] = await api.wait_for("closeForumTopic")
    with i18n.use("ar"):
        ended = i18n.gettext("You have ended the conversation with the team. Lotse answers your questions again.")
    assert ended in to_person(api)[-1]
    assert len(api.sent(STAFF_CHAT, ["copyMessage"])) == 1, "'stop' itself is Lotse's, not the team's"
    assert closed.chat_id == STAFF_CHAT


async def test_after_a_restart_the_reply_reaches_the_person_at_once(
        api: FakeBotAPI, weekend_bot: tuple[TelegramBot, Engine]) -> None:
    running, _engine = weekend_bot
    api.push(says("أريد التحدث مع شخص"))
    await api.wait_for("sendMessage", chat_id=PERSON)
    api.push(says("سؤال"))
    await api.wait_for("copyMessage", chat_id=STAFF_CHAT)
    thread = next(t for (chat, t) in api.topics if chat == STAFF_CHAT)
    running.application.bot_data["staff_bridge"].chats.clear()  # what a restart forgets: the chats in memory
    api.push(staff_says("نعم، تفضل", thread))
    await api.wait_for("copyMessage", chat_id=PERSON)  # the chat was kept in the database with the handoff
    notes = [c.text for c in api.sent(STAFF_CHAT, ["sendMessage"])]
    assert not any("neu gestartet" in note for note in notes), "no 'restarted, delivered later' note"


async def test_a_photo_from_staff_to_a_web_chat_is_refused_kindly(
        api: FakeBotAPI, weekend_bot: tuple[TelegramBot, Engine]) -> None:
    running, engine = weekend_bot
    engine.handle(Incoming("web:s1", text="أريد التحدث مع شخص"))
    bridge = running.application.bot_data["staff_bridge"]
    await bridge.from_web(1, "سؤال من الموقع")  # queued for the staff group, sent in the background
    await bridge.queue.drained()
    thread = next(t for (chat, t) in api.topics if chat == STAFF_CHAT)
    photo = message_update(COLLEAGUE, lang="de", chat_id=STAFF_CHAT, kind="supergroup", photo=PHOTO,
                           message_thread_id=thread, is_topic_message=True)
    api.push(photo)
    [*_, note] = await api.wait_for("sendMessage", 3, chat_id=STAFF_CHAT)
    assert "Text" in note.text  # "Der Web-Chat zeigt nur Text ..."
    api.push(staff_says("أهلا", thread))
    await api.settle()
    key = engine.sessions.key("web:s1")
    assert [p.text for p in engine.handoff.store.pending(key)] == ["أهلا"]


async def test_a_staff_group_without_topics_is_explained_to_the_person(
        api: FakeBotAPI, weekend_bot: tuple[TelegramBot, Engine]) -> None:
    api.push(says("أريد التحدث مع شخص"))
    await api.wait_for("sendMessage", chat_id=PERSON)
    api.fail_next("createForumTopic", 400, "Bad Request: the chat is not a forum")
    api.push(says("سؤال"))
    await api.wait_for("createForumTopic")
    await api.settle()
    with i18n.use("ar"):
        sorry = i18n.gettext("Sorry, your message could not be passed on to the team. Please try again later, "
                             "or call them.")
    assert to_person(api)[-1] == sorry
