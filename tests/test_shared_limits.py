"""Rate limits with several instances: on PostgreSQL each allowance (a person's messages on Telegram and WhatsApp,
Lotse's own sending to Telegram and WhatsApp) is counted once for all instances; with one instance on SQLite it
stays in the process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlite_utils import Database
from telegram.ext import AIORateLimiter

from bot.config import Settings
from bot.engine import Engine
from bot.ratelimit import Limiter, RateLimiter
from bot.store import Store, open_store
from bot.store.ratelimit import SharedRateLimiter, limiter
from bot.telegram.app import build_application
from bot.telegram.scheduling import FairScheduler
from bot.telegram.sendlimit import GROUP_PER_MINUTE, OVERALL_PER_SECOND, SharedSendLimiter, send_limiter
from bot.whatsapp.sender import PER_SECOND, send_limit

#: Each limit an instance builds from its store, and how many a key may take at once.
LIMITS: list[tuple[str, Callable[[Store], Limiter], int]] = [
    ("a Telegram chat's messages", lambda s: limiter(s, "telegram-chat", 4, 2), 4),
    ("a WhatsApp number's messages", lambda s: limiter(s, "whatsapp-number", 4, 2), 4),
    ("sending on WhatsApp", send_limit, PER_SECOND),
    ("sending to Telegram", lambda s: _shared(send_limiter(s, 0)).overall, OVERALL_PER_SECOND),
    ("sending into a Telegram group", lambda s: _shared(send_limiter(s, 0)).groups, GROUP_PER_MINUTE),
]


def _shared(built: Any) -> SharedSendLimiter:
    assert isinstance(built, SharedSendLimiter)
    return built


@pytest.fixture
def pg_stores(pg_url: str) -> Iterator[tuple[Store, Store]]:
    """Two instances' stores on one PostgreSQL database."""
    with open_store(pg_url) as one, open_store(pg_url) as two:
        yield one, two


@pytest.mark.parametrize(("name", "build", "burst"), LIMITS, ids=[name for name, _, _ in LIMITS])
def test_two_instances_share_one_allowance(pg_stores: tuple[Store, Store], name: str,
                                           build: Callable[[Store], Limiter], burst: int) -> None:
    limits = [build(store) for store in pg_stores]
    for limit in limits:
        assert isinstance(limit, SharedRateLimiter)
        limit.clock = lambda: 1000.0  # time stands still: nothing refills while the test takes
    taken = [limits[i % 2].take("key-1") for i in range(burst + 1)]
    assert taken == [True] * burst + [False]  # one allowance, not one per instance
    assert not limits[0].take("key-1") and limits[1].seconds_until("key-1") > 0
    assert limits[1].take("key-2")  # another key has its own


@pytest.mark.parametrize(("name", "build", "burst"), LIMITS[:3], ids=[name for name, _, _ in LIMITS[:3]])
def test_one_instance_on_sqlite_counts_in_its_process(tmp_path: Any, name: str, build: Callable[[Store], Limiter],
                                                      burst: int) -> None:
    with open_store(f"sqlite:///{tmp_path / 'lotse.db'}") as store:
        assert isinstance(build(store), RateLimiter)
        assert isinstance(send_limiter(store, 0), AIORateLimiter)


async def test_messages_into_a_group_from_two_instances_spend_one_allowance(pg_stores: tuple[Store, Store],
                                                                            ) -> None:
    one, two = (_shared(send_limiter(store, 0)) for store in pg_stores)
    for limit in (one.groups, one.overall, two.groups, two.overall):
        assert isinstance(limit, SharedRateLimiter)
        limit.clock = lambda: 1000.0
    sent: list[int] = []

    async def send(number: int) -> bool:
        sent.append(number)
        return True

    for i in range(GROUP_PER_MINUTE):
        await (one, two)[i % 2].process_request(send, [i], {}, "sendMessage", {"chat_id": -1001}, None)
    assert sent == list(range(GROUP_PER_MINUTE))
    assert not one.groups.take("-1001") and not two.groups.take("-1001")  # the staff group's minute is used up
    assert one.groups.take("-1002")


def test_two_telegram_bots_on_one_postgresql_share_each_chats_limit(pg_stores: tuple[Store, Store], db: Database,
                                                                     ) -> None:
    settings = Settings(telegram_token="123:abc", rate_burst=3, rate_per_minute=1)
    schedulers = []
    for store in pg_stores:
        processor = build_application(settings, Engine(db, store=store)).update_processor
        assert isinstance(processor, FairScheduler) and processor.limiter is not None
        schedulers.append(processor.limiter)
    assert [schedulers[i % 2].take("42") for i in range(4)] == [True, True, True, False]
