"""The conversation: decide between answering, asking for a place, clarifying and falling back.

Button data is compact text (Telegram allows 64 bytes): `t:<intent>` a topic, `l:<lang>` a language,
`lang` the language picker, `m` the menu, `more:<intent>:<offset>` the next results, `forget` and
`forget:yes` deleting what is stored.
"""

from __future__ import annotations

from dataclasses import replace

from sqlite_utils import Database

from bot import i18n
from bot.engine.answers import Answer, default_answers
from bot.engine.districts import default_districts
from bot.engine.models import Button, Incoming, Message, Reply, place_out
from bot.engine.sessions import Session, SessionStore
from bot.geo.distance import Point
from bot.geo.gazetteer import Gazetteer, Place, default_gazetteer
from bot.i18n import LANGUAGES, _
from bot.nlu import NLU, Understanding, default_nlu
from bot.nlu.intents import Intent, load_intents
from bot.offers.model import Offer
from bot.offers.store import national_offers, nearest

# Offers farther than this are not "near": someone in Berlin is told there is nothing near them, not sent
# to a Kita 400 km away.
MAX_DISTANCE_KM = 50.0
MAX_TEXT = 4000  # longer messages are cut before matching: nobody asks for a Kita in 4,000 characters


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated when shown)."""
    return message


# Topic buttons, in menu order; labels are translated when the menu is rendered.
TOPICS: dict[str, str] = {
    "kita": N_("Kita (daycare)"),
    "school": N_("School"),
    "language_course": N_("German course"),
    "migration_counselling": N_("Counselling"),
    "residence_permit": N_("Residence permit"),
    "asylum_advice": N_("Asylum"),
    "work": N_("Work"),
    "recognition": N_("Recognition of diplomas"),
    "housing": N_("Housing"),
    "health": N_("Health"),
    "violence_protection": N_("Protection from violence"),
    "mental_health": N_("Mental health"),
    "benefits": N_("Money and benefits"),
    "interpreter": N_("Interpreter"),
    "youth": N_("Young people"),
    "registration_office": N_("Registering an address"),
    "transport": N_("Bus and train"),
    "sports_leisure": N_("Sports and leisure"),
    "volunteering": N_("Volunteering"),
    "human_contact": N_("Talk to a person"),
    "emergency": N_("Emergency"),
}
NO_PLACE_NEEDED = {"emergency"}
SMALL_TALK = {"greeting", "help", "thanks", "change_language", "none"}


class Engine:
    """Turns an Incoming into a Reply. Plain Python: every transport and every test uses the same engine."""

    def __init__(
        self,
        db: Database,
        *,
        nlu: NLU | None = None,
        intents: dict[str, Intent] | None = None,
        answers: dict[str, Answer] | None = None,
        gazetteer: Gazetteer | None = None,
        default_lang: str = "de",
        results: int = 3,
        default_district: str | None = None,
    ) -> None:
        self.db = db
        self.nlu = nlu or default_nlu()
        self.intents = intents or load_intents(strict=False)
        self.answers = answers if answers is not None else default_answers()
        self.districts = default_districts()  # per-district links under answers (data/districts.yaml)
        self.gazetteer = gazetteer or default_gazetteer()
        self.sessions = SessionStore(db)
        self.default_lang = default_lang
        self.default_district = default_district  # LOTSE_DISTRICT: whose links to show while the place is unknown
        self.results = results

    # -- entry point -------------------------------------------------------------------------------------
    def handle(self, incoming: Incoming) -> Reply:
        """Answer one thing a person did. Never raises on user input."""
        session = self.sessions.load(incoming.user_id)
        lang = i18n.normalise_lang(self._known_lang(session, incoming)) or self.default_lang
        with i18n.use(lang):
            if incoming.button is not None:
                reply = self._button(incoming, session)
            elif incoming.location is not None:
                reply = self._location(incoming, session, incoming.location)
            else:
                reply = self._text(incoming, session)
        return reply

    def forget(self, user_id: str) -> bool:
        """Delete everything stored about a user."""
        return self.sessions.forget(user_id)

    @staticmethod
    def _known_lang(session: Session, incoming: Incoming) -> str | None:
        """The chosen language, else the one the person last wrote in, else the device's (None: nothing known)."""
        return session.lang or session.last_lang or incoming.lang_hint

    # -- kinds of input ----------------------------------------------------------------------------------
    def _text(self, incoming: Incoming, session: Session) -> Reply:
        text = (incoming.text or "").strip()[:MAX_TEXT]
        if not any(ch.isalnum() for ch in text):
            return self._reply(session, [Message(_("Please write your question in a few words, or pick a topic."),
                                                 self.menu_buttons())])
        understanding = self.nlu.understand(text, lang_hint=self._known_lang(session, incoming))
        if session.lang is None:
            # No language chosen yet: answer in the language the text is clearly written in (an Arabic question
            # from a phone set to German gets an Arabic answer), and stay in it for the rest of the conversation;
            # a message that does not tell ("Unna", "Kita") keeps the language so far, or the device's.
            if understanding.lang_confident:
                session.last_lang = understanding.lang
                i18n.set_lang(understanding.lang)
            elif not incoming.lang_hint and not session.last_lang:
                i18n.set_lang(understanding.lang)
        lang = i18n.current()
        if understanding.place is not None:
            self._remember_place(session, understanding.place)
        intent = understanding.intent
        if intent == "none" and understanding.place is not None and session.last_intent:
            # "in Lünen" after a topic: the same topic, in the new place (without explaining it again).
            return self._topic(incoming, session, session.last_intent, explain=False)
        if intent == "none" and understanding.place is not None:
            # Only a place, no topic yet: remember it and ask what the person is looking for.
            return self._place_saved(incoming, session)
        if intent == "none":
            self.sessions.log_unanswered(text, lang, incoming.user_id)
            self._save(incoming, session)
            return self._reply(session, [Message(
                self._answer_text("none") or _("Sorry, I can't help with that. Pick a topic:"),
                self.menu_buttons())])
        elif understanding.ambiguous:
            self._save(incoming, session)
            return self._clarify(session, understanding)
        return self._topic(incoming, session, intent)

    def _location(self, incoming: Incoming, session: Session, point: Point) -> Reply:
        town = self.gazetteer.nearest_town(point)
        session.lat, session.lon = point.lat, point.lon
        session.place_name = town.name if town else None
        if session.last_intent and session.last_intent not in SMALL_TALK:
            return self._topic(incoming, session, session.last_intent, explain=False)
        return self._place_saved(incoming, session)

    def _place_saved(self, incoming: Incoming, session: Session) -> Reply:
        """A place but no topic yet: remember the place and offer the topics."""
        self._save(incoming, session)
        return self._reply(session, [Message(_("Thank you, I saved your location. What are you looking for?"),
                                             self.menu_buttons())])

    def _button(self, incoming: Incoming, session: Session) -> Reply:
        data = incoming.button or ""
        kind, _sep, arg = data.partition(":")
        if kind == "t" and arg in self.intents:
            return self._topic(incoming, session, arg)
        if kind == "l" and arg in LANGUAGES:
            session.lang = arg
            i18n.set_lang(arg)
            self._save(incoming, session)
            return self._reply(session, [Message(self._answer_text("greeting") or _("Hello!"),
                                                 self.menu_buttons())])
        if data == "lang":
            return self._reply(session, [Message(_("Choose your language:"), self.language_buttons())])
        if kind == "more":
            intent, _sep, offset = arg.partition(":")
            if intent in self.intents and offset.isascii() and offset.isdigit():  # "²".isdigit() is True too
                if intent in NO_PLACE_NEEDED and session.lat is None:
                    offset = "0"  # no place, so no pages: the whole answer again, numbers first
                return self._topic(incoming, session, intent, offset=min(int(offset), 100))
        if data == "forget":
            return self._reply(session, [Message(
                _("Delete everything Lotse remembers about you (language and place)?"),
                [Button(_("Yes, delete"), "forget:yes"), Button(_("No"), "m")])])
        if data == "forget:yes":
            self.sessions.forget(incoming.user_id)
            return Reply([Message(_("Done. Lotse no longer remembers anything about you."))], i18n.current(),
                         rtl=i18n.is_rtl())
        # "m", and old or unknown buttons (e.g. after a restart): a fresh menu.
        return self._reply(session, [Message(_("What are you looking for?"), self.menu_buttons())])

    # -- answers ----------------------------------------------------------------------------------------
    def _topic(self, incoming: Incoming, session: Session, intent: str, offset: int = 0,
               explain: bool = True) -> Reply:
        """Answer a topic: its text (unless it was just given), then the nearest offers, or a request for a place."""
        session.last_intent = intent
        self._save(incoming, session)
        if intent in ("greeting", "help"):
            return self._reply(session, [Message(self._answer_text(intent), self.menu_buttons())])
        if intent == "change_language":
            text = self._answer_text(intent) or _("Choose your language:")
            return self._reply(session, [Message(text, self.language_buttons())])
        if intent == "thanks":
            return self._reply(session, [Message(self._answer_text(intent) or _("You're welcome!"))])
        explain = explain and offset == 0
        messages = [Message(self._answer_text(intent) + self._district_note(intent, session))] if explain else []
        categories = list(self.intents[intent].categories) if intent in self.intents else []
        # Nationwide services (112, 116 016 ...) need no place: they come first, wherever the person is.
        national = national_offers(self.db, categories) if categories and explain else []
        if national:
            messages.append(Message(self._hotlines(national)))
        if session.lat is None or session.lon is None:
            if intent in NO_PLACE_NEEDED:
                return self._reply(session, messages)
            messages.append(Message(_("Where are you? Write your town or postcode, or share your location."),
                                    [Button(_("Share my location"), "location")]))
            return self._reply(session, messages)
        point = Point(session.lat, session.lon)
        # One query for this page and one offer more: that extra one says whether "More results" has anything.
        hits = nearest(self.db, categories, point, self.results + 1, offset=offset, radius_km=MAX_DISTANCE_KM)
        more, hits = len(hits) > self.results, hits[:self.results]
        if not hits:
            if not national:
                messages.append(Message(_("I found no offers for this near {place}.").format(
                    place=i18n.isolate(session.place_name or _("you"))), self.menu_buttons()))
            return self._reply(session, messages)
        places = [place_out(h, i18n.current()) for h in hits]
        buttons = [Button(_("More results"), f"more:{intent}:{offset + len(hits)}")] if more else []
        buttons.append(Button(_("Topics"), "m"))
        heading = i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", len(places))
        place = i18n.isolate(session.place_name or _("you"))
        heading = heading.format(n=i18n.format_number(len(places), 0), place=place)
        messages.append(Message(heading, buttons, places))
        return self._reply(session, messages)

    def _clarify(self, session: Session, understanding: Understanding) -> Reply:
        first, second = understanding.intent, understanding.alternatives[0][0]
        buttons = [Button(self.topic_label(i), f"t:{i}") for i in (first, second)]
        return self._reply(session, [Message(_("Did you mean one of these?"), buttons)])

    @staticmethod
    def _hotlines(offers: list[Offer]) -> str:
        """Nationwide services as lines of phone number and name (isolated in right-to-left text)."""
        lang = i18n.current()
        # Only the Latin runs are isolated, and an RTL line starts with a right-to-left mark: a line whose
        # every letter sits inside an isolate would be laid out left to right (icon on the wrong side).
        mark = i18n.RLM if i18n.is_rtl() else ""
        lines = []
        for offer in offers:
            name = offer.name_in(lang)
            # Most hotline names carry their number ("Polizei-Notruf 110"); do not say it twice.
            shown = name if offer.phone.replace(" ", "") in name.replace(" ", "") else f"{offer.phone} · {name}"
            lines.append(mark + "📞 " + i18n.isolate_ltr_runs(shown))
        return "\n".join(lines)

    def _answer_text(self, intent: str) -> str:
        answer = self.answers.get(intent)
        return answer.in_lang(i18n.current()) if answer else ""

    def _district_note(self, intent: str, session: Session) -> str:
        """The district's link under an answer with `link:` (bot/engine/districts.py), as a new paragraph."""
        answer = self.answers.get(intent)
        if answer is None or not answer.link:
            return ""
        known = session.lat is not None and session.lon is not None
        code = (self.gazetteer.district_of(Point(session.lat or 0.0, session.lon or 0.0)) if known
                else self.default_district)
        note = self.districts.note(answer.link, code)
        return "\n\n" + note if note else ""

    # -- helpers ----------------------------------------------------------------------------------------
    def topic_label(self, intent: str) -> str:
        """The translated button label of a topic."""
        label = TOPICS.get(intent)
        return _(label) if label else intent

    def menu_buttons(self) -> list[Button]:
        """The topic menu, then the language picker."""
        return [Button(_(label), f"t:{intent}") for intent, label in TOPICS.items()] + [
            Button("🌐 " + _("Language"), "lang")]

    @staticmethod
    def language_buttons() -> list[Button]:
        """Each language in its own name."""
        return [Button(name, f"l:{code}") for code, name in LANGUAGES.items()]

    def _remember_place(self, session: Session, place: Place) -> None:
        session.place_name, session.lat, session.lon = place.name, place.point.lat, place.point.lon

    def _save(self, incoming: Incoming, session: Session) -> None:
        self.sessions.save(incoming.user_id, replace(session))

    def _reply(self, session: Session, messages: list[Message]) -> Reply:
        return Reply(messages, i18n.current(), session.last_intent, rtl=i18n.is_rtl())
