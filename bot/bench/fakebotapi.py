"""A fake Telegram Bot API server (aiohttp on 127.0.0.1) for end-to-end tests and `lotse bench telegram`.

It speaks enough of the Bot API for python-telegram-bot (or any other client) to run against it: requests to
`/bot<token>/<method>` with the parameters form-encoded (values JSON-encoded, as Telegram receives them),
multipart or JSON; answers `{"ok": true, "result": ...}` with real-looking objects. Every call is recorded.
Tests push updates (built with bot/bench/fakeupdates.py), served by `getUpdates` with offset and long-poll timeout
or POSTed to the webhook when one is set, and await the bot's calls.

Run as a script (`python -m bot.bench.fakebotapi --port 0`) it prints `PORT <n>` and serves until killed; the
control routes under `/_fake/` then push a load of text updates and report the measured latencies (the
Telegram benchmark runs the server in its own process, so the bot's process has its core to itself).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot.bench.fakehttp import FakeHTTPAPI
from bot.bench.fakeupdates import BOT_ID, text_update

SEND_METHODS = frozenset({"sendMessage", "sendVenue", "sendLocation", "editMessageText", "sendPhoto", "copyMessage",
                          "sendDocument"})
# Parameters Telegram reads as numbers, everything else stays a string unless it is a JSON object or array.
NUMERIC = frozenset({"chat_id", "offset", "limit", "timeout", "message_id", "latitude", "longitude", "cache_time",
                     "reply_to_message_id", "max_connections", "horizontal_accuracy", "live_period",
                     "message_thread_id", "from_chat_id"})
# What a copy keeps of a message: its content, never who sent it (copyMessage shows no "forwarded from").
CONTENT = ("text", "entities", "photo", "document", "caption", "caption_entities", "location", "venue", "voice",
           "video", "audio", "sticker", "contact")


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if isinstance(value, int | float | str) and str(value).lstrip("-").isdigit() else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict[str, Any]:
        markup = self.params.get("reply_markup") or {}
        return markup if isinstance(markup, dict) else {}

    def button_data(self) -> list[str]:
        """Callback data of every inline button of the call's keyboard."""
        return [b.get("callback_data", "") for row in self.markup.get("inline_keyboard", []) for b in row]


class ApiError(Exception):
    """An error answer: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters or {}


def parse_value(key: str, value: str) -> Any:
    """A form value as Telegram reads it: JSON for objects and arrays, numbers where numbers are expected."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    if key in NUMERIC:
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    if value in ("true", "false"):
        return value == "true"
    return value


