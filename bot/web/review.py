"""Admin pages where staff teach Lotse: the review queue, the learned examples and the dashboard.

Access is the admin's: every handler asks `editor()`, which is the signed-in editor or admin (bot/web/admin/auth.py)
and the name recorded as "who"; pages render through the admin's own `render` (language, account, CSRF token).
Like the rest of the admin they are German first, English second: the texts here and in the admin_review*.html
templates are in the admin's gettext domain (babel-admin.cfg), not in the chat's twelve-language catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

from aiohttp import web

from bot import i18n
from bot.engine import dashboard as stats
from bot.engine.learning import Learning, QueueEntry, Refused
from bot.engine.topics import labels
from bot.knowledge.store import staff_topics
from bot.nlu.intents import OUT_OF_SCOPE, Intent, load_intents
from bot.web.admin import auth
from bot.web.admin.i18n import N_, translator
from bot.web.charts import bars, hbars
from bot.web.keys import DB, ENGINE

WEEKS = 8
#: Dates as staff read them: German "01.12.2026", English ISO (as the admin's `when`); chart labels shorter.
DAY = {"de": "%d.%m.%Y", "en": "%Y-%m-%d"}
SHORT_DAY = {"de": "%d.%m.", "en": "%d %b"}


def editor(request: web.Request) -> str:
    """The signed-in editor's (or admin's) name, recorded as "who"; anyone else gets the admin's refusal."""
    return auth.require_role(request, "editor")


def _learning(request: web.Request) -> Learning:
    return request.app[ENGINE].learning


UNKNOWN = N_("Unknown topic")


@cache
def _builtin() -> dict[str, Intent]:
    """The built-in intents (intents/<id>.yaml): their labels name them here."""
    return load_intents(strict=False)


def _topics() -> dict[str, str]:
    """Built-in topic -> its button label (English msgid of the chat's catalogs)."""
    return labels(_builtin())


def _not_topics() -> dict[str, str]:
    """What Lotse understood when it was no topic (greeting, out of scope, ...) -> the name staff read (the `label:`
    of its file, in the admin's catalogs): the pages must never show an id ("greeting (56)")."""
    return {i.id: i.label for i in _builtin().values() if not i.is_topic and i.label}


def _labels(lang: str, staff: Mapping[str, str] | None = None) -> dict[str, str]:
    """Topic -> its menu label in the admin's language (the same words people see in the chat); staff topics
    (`staff`: id -> name) by their name."""
    with i18n.use(lang):
        return {intent: i18n.gettext(label) for intent, label in _topics().items()} | dict(staff or {})


def staff_names(request: web.Request) -> dict[str, str]:
    """id -> name of the topics staff added (bot/knowledge/)."""
    builtin = _topics()
    return {intent: topic.name for intent, topic in staff_topics(request.app[DB]).items() if intent not in builtin}


