"""Admin pages for what Lotse knows: every topic with the languages its answer lacks, a form for the topics staff
own, and the answer a district writes for any topic in any language.

German first, English one click away, like the rest of the admin (the admin's gettext domain). Saving writes the
database only: every process that answers people reloads on the change (bot/knowledge/live.py), and new examples
are learnt in the background while the old model answers. A topic can be started from a group of the review queue
(`?from=<key>`): its question becomes the first example, and the group leaves the queue when the topic is saved.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.engine import Engine
from bot.i18n import LANGUAGES
from bot.knowledge.files import TopicFileError, parse_topic
from bot.knowledge.store import (
    MENUS,
    StaffTopic,
    delete_topic,
    district_answers,
    save_topic,
    set_answer,
    slug,
    staff_topics,
    valid_id,
)
from bot.offers.categories import CATEGORIES
from bot.web.admin import auth
from bot.web.keys import ENGINE, STORE
from bot.web.review import editor, intent_names, staff_names


def _engine(request: web.Request) -> Engine:
    return request.app[ENGINE]


def _staff(request: web.Request) -> dict[str, StaffTopic]:
    """The staff topics as stored now (the engine's copy is only refreshed by the next message)."""
    builtin = _engine(request).knowledge.builtin
    return {i: t for i, t in staff_topics(request.app[STORE]).items() if i not in builtin}


def _missing(answer: dict[str, str]) -> list[str]:
    return [lang for lang in LANGUAGES if not answer.get(lang)]


def _rows(request: web.Request) -> list[dict[str, Any]]:
    """One row per topic: built-in ones by their label, staff ones by their name; languages missing; the
    districts that wrote their own answer, with their languages."""
    engine = _engine(request)
    name = intent_names(auth.lang_of(request), staff_names(request))
    districts: dict[str, dict[str, list[str]]] = {}
    for (intent, code, lang) in sorted(district_answers(request.app[STORE])):
        districts.setdefault(intent, {}).setdefault(code, []).append(lang)
    rows = [{"id": i, "name": name(i), "staff": False,
             "missing": _missing(engine.answers[i].text) if i in engine.answers else list(LANGUAGES),
             "districts": districts.get(i, {})}
            for i in sorted(engine.knowledge.builtin) if engine.intents[i].is_topic]
    rows += [{"id": t.id, "name": t.name, "staff": True, "missing": _missing(t.answer),
              "districts": districts.get(t.id, {})} for t in _staff(request).values()]
    return sorted(rows, key=lambda r: str(r["name"]).casefold())


async def topics_page(request: web.Request) -> web.Response:
    """Every topic, the languages its answer lacks and the districts' own answers."""
    editor(request)
    return auth.render(request, "admin_topics.html", rows=_rows(request), languages=LANGUAGES,
                       done=request.query.get("done"))


def _blank(request: web.Request) -> dict[str, Any]:
    """The form of a new topic; from a queue group its question is the first example."""
    key = request.query.get("from", "")
    group = next((g for g in _engine(request).learning.queue() if g.key == key), None) if key else None
    return {"id": "", "name": "", "answer_de": "", "examples": group.text if group else "", "categories": [],
            "needs_place": True, "menu": "more", "district": "", "link": "", "from": key}


def _values(topic: StaffTopic) -> dict[str, Any]:
    lines = [p if lang == "de" else f"{lang}: {p}" for lang, phrases in topic.examples.items() for p in phrases]
    return {"id": topic.id, "name": topic.name, "answer_de": topic.answer.get("de", ""), "examples": "\n".join(lines),
            "categories": list(topic.categories), "needs_place": topic.needs_place, "menu": topic.menu,
            "district": topic.district or "", "link": topic.link or "", "from": ""}


def _form(request: web.Request, values: dict[str, Any], status: int = 200, problems: list[str] | None = None,
          intent: str | None = None) -> web.Response:
    topic = _staff(request).get(intent or "")
    answers = {(lang, code): text for (i, code, lang), text in district_answers(request.app[STORE]).items()
               if i == intent}
    return auth.render(request, "admin_topic.html", status, values=values, problems=problems or [], intent=intent,
                       staff=topic is not None or intent is None, categories=CATEGORIES, menus=MENUS,
                       languages=LANGUAGES, district_answers=answers,
                       title=(topic.name if topic else intent_names(auth.lang_of(request))(intent or "")),
                       done=request.query.get("done"))


async def new_topic(request: web.Request) -> web.Response:
    """The form of a new staff topic."""
    editor(request)
    return _form(request, _blank(request))


async def edit_topic(request: web.Request) -> web.Response:
    """A topic's page: a staff topic's form, and for any topic its answers per district and language."""
    editor(request)
    intent = request.match_info["id"]
    topic = _staff(request).get(intent)
    if topic is None and intent not in _engine(request).knowledge.builtin:
        raise web.HTTPNotFound(text=auth.gettext(request)("No topic with this id."))
    return _form(request, _values(topic) if topic else {}, intent=intent)


def _one_latin_word(text: str) -> bool:
    return bool(text) and len(text.split()) == 1 and all(ch < "\u0250" for ch in text)


def _examples(engine: Engine, text: str) -> dict[str, list[str]]:
    """One example a line, in any language: "ar: ..." names it, else the language detector does (German when
    unsure, and for a single word in Latin letters), so the language models learn each in its own language."""
    examples: dict[str, list[str]] = {}
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        if sep and head.strip() in LANGUAGES and rest.strip():
            lang, phrase = head.strip(), rest.strip()
        elif _one_latin_word(line.strip()):
            # "Reparaturcafé": one word tells a language detector too little (it reads French in "café"); staff
            # write German here unless they name the language.
            lang, phrase = "de", line.strip()
        elif line.strip():
            detected, confident = engine.nlu.detector.detect(line.strip(), None)
            lang, phrase = (detected if confident and detected else "de"), line.strip()
        else:
            continue
        examples.setdefault(lang, []).append(phrase)
    return examples


def _document(engine: Engine, form: MultiDictProxy[Any], old: StaffTopic | None,
              intent: str | None) -> dict[str, Any]:
    name = str(form.get("name", "")).strip()
    return {"id": intent or slug(name), "name": name,
            "answer": {**(old.answer if old else {}), "de": str(form.get("answer_de", ""))},
            "examples": _examples(engine, str(form.get("examples", ""))),
            "categories": [str(c) for c in form.getall("categories", [])],
            "needs_place": form.get("needs_place") == "on", "menu": str(form.get("menu", "more")),
            "district": str(form.get("district", "")).strip() or None,
            "link": str(form.get("link", "")).strip() or None,
            "sources": [dict(s) for s in old.sources] if old else []}


async def save(request: web.Request) -> web.Response:
    """Add or change a staff topic; every problem is shown above the form, the values kept."""
    who = editor(request)
    _ = auth.gettext(request)
    form = await request.post()
    intent = request.match_info.get("id")
    engine, stored = _engine(request), _staff(request)
    document = _document(engine, form, stored.get(intent or ""), intent)
    values = {**{k: str(form.get(k, "")) for k in ("name", "answer_de", "examples", "menu", "district", "link",
                                                   "from")},
              "categories": document["categories"], "needs_place": document["needs_place"], "id": intent or ""}
    problems: list[str] = []
    if not document["name"]:
        problems.append(_("The name is required."))
    if intent is None and document["id"] in stored:
        problems.append(_("A topic with this name exists already; change that one."))
    try:
        topic = parse_topic(document, engine.knowledge.builtin)
    except TopicFileError as exc:
        problems += [problem.shown(_) for problem in exc.problems]
    if problems:
        return _form(request, values, 422, problems, intent)
    save_topic(request.app[STORE], topic, who)
    if values["from"]:
        engine.learning.dismiss(values["from"])
    raise web.HTTPSeeOther(f"/admin/topics/{topic.id}?done=saved")


async def save_answer(request: web.Request) -> web.Response:
    """Write (or, empty, remove) a district's answer of a topic in one language."""
    who = editor(request)
    _ = auth.gettext(request)
    intent = request.match_info["id"]
    engine = _engine(request)
    stored = _staff(request)
    if intent not in stored and intent not in engine.knowledge.builtin:
        raise web.HTTPNotFound(text=_("No topic with this id."))
    form = await request.post()
    district, lang = str(form.get("district", "")).strip(), str(form.get("lang", ""))
    problems = [] if district.isdigit() and len(district) in (5, 8) else [
        _("The district is its AGS, five digits (Kreis Unna: 05978).")]
    if lang not in LANGUAGES:
        problems.append(_("Choose a language."))
    if problems:
        topic = stored.get(intent)
        return _form(request, _values(topic) if topic else {}, 422, problems, intent)
    set_answer(request.app[STORE], intent, district, lang, str(form.get("text", "")), who)
    raise web.HTTPSeeOther(f"/admin/topics/{intent}?done=answer")


async def remove(request: web.Request) -> web.Response:
    """Delete a staff topic (built-in topics cannot be deleted)."""
    editor(request)
    intent = request.match_info["id"]
    if not valid_id(intent) or not delete_topic(request.app[STORE], intent):
        raise web.HTTPNotFound(text=auth.gettext(request)("No topic with this id."))
    raise web.HTTPSeeOther("/admin/topics?done=deleted")


def setup_topics(app: web.Application) -> None:
    """Register the topic pages (under the admin's guard)."""
    app.router.add_get("/admin/topics", topics_page, name="admin_topics")
    app.router.add_get("/admin/topics/new", new_topic, name="admin_topic_new")
    app.router.add_post("/admin/topics/new", save, name="admin_topic_add")
    app.router.add_get("/admin/topics/{id}", edit_topic, name="admin_topic")
    app.router.add_post("/admin/topics/{id}", save, name="admin_topic_save")
    app.router.add_post("/admin/topics/{id}/answer", save_answer, name="admin_topic_answer")
    app.router.add_post("/admin/topics/{id}/delete", remove, name="admin_topic_delete")