class FakeBotAPI(FakeHTTPAPI):
    """The fake server. `async with FakeBotAPI() as api:` starts it on a free loopback port; `files` are what
    getFile and the file download serve (a test's photo)."""

    def __init__(self, token: str = "123:ABC", *, username: str = "LotseTestBot", port: int = 0) -> None:
        super().__init__(port)
        self.token, self.username = token, username
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.failures: dict[str, list[ApiError]] = {}
        self.held: dict[str, asyncio.Event] = {}  # method -> answered only once the event is set (a slow API)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.topics: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message_thread_id) -> name, closed
        self._thread_ids = itertools.count(7)
        self._new_update = asyncio.Event()
        self._client: ClientSession | None = None
        self.load: LoadTracker | None = None
        self.draining = False

    # -- lifecycle ------------------------------------------------------------------------------------
    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/bot{token}/{method}", self._handle)
        router.add_get("/bot{token}/{method}", self._handle)
        router.add_get("/file/bot{token}/{path:.+}", self._download)
        router.add_post("/_fake/load", self._load)
        router.add_get("/_fake/result", self._result)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        await super().stop()

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL should be set to."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- the Bot API ----------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        if self.load is not None:
            self.load.seen(call)
        self.changed()
        if method in self.held:
            await self.held[method].wait()
        try:
            pending = self.failures.get(method)
            if pending:
                raise pending.pop(0)
            result = await self._dispatch(method, params)
        except ApiError as err:
            body = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters  # e.g. retry_after of a 429, as Telegram sends it
            return web.json_response(body, status=err.code)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        params: dict[str, Any] = {}
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):  # an uploaded photo or document: kept as its bytes
                    params[key] = {"filename": value.filename, "content_type": value.content_type,
                                   "data": value.file.read()}
                else:
                    params[key] = parse_value(key, value) if isinstance(value, str) else value
        for key, value in request.query.items():
            params.setdefault(key, parse_value(key, value))
        return params

    async def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Lotse", "username": self.username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
        if method == "getUpdates":
            return await self._get_updates(p)
        if method in ("sendMessage", "sendVenue", "sendLocation", "sendPhoto", "sendDocument"):
            return self._new_message(p)
        if method == "getFile":
            file_id = str(p.get("file_id", ""))
            if file_id not in self.files:
                raise ApiError(400, "Bad Request: invalid file_id")
            return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(self.files[file_id][1]),
                    "file_path": f"documents/{file_id}"}
        if method == "copyMessage":
            return self._copy(p)
        if method == "createForumTopic":
            thread = next(self._thread_ids)
            self.topics[(int(p["chat_id"]), thread)] = {"name": p.get("name", ""), "closed": False}
            return {"message_thread_id": thread, "name": p.get("name", ""), "icon_color": 7322096}
        if method in ("closeForumTopic", "reopenForumTopic"):
            key = (int(p["chat_id"]), int(p["message_thread_id"]))
            if key not in self.topics:
                raise ApiError(400, "Bad Request: message thread not found")
            self.topics[key]["closed"] = method == "closeForumTopic"
            return True
        if method == "editMessageText":
            key = (int(p["chat_id"]), int(p["message_id"]))
            if key not in self.messages:
                raise ApiError(400, "Bad Request: message to edit not found")
            self.messages[key].update(text=p.get("text", ""), reply_markup=p.get("reply_markup"))
            return self._message_json(key)
        if method in ("answerCallbackQuery", "answerInlineQuery", "deleteMessage", "sendChatAction",
                      "close", "logOut", "editMessageReplyMarkup"):
            return True
        if method == "setMyCommands":
            self.commands[str(p.get("language_code", ""))] = list(p.get("commands") or [])
            return True
        if method == "deleteMyCommands":
            self.commands.pop(str(p.get("language_code", "")), None)
            return True
        if method == "getMyCommands":
            return self.commands.get(str(p.get("language_code", "")), [])
        if method == "setWebhook":
            self.webhook = {"url": p.get("url", ""), "secret_token": p.get("secret_token")}
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            if p.get("drop_pending_updates"):
                self.updates.clear()
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self.updates)}
        raise ApiError(404, "Not Found: method not found")

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        if offset:
            # Telegram forgets every update below the offset: they are confirmed.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + (0.0 if self.draining else float(p.get("timeout") or 0))
        while not self.updates and not self.draining:
            event = self._new_update
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
        delivered = self.updates[:limit]
        if self.load is not None:
            self.load.delivered(delivered)
        return delivered

    def _new_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        key = (chat_id, next(self._message_ids))
        self.messages[key] = {k: p[k] for k in ("text", "reply_markup", "latitude", "longitude", "title",
                                                "address", "message_thread_id") if k in p}
        self._check_thread(p)
        return self._message_json(key)

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes of a file getFile named."""
        return self.serve_file(request.match_info["path"].rpartition("/")[2],
                               allowed=request.match_info["token"] == self.token)

    def _check_thread(self, p: dict[str, Any]) -> None:
        thread = p.get("message_thread_id")
        if thread is not None:
            topic = self.topics.get((int(p["chat_id"]), int(thread)))
            if topic is None:
                raise ApiError(400, "Bad Request: message thread not found")
            if topic["closed"]:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")

    def _copy(self, p: dict[str, Any]) -> dict[str, Any]:
        """copyMessage: the content of a message the fake has seen (sent, or pushed in an update), as a new one."""
        source = self.messages.get((int(p["from_chat_id"]), int(p["message_id"])))
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        self._check_thread(p)
        key = (int(p["chat_id"]), next(self._message_ids))
        self.messages[key] = {**{k: v for k, v in source.items() if k in CONTENT},
                              **({"message_thread_id": p["message_thread_id"]} if "message_thread_id" in p else {})}
        return {"message_id": key[1]}

    def _message_json(self, key: tuple[int, int]) -> dict[str, Any]:
        chat_id, message_id = key
        stored = self.messages[key]
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "first_name": "Test"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Lotse", "username": self.username},
        }
        if "message_thread_id" in stored:
            message.update(message_thread_id=stored["message_thread_id"], is_topic_message=True)
            message["chat"] = {"id": chat_id, "type": "supergroup", "title": "Team", "is_forum": True}
        if "title" in stored:
            location = {"latitude": stored["latitude"], "longitude": stored["longitude"]}
            message["venue"] = {"location": location, "title": stored["title"], "address": stored["address"]}
            message["location"] = location
        elif "latitude" in stored:
            message["location"] = {"latitude": stored["latitude"], "longitude": stored["longitude"]}
        else:
            message["text"] = stored.get("text", "")
        if isinstance(stored.get("reply_markup"), dict) and "inline_keyboard" in stored["reply_markup"]:
            message["reply_markup"] = stored["reply_markup"]
        return message

    # -- what tests use -------------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (numbered here) for getUpdates, or deliver it to the webhook when one is set."""
        update = {"update_id": next(self._update_ids), **update}
        message = update.get("message")
        if isinstance(message, dict):  # kept, so that copyMessage can copy it
            self.messages[(int(message["chat"]["id"]), int(message["message_id"]))] = dict(message)
        if self.webhook.get("url"):
            asyncio.get_running_loop().create_task(self._deliver(update))
        else:
            self.updates.append(update)
            self._new_update.set()
            self._new_update = asyncio.Event()
        return int(update["update_id"])

    async def _deliver(self, update: dict[str, Any]) -> None:
        if self._client is None:
            self._client = ClientSession(timeout=ClientTimeout(total=10))
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
        async with self._client.post(self.webhook["url"], json=update, headers=headers) as resp:
            await resp.read()

    def drain(self) -> None:
        """Answer pending and future long polls at once (lets a polling bot stop without waiting them out)."""
        self.draining = True
        self._new_update.set()
        self._new_update = asyncio.Event()

    def hold(self, *methods: str) -> asyncio.Event:
        """Answer calls of these methods only once the returned event is set (as when Telegram makes a bot wait
        for a group's rate limit)."""
        event = asyncio.Event()
        for method in methods:
            self.held[method] = event
        return event

    def fail_next(self, method: str, code: int, description: str, retry_after: int | None = None) -> None:
        """Answer the next call of `method` with an error (e.g. 403 'bot was blocked by the user', or 429 with
        `retry_after` seconds)."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        self.failures.setdefault(method, []).append(ApiError(code, description, parameters))

    def sent(self, chat_id: int | None = None, methods: Iterable[str] = SEND_METHODS) -> list[Call]:
        """The calls that sent or edited something, optionally to one chat."""
        wanted = set(methods)
        return [c for c in self.calls if c.method in wanted and (chat_id is None or c.chat_id == chat_id)]

    async def wait_for(self, method: str, n: int = 1, timeout: float = 120.0, **match: Any) -> list[Call]:
        """Wait until at least `n` calls of `method` whose params contain `match` were made; return them.

        Returns at the call: the timeout only ends a wait for a call that never comes, so it is generous enough
        for a machine busy with other work."""
        def found() -> list[Call] | None:
            calls = [c for c in self.calls if c.method == method
                     and all(c.params.get(k) == v or (c.chat_id == v and k == "chat_id") for k, v in match.items())]
            return calls if len(calls) >= n else None

        def missing() -> str:
            seen = [(c.method, c.params) for c in self.calls[-8:]]
            return f"no {n} x {method} {match} within {timeout} s; last calls: {seen}"

        return await self.wait_until(found, timeout, missing)

    async def settle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Wait until the bot has made no call (other than polling) for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = sum(c.method != "getUpdates" for c in self.calls)
            await asyncio.sleep(quiet)
            if sum(c.method != "getUpdates" for c in self.calls) == count:
                return

    # -- load generation (the benchmark) --------------------------------------------------------------
    async def _load(self, request: web.Request) -> web.Response:
        spec = await request.json()
        replies = spec.get("replies", 1)
        self.load = LoadTracker(replies if isinstance(replies, list) else [int(replies)], int(spec["n"]))
        asyncio.get_running_loop().create_task(self._generate(spec))
        return web.json_response({"ok": True})

    async def _generate(self, spec: dict[str, Any]) -> None:
        assert self.load is not None
        texts: list[str] = list(spec["texts"])
        n, rate, first_chat = int(spec["n"]), float(spec.get("rate") or 0), int(spec.get("first_chat", 10_000_000))
        start = time.monotonic()
        for i in range(n):
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            chat = first_chat + i
            self.load.pushed(chat, i)
            self.push(text_update(chat, texts[i % len(texts)]))

    async def _result(self, request: web.Request) -> web.Response:
        timeout = float(request.query.get("timeout", "60"))
        assert self.load is not None
        await self.load.wait(timeout)
        return web.json_response(self.load.summary())


class LoadTracker:
    """Times each load update from the moment it is queued to the bot's first and last reply to its chat."""

    def __init__(self, replies: list[int], total: int) -> None:
        self.total = total
        self.replies = replies  # messages the bot sends per update, by the text's index in the load
        self.expect: dict[int, int] = {}
        self.pushed_at: dict[int, float] = {}
        self.first: dict[int, float] = {}
        self.count: dict[int, int] = {}
        self.done_at: dict[int, float] = {}
        self.batches: list[int] = []
        self.methods: dict[str, int] = {}
        self._done = asyncio.Event()

    def pushed(self, chat: int, index: int = 0) -> None:
        self.pushed_at[chat] = time.monotonic()
        self.expect[chat] = max(1, self.replies[index % len(self.replies)])

    def delivered(self, updates: list[dict[str, Any]]) -> None:
        self.batches.append(len(updates))

    def seen(self, call: Call) -> None:
        self.methods[call.method] = self.methods.get(call.method, 0) + 1
        chat = call.chat_id
        if call.method not in SEND_METHODS or chat not in self.pushed_at:
            return
        self.first.setdefault(chat, call.at)
        self.count[chat] = self.count.get(chat, 0) + 1
        if self.count[chat] == self.expect[chat]:
            self.done_at[chat] = call.at
            if len(self.done_at) == self.total:
                self._done.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._done.wait(), timeout)

    def summary(self) -> dict[str, Any]:
        first = [self.first[c] - t for c, t in self.pushed_at.items() if c in self.first]
        last = [self.done_at[c] - t for c, t in self.pushed_at.items() if c in self.done_at]
        span = (max(self.done_at.values()) - min(self.pushed_at.values())) if self.done_at else 0.0
        return {"pushed": len(self.pushed_at), "answered": len(self.done_at), "seconds": span,
                "first_reply_s": first, "last_reply_s": last,
                "mean_batch": sum(self.batches) / len(self.batches) if self.batches else 0.0,
                "methods": self.methods}


async def _serve(port: int) -> None:
    api = await FakeBotAPI(port=port).start()
    print(f"PORT {api.port}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Serve until killed (used by `lotse bench telegram`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(_serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