def intent_names(lang: str, staff: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """The name staff read for any intent Lotse may report: a topic's menu label (a staff topic's name), else
    the name above; an id that is neither (an intent removed since) is "unknown topic", never the id itself."""
    translate = translator(lang)
    names = {intent: translate(name) for intent, name in _not_topics().items()} | _labels(lang, staff)
    return lambda intent: names.get(intent) or translate(UNKNOWN)


def _day(lang: str) -> Callable[[date | str], str]:
    """Formats a date (or an ISO date string, as the queue stores them) in the admin language."""
    def show(day: date | str) -> str:
        try:
            value = date.fromisoformat(day) if isinstance(day, str) else day
        except ValueError:
            return str(day)
        return value.strftime(DAY.get(lang, DAY["de"]))
    return show


def _percent(lang: str) -> Callable[[float], str]:
    """A share as German writes it ("75 %", with a space) or English ("75%")."""
    return (lambda v: f"{v:.0f} %") if lang == "de" else (lambda v: f"{v:.0f}%")


def _best(groups: list[QueueEntry], staff: Mapping[str, str]) -> dict[str, str]:
    """The topic preselected for each group: Lotse's best guess that is a topic."""
    return {g.key: next((i for i, _score in g.guesses if i in _topics() or i in staff), "") for g in groups}


def _queue_page(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    learning = _learning(request)
    groups = learning.queue()
    return _render(request, "admin_review.html", status=status, groups=groups,
                   best_of=_best(groups, staff_names(request)), size=learning.queue_size(),
                   retention=learning.retention_days, done=None if error else request.query.get("done"), error=error)


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = auth.lang_of(request)
    staff = staff_names(request)
    return auth.render(request, template, status, topic_labels=_labels(lang, staff),
                       intent_name=intent_names(lang, staff),
                       out_of_scope=OUT_OF_SCOPE, day=_day(lang), **context)


async def review(request: web.Request) -> web.Response:
    """The queue: one row per group of alike messages, with what Lotse guessed and the three choices."""
    editor(request)
    return _queue_page(request)


async def resolve(request: web.Request) -> web.Response:
    """A choice for one group: "this is topic X", "out of scope", or "dismiss"."""
    who = editor(request)
    _ = auth.gettext(request)
    form = await request.post()
    key, action, intent = str(form.get("key", "")), str(form.get("action", "")), str(form.get("intent", ""))
    learning = _learning(request)
    try:
        if action == "dismiss":
            learning.dismiss(key)
        elif action == OUT_OF_SCOPE:
            learning.resolve(key, OUT_OF_SCOPE, who)
        elif action == "teach" and (intent in _topics() or intent in staff_names(request)):
            learning.resolve(key, intent, who)
        else:
            raise Refused("Choose a topic and press “This is the topic”, or press “Out of scope” or “Dismiss”.")
    except Refused as refused:
        # The refusal names intents by id (the CLI and the intent files use ids); staff read their names.
        name = intent_names(auth.lang_of(request), staff_names(request))
        params = {k: ", ".join(name(i) for i in v.split(", ")) if k in ("intent", "intents") else v
                  for k, v in refused.params.items()}
        return _queue_page(request, status=409, error=_(refused.message).format(**params))
    raise web.HTTPSeeOther(f"/admin/review?done={action}")


async def learned(request: web.Request) -> web.Response:
    """Every learned example with who taught it and when; each can be removed."""
    editor(request)
    return _render(request, "admin_review_learned.html", examples=_learning(request).learned(),
                   done=request.query.get("done"))


async def remove(request: web.Request) -> web.Response:
    """Remove a learned example: Lotse understands the phrase as before, at once."""
    editor(request)
    _ = auth.gettext(request)
    try:
        example_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text=_("No learned example with this id.")) from None
    if not _learning(request).remove(example_id):
        raise web.HTTPNotFound(text=_("No learned example with this id (already removed?)."))
    raise web.HTTPSeeOther("/admin/learned?done=removed")


async def dashboard(request: web.Request) -> web.Response:
    """Per week: messages answered, share unanswered, share of 👍; the top topics; the queue's size."""
    editor(request)
    lang, _ = auth.lang_of(request), auth.gettext(request)
    learning = _learning(request)
    weeks = stats.weekly(learning, WEEKS)
    labels = [w.start.strftime(SHORT_DAY.get(lang, SHORT_DAY["de"])) for w in weeks]
    name, percent = intent_names(lang, staff_names(request)), _percent(lang)
    charts = {
        "answered": bars(_("Messages answered per week"), labels, [float(w.answered) for w in weeks]),
        "unanswered": bars(_("Share unanswered per week"), labels,
                           [None if w.unanswered_rate is None else 100 * w.unanswered_rate for w in weeks],
                           fmt=percent, maximum=100.0),
        "up": bars(_("Share of 👍 per week"), labels,
                   [None if w.up_share is None else 100 * w.up_share for w in weeks], fmt=percent, maximum=100.0),
        "top": hbars(_("Top topics"), [(name(i), n) for i, n in stats.top_intents(learning, WEEKS)]),
    }
    last = weeks[-1].start + timedelta(days=6)
    return _render(request, "admin_review_dashboard.html", charts=charts, weeks=weeks, size=learning.queue_size(),
                   since=weeks[0].start, until=last, retention=learning.retention_days)


def setup_review(app: web.Application) -> None:
    """Register the review queue, learned examples and dashboard pages (under the admin's guard)."""
    app.router.add_get("/admin/review", review, name="admin_review")
    app.router.add_post("/admin/review", resolve, name="admin_review_resolve")
    app.router.add_get("/admin/learned", learned, name="admin_learned")
    app.router.add_post("/admin/learned/{id}/delete", remove, name="admin_learned_remove")
    app.router.add_get("/admin/dashboard", dashboard, name="admin_dashboard")
