"""A fake WhatsApp Cloud API (Meta's Graph API) on 127.0.0.1 for end-to-end tests and `lotse bench whatsapp`.

It answers `POST /<version>/<phone id>/messages` as the Cloud API documents it (`{"messaging_product":
"whatsapp", "contacts": [...], "messages": [{"id": "wamid..."}]}`) and records every message sent. It also
builds the webhook deliveries Meta would make (text, reply-button and list replies, locations, voice notes,
status updates), signed with `X-Hub-Signature-256` like Meta signs them, so tests post real payloads to Lotse.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.bench.fakehttp import FakeHTTPAPI

PHONE_ID = "106540352242922"
BUSINESS_NUMBER = "4923031234567"


@dataclass
class Sent:
    """One message Lotse sent through the Graph API."""

    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def to(self) -> str:
        return str(self.body.get("to", ""))

    @property
    def type(self) -> str:
        return str(self.body.get("type", ""))

    @property
    def text(self) -> str:
        """What the person reads: the text, or the body of an interactive message."""
        if self.type == "text":
            return str(self.body["text"]["body"])
        if self.type == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        if self.type == "location":
            return str(self.body["location"].get("name", ""))
        if self.type in ("image", "document"):  # the file's name, as the person sees it under the file
            return str(self.body[self.type].get("filename", ""))
        return ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(id, title) of every reply button or list row."""
        if self.type != "interactive":
            return []
        action = self.body["interactive"]["action"]
        if "buttons" in action:
            return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
        return [(row["id"], row["title"]) for section in action.get("sections", []) for row in section["rows"]]


