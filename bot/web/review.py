"""Admin pages where staff teach Lotse: the review queue, the learned examples and the dashboard.

Access is the admin's: every handler asks `editor()`, which is the signed-in editor or admin (bot/web/admin/auth.py)
and the name recorded as "who"; pages render through the admin's own `render` (language, account, CSRF token).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot import i18n
from bot.engine.engine import TOPICS
from bot.engine.learning import OUT_OF_SCOPE, Learning, QueueEntry, Refused
from bot.web.admin import auth
from bot.web.charts import bars, hbars
from bot.web.keys import ENGINE

WEEKS = 8


def editor(request: web.Request) -> str:
    """The signed-in editor's (or admin's) name, recorded as "who"; anyone else gets the admin's refusal."""
    return auth.require_role(request, "editor")


def _learning(request: web.Request) -> Learning:
    return request.app[ENGINE].learning


def _labels(lang: str) -> dict[str, str]:
    """Topic -> its menu label in the admin's language (the same words people see in the chat)."""
    with i18n.use(lang):
        return {intent: i18n.gettext(label) for intent, label in TOPICS.items()}


def _best(groups: list[QueueEntry]) -> dict[str, str]:
    """The topic preselected for each group: Lotse's best guess that is a topic."""
    return {g.key: next((i for i, _score in g.guesses if i in TOPICS), "") for g in groups}


def _queue_page(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    learning = _learning(request)
    groups = learning.queue()
    return _render(request, "review.html", status=status, groups=groups, best_of=_best(groups),
                   size=learning.queue_size(), retention=learning.retention_days,
                   done=None if error else request.query.get("done"), error=error)


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    return auth.render(request, template, status, topic_labels=_labels(auth.lang_of(request)),
                       out_of_scope=OUT_OF_SCOPE, **context)


async def review(request: web.Request) -> web.Response:
    """The queue: one row per group of alike messages, with what Lotse guessed and the three choices."""
    editor(request)
    return _queue_page(request)


async def resolve(request: web.Request) -> web.Response:
    """A choice for one group: "this is topic X", "out of scope", or "dismiss"."""
    who = editor(request)
    form = await request.post()
    key, action, intent = str(form.get("key", "")), str(form.get("action", "")), str(form.get("intent", ""))
    learning = _learning(request)
    try:
        if action == "dismiss":
            learning.dismiss(key)
        elif action == "none":
            learning.resolve(key, OUT_OF_SCOPE, who)
        elif action == "teach" and intent in TOPICS:
            learning.resolve(key, intent, who)
        else:
            raise Refused("Choose a topic, or press “Out of scope” or “Dismiss”.")
    except Refused as refused:
        return _queue_page(request, status=409, error=str(refused))
    raise web.HTTPSeeOther(f"/admin/review?done={action}")


async def learned(request: web.Request) -> web.Response:
    """Every learned example with who taught it and when; each can be removed."""
    editor(request)
    return _render(request, "review_learned.html", examples=_learning(request).learned(),
                   done=request.query.get("done"))


async def remove(request: web.Request) -> web.Response:
    """Remove a learned example: Lotse understands the phrase as before, at once."""
    editor(request)
    try:
        example_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="No learned example with this id.") from None
    if not _learning(request).remove(example_id):
        raise web.HTTPNotFound(text="No learned example with this id (already removed?).")
    raise web.HTTPSeeOther("/admin/learned?done=removed")


async def dashboard(request: web.Request) -> web.Response:
    """Per week: messages answered, share unanswered, share of 👍; the top topics; the queue's size."""
    editor(request)
    learning = _learning(request)
    weeks = learning.weekly(WEEKS)
    labels = [(w.start).strftime("%d.%m.") for w in weeks]
    topic_labels = _labels(auth.lang_of(request))
    charts = {
        "answered": bars("Messages answered per week", labels, [float(w.answered) for w in weeks]),
        "unanswered": bars("Unanswered per week", labels,
                           [None if w.unanswered_rate is None else 100 * w.unanswered_rate for w in weeks],
                           fmt=lambda v: f"{v:.0f} %", maximum=100.0),
        "up": bars("Share of 👍 per week", labels,
                   [None if w.up_share is None else 100 * w.up_share for w in weeks],
                   fmt=lambda v: f"{v:.0f} %", maximum=100.0),
        "top": hbars("Top topics", [(topic_labels.get(i, i), n) for i, n in learning.top_intents(WEEKS)]),
    }
    last = weeks[-1].start + timedelta(days=6)
    return _render(request, "review_dashboard.html", charts=charts, weeks=weeks, size=learning.queue_size(),
                   since=weeks[0].start, until=last, retention=learning.retention_days)


def setup_review(app: web.Application) -> None:
    """Register the review queue, learned examples and dashboard pages (under the admin's guard)."""
    app.router.add_get("/admin/review", review, name="admin_review")
    app.router.add_post("/admin/review", resolve, name="admin_review_resolve")
    app.router.add_get("/admin/learned", learned, name="admin_learned")
    app.router.add_post("/admin/learned/{id}/delete", remove, name="admin_learned_remove")
    app.router.add_get("/admin/dashboard", dashboard, name="admin_dashboard")