class FakeGraphAPI(FakeHTTPAPI):
    """`async with FakeGraphAPI() as api:` serves on a free port; `api.base_url` is WHATSAPP_API_BASE_URL; `files`
    are the media people sent, for Lotse to download."""

    def __init__(self, app_secret: str = "test-app-secret", port: int = 0) -> None:
        super().__init__(port)
        self.app_secret = app_secret
        self.sent: list[Sent] = []
        self.read: list[str] = []  # message ids marked as read
        self.fail_next: int = 0  # answer this many sends with a Graph API error (131047: outside the window)
        self._ids = itertools.count(1)
        self.uploads: dict[str, dict[str, Any]] = {}  # media id -> filename, type, data: what Lotse uploaded

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v22.0"

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/{version}/{phone_id}/messages", self._messages)
        router.add_post("/{version}/{phone_id}/media", self._upload)
        router.add_get("/{version}/{media_id}", self._media_url)
        router.add_get("/_media/{media_id}", self._media_bytes)

    async def _messages(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                                "code": 190}}, status=401)
        body = await request.json()
        if body.get("status") == "read":
            self.read.append(str(body.get("message_id")))
            return web.json_response({"success": True})
        if self.fail_next and body.get("type") != "template":
            self.fail_next -= 1
            return web.json_response({"error": {
                "message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
                "error_data": {"messaging_product": "whatsapp",
                               "details": "Message failed to send because more than 24 hours have passed"},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}}, status=400)
        self.sent.append(Sent(body))
        self.changed()
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                                  "messages": [{"id": f"wamid.out{next(self._ids)}"}]})

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").startswith("Bearer ")

    async def _upload(self, request: web.Request) -> web.Response:
        """POST /<phone id>/media (multipart: file, messaging_product, type): keep it, answer its id."""
        if not self._authorised(request):
            return web.json_response({"error": {"message": "Invalid OAuth access token.", "code": 190}}, status=401)
        form = await request.post()
        file = form.get("file")
        if not isinstance(file, web.FileField):
            return web.json_response({"error": {"message": "(#100) Param file is required", "code": 100}},
                                     status=400)
        media_id = f"up{next(self._ids)}"
        self.uploads[media_id] = {"filename": file.filename, "type": str(form.get("type", "")),
                                  "data": file.file.read()}
        return web.json_response({"id": media_id})

    async def _media_url(self, request: web.Request) -> web.Response:
        """GET /<media id>: where a person's media is downloaded, as the Cloud API answers it."""
        media_id = request.match_info["media_id"]
        if not self._authorised(request) or media_id not in self.files:
            return web.json_response({"error": {"message": "(#100) Invalid media id", "code": 100}}, status=400)
        mime, data = self.files[media_id]
        return web.json_response({"messaging_product": "whatsapp", "id": media_id, "mime_type": mime,
                                  "sha256": hashlib.sha256(data).hexdigest(), "file_size": len(data),
                                  "url": f"http://127.0.0.1:{self.port}/_media/{media_id}"})

    async def _media_bytes(self, request: web.Request) -> web.Response:
        return self.serve_file(request.match_info["media_id"], allowed=self._authorised(request))

    # -- waiting -----------------------------------------------------------------------------------------
    def to(self, number: str) -> list[Sent]:
        return [s for s in self.sent if s.to == number]

    async def wait_for(self, number: str, count: int, timeout: float = 30.0) -> list[Sent]:
        """The first `count` messages sent to the number, once they are there."""
        def found() -> list[Sent] | None:
            sent = self.to(number)
            return sent[:count] if len(sent) >= count else None

        return await self.wait_until(found, timeout, lambda: f"{count} messages to {number} within {timeout} s; "
                                                             f"sent: {[s.text for s in self.to(number)]}")

    # -- webhook deliveries, as Meta makes them ------------------------------------------------------------
    def sign(self, raw: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    """The wrapper around every change Meta posts to the webhook."""
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": BUSINESS_NUMBER, "phone_number_id": PHONE_ID}, **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


_incoming_ids = itertools.count(1)


def message(number: str, kind: str, content: dict[str, Any], name: str = "Test") -> dict[str, Any]:
    """A webhook update with one message of the given type from the number."""
    msg = {"from": number, "id": f"wamid.in{next(_incoming_ids)}", "timestamp": str(int(time.time())),
           "type": kind, kind: content}
    return envelope({"contacts": [{"profile": {"name": name}, "wa_id": number}], "messages": [msg]})


def text(number: str, body: str) -> dict[str, Any]:
    return message(number, "text", {"body": body})


def button_reply(number: str, data: str, title: str = "") -> dict[str, Any]:
    return message(number, "interactive", {"type": "button_reply", "button_reply": {"id": data, "title": title}})


def list_reply(number: str, data: str, title: str = "") -> dict[str, Any]:
    return message(number, "interactive", {"type": "list_reply", "list_reply": {"id": data, "title": title}})


def location(number: str, lat: float, lon: float) -> dict[str, Any]:
    return message(number, "location", {"latitude": lat, "longitude": lon})


def voice(number: str) -> dict[str, Any]:
    return message(number, "audio", {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1234",
                                     "voice": True})


def image(number: str, media_id: str, mime: str = "image/jpeg") -> dict[str, Any]:
    return message(number, "image", {"mime_type": mime, "sha256": "x", "id": media_id})


def document(number: str, media_id: str, filename: str, mime: str = "application/pdf") -> dict[str, Any]:
    return message(number, "document", {"filename": filename, "mime_type": mime, "sha256": "x", "id": media_id})


def status(number: str) -> dict[str, Any]:
    """A delivery receipt: Lotse must ignore it."""
    return envelope({"statuses": [{"id": "wamid.out1", "status": "delivered", "timestamp": str(int(time.time())),
                                   "recipient_id": number}]})


def batch(*updates: dict[str, Any]) -> dict[str, Any]:
    """Several messages in one delivery, as Meta sends them when they arrive together."""
    values = [change["value"] for u in updates for entry in u["entry"] for change in entry["changes"]]
    return envelope({"contacts": [c for v in values for c in v.get("contacts", [])],
                     "messages": [m for v in values for m in v.get("messages", [])]})


def raw(update: dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False).encode()
