"""Nobody in danger is missed, however they write: the situations in several languages, the right numbers first,
danger kept over the follow-up, danger after another question, emoji, romanised languages outside the twelve,
and everyday messages about the police or medicine without an alarm. Each message here was written for this test
(none is an example of intents/ or a line of an evaluation set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.engine import Engine, Incoming
from bot.engine.models import Reply
from bot.i18n import RLM, strip_isolates
from bot.nlu import NLU
from bot.nlu.danger import _letters
from bot.nlu.normalise import normalise
from bot.nlu.safety import SafetyCheck

POISON_LINE = "0228 19240"
CRISIS_LINE = "0800 111 0 111"


def say(engine: Engine, user: str, text: str, lang: str | None = None) -> Reply:
    return engine.handle(Incoming(user, text=text, lang_hint=lang))


def opening(reply: Reply) -> str:
    """The first message of a reply, as a person reads it."""
    return strip_isolates(reply.messages[0].text).lstrip(RLM) if reply.messages else ""


# (message, language, the number that must open the reply)
SITUATIONS = [
    # collapse, not breathing, choking
    ("meine oma ist im flur umgekippt und reagiert nicht mehr", "de", "112"),
    ("my dad fell down in the kitchen and he isnt breathing", "en", "112"),
    ("أمي وقعت على الأرض وما عم تتنفس", "ar", "112"),
    ("پدرم یهو افتاد زمین و نفس نمیکشه", "fa", "112"),
    ("бабуся впала і не дихає що робити", "uk", "112"),
    ("ребенок подавился конфетой и синеет", "ru", "112"),
    ("annem düştü nefes almıyor", "tr", "112"),
    # heavy bleeding, pregnancy
    ("karım 6 aylık hamile ve çok kanaması var", "tr", "112"),
    ("ma femme est enceinte de sept mois et elle saigne beaucoup", "fr", "112"),
    # stroke signs, chest pain, seizure
    ("у тата раптом перекосило обличчя і він не може говорити", "uk", "112"),
    ("mein mann hat starke schmerzen in der brust und schwitzt", "de", "112"),
    ("my son is shaking all over and foam is coming from his mouth", "en", "112"),
    # fire, smoke, gas
    ("из квартиры соседей идёт чёрный дым", "ru", "112"),
    ("ريحة غاز قوية بالمطبخ", "ar", "112"),
    ("es riecht im treppenhaus ganz stark nach rauch", "de", "112"),
    # violence, stalking, forced marriage, passport taken
    ("mein mann schlägt mich jeden abend", "de", "110"),
    ("a man waits outside my house every night and follows me to the bus", "en", "110"),
    ("زوجي يضربني كل يوم وأنا خايفة", "ar", "110"),
    ("شوهرم منو میزنه و پاسپورتمو گرفته", "fa", "110"),
    ("батько хоче силою видати мене заміж", "uk", "110"),
    ("hocam pasaportumu aldı ve beni dışarı çıkarmıyor", "tr", "110"),
    # a missing child
    ("мой сын не пришёл из школы, его нигде нет", "ru", "110"),
    ("mon fils de six ans a disparu au supermarché", "fr", "110"),
    # ... told beside another question
    ("hi i wanted to ask about the kita but my 4 year old is not in the flat anymore, the door is open", "en", "110"),
    ("je voulais demander pour la crèche mais mon petit garçon a disparu du jardin il y a 10 minutes", "fr", "110"),
]


@pytest.mark.parametrize(("text", "lang", "number"), SITUATIONS)
def test_the_right_number_opens_the_reply(engine: Engine, text: str, lang: str, number: str) -> None:
    reply = say(engine, "s-" + str(abs(hash(text))), text)
    first = opening(reply)
    assert first.startswith("📞"), first
    assert first.split("\n")[0].endswith(number) or number in first.split("\n")[0], first


@pytest.mark.parametrize(("text", "lang"), [
    ("kann man der polizei eine sms schreiben? ich kann nicht reden er ist in der wohnung", "de"),
    ("can i text the police? i cant talk he is in the next room", "en"),
    ("ma bi2dar ehki bel telefon huwe bel bet, fi shi b2dar ekteb?", "ar"),
])
def test_someone_who_cannot_speak_gets_110_and_the_silent_ways(engine: Engine, text: str, lang: str) -> None:
    first = opening(say(engine, "silent-" + lang, text))
    assert first.startswith("📞") and "110" in first
    assert "nora" in first and "hilfetelefon.de" in first  # the emergency app's silent call, the helpline's chat


@pytest.mark.parametrize(("text", "lang"), [
    ("meine tochter hat tabletten aus der handtasche gegessen sie ist ganz schläfrig", "de"),
    ("my toddler drank drain cleaner", "en"),
    ("ابني شرب كلور من تحت المجلى", "ar"),
    ("дитина наковталася таблеток з аптечки", "uk"),
])
def test_poisoning_gets_112_and_the_poison_information_centre(engine: Engine, text: str, lang: str) -> None:
    first = opening(say(engine, "poison-" + lang, text))
    assert first.startswith("📞") and "112" in first and POISON_LINE in first
    assert first.index("112") < first.index(POISON_LINE)


@pytest.mark.parametrize("text", [
    "suicide",
    "ich denke an selbstmord",
    "my brother keeps talking about suicide",
    "since that film I think about suicide myself every night",  # a film, and still the person's own wish
    "думаю про самогубство",
])
def test_a_word_for_suicide_gets_the_crisis_line(engine: Engine, text: str) -> None:
    first = opening(say(engine, "suicide", text))
    assert "112" in first and CRISIS_LINE in first, first


@pytest.mark.parametrize(("text", "lang", "care"), [
    ("ich sehe keinen sinn mehr und will nicht mehr aufwachen", "de", "nicht allein"),
    ("i have collected pills and tonight i will end it", "en", "not alone"),
    ("ما بدي عيش بعد اليوم", "ar", "لست وحدك"),
    ("не хочу больше жить", "ru", "не одни"),
    ("what papers for the job centre? whatever, i won't be here next week, i have decided", "en", "not alone"),
    # no topic named: the topic classifier's "out of scope" must not outvote it
    ("bu hayatın bir anlamı kalmadı, ipi aldım", "tr", "Yalnız değilsiniz"),
    # a farewell: thanks to the topic ranking, and still the crisis line
    ("danke für alles, tschüss, sagt meinen kindern dass ich sie liebe", "de", "nicht allein"),
    # letters of farewell written, "before I ...": the sentence left unfinished
    ("я вчителька, тут два роки диплом не визнають, чоловік поїхав. листи я вже написала. просто хотіла комусь "
     "сказати перед тим як", "uk", "не самі"),
])
def test_a_crisis_gets_the_crisis_line_in_words_that_show_care(engine: Engine, text: str, lang: str,
                                                              care: str) -> None:
    reply = say(engine, "crisis-" + lang, text)
    first = opening(reply)
    assert "112" in first and CRISIS_LINE in first
    assert care in first
    fire_text = engine.answers["emergency"].in_lang(lang)[:60]
    assert fire_text not in " ".join(m.text for m in reply.messages)  # not what to say to the fire brigade


@pytest.mark.parametrize("text", ["mein Sohn hat Tabletten von Oma geschluckt",
                                  "my boy swallowed grandpa's heart pills, he is 4"])
def test_swallowed_pills_get_the_poison_centre_though_the_words_are_general_ones(engine: Engine, text: str) -> None:
    assert POISON_LINE in opening(say(engine, "pills-" + text[:8], text))


def test_the_danger_is_kept_for_the_follow_up_until_the_person_moves_on(engine: Engine) -> None:
    user = "follow"
    assert POISON_LINE in opening(say(engine, user, "بچه‌ام قرص‌های منو خورده"))
    later = say(engine, user, "سه سالشه و خیلی خواب آلوده")
    assert opening(later).startswith("📞") and POISON_LINE in opening(later)
    where = say(engine, user, "نزدیک‌ترین بیمارستان کجاست؟")
    assert opening(where).startswith("📞")
    moved_on = say(engine, user, "کلاس زبان آلمانی در اونا میخوام")
    assert "112" not in " ".join(m.text for m in moved_on.messages)


@pytest.mark.parametrize(("fire", "tonight", "lang", "office"), [
    ("In unserer Wohnung brennt es, alle sind draußen", "wo können wir heute nacht schlafen mit den kindern?", "de",
     "Notunterkunft"),
    ("our flat is on fire, we are all outside", "where can we sleep tonight?", "en", "emergency accommodation"),
    ("у нас горить квартира, ми всі надворі", "де нам сьогодні переночувати з дітьми?", "uk", "тимчасове житло"),
])
def test_after_a_fire_a_bed_for_tonight_is_the_towns_emergency_shelter(engine: Engine, fire: str, tonight: str,
                                                                       lang: str, office: str) -> None:
    user = "tonight-" + lang
    say(engine, user, fire, lang)
    reply = say(engine, user, tonight, lang)
    said = strip_isolates(" ".join(m.text for m in reply.messages))
    assert said.startswith("📞") and "(Ordnungsamt)" in said and office in said


@pytest.mark.parametrize(("kind", "lang", "texts"), [
    ("violence", "de", ["mein Mann schlägt mich, er ist gerade im Wohnzimmer", "wo kann ich mit den Kindern hin?"]),
    ("poison", "fa", ["بچه‌ام قرص‌های منو خورده", "نزدیک‌ترین بیمارستان کجاست؟"]),
])
def test_between_messages_about_the_danger_the_numbers_come_first_alone(engine: Engine, kind: str, lang: str,
                                                                        texts: list[str]) -> None:
    advice = engine.nlu.danger.situations[kind].say[lang]
    before, after = (opening(say(engine, "between-" + kind, text)) for text in texts)
    assert advice in before and advice not in after
    assert after.startswith("📞") and after.split("\n")[0] == before.split("\n")[0]


def test_what_to_do_is_said_again_when_the_danger_is_spoken_of_anew(engine: Engine) -> None:
    advice = engine.nlu.danger.situations["poison"].say["fa"]
    say(engine, "anew", "بچه‌ام قرص‌های منو خورده")
    assert advice in opening(say(engine, "anew", "الان خیلی خواب آلوده و بد نفس میکشه"))


def test_a_language_chosen_in_a_crisis_keeps_the_crisis_lines_first(engine: Engine) -> None:
    user = "crisis-language"
    say(engine, user, "دیگه نمیخوام زنده باشم، همه چیز بی فایده است")  # I don't want to live any more
    asked = say(engine, user, "کسی هست که دری یا فارسی حرف بزنه؟")  # is there someone who speaks Dari or Farsi?
    assert CRISIS_LINE in opening(asked)
    chosen = engine.handle(Incoming(user, button="l:fa"))
    assert CRISIS_LINE in opening(chosen) and chosen.lang == "fa"


def test_after_three_follow_ups_the_numbers_stop(engine: Engine) -> None:
    user = "fade"
    say(engine, user, "er atmet nicht mehr")
    for _ in range(3):
        assert opening(say(engine, user, "was soll ich machen")).startswith("📞")
    assert not opening(say(engine, user, "was soll ich machen")).startswith("📞")


@pytest.mark.parametrize(("alarm", "none", "lang"), [
    ("er atmet nicht mehr", "nee, kein Notfall, hab mich vertan", "de"),
    ("my neighbour's flat is on fire", "sorry, false alarm, not an emergency", "en"),
    ("сусід б'є дружину за стіною", "ні, це не терміново, просто питання", "uk"),
])
def test_a_message_saying_there_is_no_danger_ends_a_kept_one(engine: Engine, alarm: str, none: str,
                                                             lang: str) -> None:
    user = "none-" + lang
    assert opening(say(engine, user, alarm, lang)).startswith("📞")
    ended = opening(say(engine, user, none, lang))
    assert not ended.startswith("📞") and "112" not in ended
    assert not opening(say(engine, user, "was soll ich machen", lang)).startswith("📞")


def test_no_emergency_after_all_is_answered_kindly_not_as_the_emergency_topic(engine: Engine) -> None:
    say(engine, "false-alarm", "er atmet nicht mehr", "de")
    assert opening(say(engine, "false-alarm", "nee, kein Notfall, hab mich vertan", "de")) == "Gut. Wonach suchen Sie?"
    named = say(engine, "false-alarm", "kein Notfall, ich suche einen Deutschkurs in Unna", "de")
    assert named.intent == "language_course" and not opening(named).startswith("📞")


@pytest.mark.parametrize("text", ["🆘", "🆘🆘🆘", "help 🚑", "🔥 Wohnung oben", "🔥🔥 общежитие Унна"])
def test_an_emergency_emoji_gets_the_numbers(engine: Engine, text: str) -> None:
    assert opening(say(engine, "emoji", text, "de")).startswith("📞")


@pytest.mark.parametrize(("text", "number"), [
    ("mera shohar mujhe roz marta hai", "110"),  # romanised Urdu: my husband beats me every day
    ("shoharam mara mizane o dar ro ghofl karde", "110"),  # romanised Dari: my husband beats me, locked the door
    ("ammi gir gayi hai aur saans nahi le rahi", "112"),  # romanised Urdu: mother fell, not breathing
])
def test_romanised_languages_outside_the_twelve(engine: Engine, text: str, number: str) -> None:
    first = opening(say(engine, "roman-" + number, text))
    assert first.startswith("📞") and number in first


@pytest.mark.parametrize(("text", "number"), [
    ("meri beti 4 saal ki hai, dawai kha li, bohat neend aa rahi hai", "112"),  # Urdu: pills, very sleepy
    ("bachem qors haye mano khorde alan hamash mikhabe", "112"),  # Finglish: my child ate my pills, sleeps
    ("mama ne dyshe lezhyt na pidlozi", "112"),  # romanised Ukrainian: mum is not breathing, on the floor
])
def test_romanised_danger_in_the_twelve(engine: Engine, text: str, number: str) -> None:
    first = opening(say(engine, "roman12-" + number, text))
    assert first.startswith("📞") and number in first


@pytest.mark.parametrize(("text", "number"), [
    ("oğlum yok ortada, parkta her yeri aradık", "110"),  # Turkish: my son is nowhere to be seen
    ("la porte était ouverte et mon fils n'est plus dans l'appartement", "110"),
    ("ji bo bavê xwe dinivîsim, devê wî xwar bûye", "112"),  # Kurmanji, for a father: his mouth is crooked
    ("mama vypyla bagato tabletok snodijnogo", "112"),  # Ukrainian in Latin letters: many sleeping pills
    ("kızımı kaybettim çarşıda 😭", "110"),  # Turkish: I lost my daughter at the market
    ("онука пропала біля ставка", "110"),  # Ukrainian: the granddaughter is gone near the pond
    ("wladi da3 bel mall 😭", "110"),  # Arabizi: my boy is lost at the mall
    # two words for a missing child
    ("طفلي مفقود", "110"),  # Arabic: my child is missing
    ("kid vanished", "110"),
    ("ilmahay maqan", "110"),  # Somali: my child is missing
    ("ابني ضايع 😭", "110"),  # Levantine: my son is lost
    ("duman 😰", "112"),  # Turkish: smoke
    ("çocuk yok 😱", "110"),  # Turkish: the child is gone
])
def test_danger_told_in_a_few_everyday_words(engine: Engine, text: str, number: str) -> None:
    first = opening(say(engine, "few-" + number, text))
    assert first.startswith("📞") and number in first, first


@pytest.mark.parametrize(("text", "lang"), [
    ("mein Vater hat einen Herzinfarkt, wo ist das nächste Krankenhaus?", "de"),  # now, not last year
    ("my mum is having a stroke, her face is drooping", "en"),
    ("the carbon monoxide detector went off and now all of us are dizzy with headaches", "en"),
])
def test_an_acute_illness_gets_112(engine: Engine, text: str, lang: str) -> None:
    assert "112" in opening(say(engine, "acute", text, lang)).split("\n")[0]


@pytest.mark.parametrize(("entry", "text", "found"), [
    ("مستشفى", "وبالمستشفى", True),  # "and in the hospital": a conjunction, a preposition and the article
    ("مستشفى", "فالمستشفى", True),
    ("غاز", "وللغاز", True),
    ("مستشفى", "مستشفيات", False),  # another word, not a glued one
])
def test_danger_words_match_through_glued_arabic_clitics(entry: str, text: str, found: bool) -> None:
    check = SafetyCheck([("emergency", "medical", {"ar": [entry]})])
    assert (check.check(normalise(text)) is not None) is found


def test_danger_after_another_question_is_answered_first(engine: Engine) -> None:
    text = "كنت بدي اسأل عن كورس ألماني بس في ريحة غاز قوية بالبيت ومرتي دايخة"
    assert "112" in opening(say(engine, "after", text)).split("\n")[0]


@pytest.mark.parametrize("text", [
    "how do I report my stolen bike to the police?",
    "my landlord threatens to evict us if the rent is late",
    "welche Apotheke hat am Sonntag offen? ich brauche meine Blutdrucktabletten",
    "ich brauche ein polizeiliches Führungszeugnis für die Arbeit",
    "tell me a joke im bored in this waiting room",  # chit-chat to both classifiers
    "mein vater hatte letztes jahr einen herzinfarkt und braucht hilfe beim waschen, wie bekommen wir einen pflegegrad",
    # shortcuts a word-and-letter classifier learns from danger examples: a child's age, "can't find", "delete
    # everything", and a language that had danger examples but no everyday ones
    "kita yeri lazım kızım 3 yaşında",
    "we can't find a paediatrician for our son, he is 4",
    "je veux supprimer tout ce que j'ai écrit",
    "Jobcenter se is mahine paisa nahi aya kya karun",
    # danger words that also name everyday things: a birth due next month, a bank that wants a valid passport
    "сестра рожает через два месяца, где найти акушерку?",
    "bangiga ayaa ii diiday kaarka maxaa yeelay baasaboorkaygu wuu dhacay",
    # a knife for work; suicide as the subject of homework, a book or a series, not of the person's life
    "do i need a permit to carry my chef's knife to the cooking course on the train",
    "meine tochter schreibt ein referat über suizid, gibt es dazu broschüren auf deutsch?",
    "برای پایان نامه ام درباره خودکشی در میان مهاجران منابع لازم دارم",
    "син дивиться серіал про самогубство підлітків, чи є поради для батьків?",
    # a few short words the classifier has seen in every kind of message
    "no no no",
    "na na na",
    # a son's lost passport, a coin that vanished
    "جواز سفر ابني مفقود، وين بطلع بدل ضائع؟",  # Arabic: my son's passport is lost, where do I get a new one?
    "the magic trick: the coin vanished, my son loves it, any magic club for kids?",
    # "bıçaklarımı" is "my knives", not "stabbed"; the last words of a long message are read in a full window
    "Aşçıyım, işe kendi bıçaklarımı götürmem gerekiyor mu? Patronun alması lazım değil mi?",
    "My smoke alarm keeps beeping, I think battery is low. Do I tell the landlord or change it myself? "
    "We live in Herten",
    # a fire as the subject of a film: even a strong word for it needs the classifier to agree
    "сын посмотрел фильм про пожар в школе, теперь не может уснуть. это нормально?",
    # thanks and goodbye, clearly named
    "مرسی، خیلی کمک کرد 🌹",
    "Vielen Dank, Sie haben mir sehr geholfen. Tschüss!",
])
def test_everyday_messages_about_the_police_or_medicine_raise_no_alarm(engine: Engine, text: str) -> None:
    reply = say(engine, "calm", text)
    assert not opening(reply).startswith("📞"), opening(reply)


@pytest.mark.parametrize("text", [
    "my best friend took his own life last year and I think of him every day, is there a group for people like us?",
    "у сина торік були судоми від температури, зараз він здоровий, куди записатись на U9?",
    "geçen ay mutfakta küçük bir yangın çıktı, ev sahibi duvar boyasını benden istiyor, hakkı var mı",
    "it is not an emergency, but where do I report that my phone was stolen on the bus?",
])
def test_a_danger_told_as_past_or_as_none_raises_no_alarm(engine: Engine, text: str) -> None:
    reply = say(engine, "past", text)
    assert not opening(reply).startswith("📞"), opening(reply)


@pytest.mark.parametrize(("text", "number"), [
    ("we came to germany two years ago and learn german, but now my husband hits me and I am bleeding", "110"),
    ("last year he broke her arm and today he came at her with a knife, she is hiding at my place", "110"),
    ("geçen yıl buraya geldik, şimdi oğlum çamaşır suyu içti ve kusuyor", "112"),
    ("мы смотрели фильм и тут начался пожар на кухне", "112"),  # a film, and a fire of now
])
def test_a_danger_of_now_beside_an_old_story_gets_the_numbers(engine: Engine, text: str, number: str) -> None:
    first = opening(say(engine, "now", text))
    assert first.startswith("📞") and number in first, first


def test_what_staff_teach_never_moves_a_message_away_from_danger(engine: Engine) -> None:
    text = "mein mann schlägt mich und die kinder"
    engine.nlu.set_learned([(text, "kita")])
    try:
        reply = say(engine, "taught", text)
        assert opening(reply).startswith("📞") and "110" in opening(reply)
        assert reply.intent != "kita"
    finally:
        engine.nlu.set_learned([])


def test_ask_json_shows_the_kind_of_danger() -> None:
    result = CliRunner().invoke(cli, ["ask", "--json", "my toddler drank drain cleaner"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["danger"] == "poison"
    calm = CliRunner().invoke(cli, ["ask", "--json", "Kita in Unna"])
    assert json.loads(calm.output.strip().splitlines()[-1])["danger"] is None


def test_eval_reports_critical_recall_and_false_alarms(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        '- {t: "er atmet nicht mehr", l: de, i: emergency}\n'
        '- {t: "Kita in Unna", l: de, i: kita}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(cases)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["critical_recall"] == 1.0 and summary["false_alarm_rate"] == 0.0


# The calm and "about" words are read on every message whatever its language, so none may be a common word of
# another one: each of these is an everyday word of one language that an entry of another once matched.
@pytest.mark.parametrize(("text", "word"), [
    ("bana dokunmaya çalıştı", "doku* (a documentary) in Turkish 'to touch'"),
    ("پلار مې خبرې نه کوي", "خبر* (news) in Pashto 'he does not speak'"),
    ("serê min dizivire", "dizi* (a series) in Kurmanji 'dizzy'"),
    ("j'ai essayé de le réveiller", "essay* in French 'tried'"),
    ("gas ki boo bohat tez hai", "tez* (a thesis) in Urdu 'strong'"),
    ("he keeps filming me in the shower", "film* in 'filming'"),
    ("ich suche einen kitaplatz", "kitap* (a book) in 'Kitaplatz'"),
    ("bunica mea din românia", "roman* in 'România'"),
    ("er schreibt mir jeden tag 50 nachrichten", "'Nachrichten' as messages, not the news"),
    ("رح يكتبوا كتابها غصب عنها", "كتاب* (a book) in the Arabic marriage contract"),
    ("ሰለስተ ሰሙን ዜና የለን", "ዜና* (the news) in Tigrinya 'no news of him'"),
])
def test_an_about_word_is_no_everyday_word_of_another_language(trained_nlu: NLU, text: str, word: str) -> None:
    assert trained_nlu.danger.about_words.check(normalise(text)) is None, word


@pytest.mark.parametrize(("text", "word"), [
    ("ابني بلع بطارية قبل عشر دقائق", "قبلاً (before, Persian) is the Arabic 'قبل' once normalised"),
    ("brat ne bere trubku", "berê (before, Kurmanji) is the romanised Ukrainian 'bere' (takes)"),
    ("خطيبي السابق واقف تحت البيت", "سابقاً (formerly, Persian) is the Arabic 'السابق' (the ex-)"),
])
def test_a_calm_word_is_no_everyday_word_of_another_language(trained_nlu: NLU, text: str, word: str) -> None:
    assert not trained_nlu.danger.calm_words.positions(normalise(text)), word


@pytest.mark.parametrize("text", [
    "we watched a film about a fire and now my son is afraid to sleep",
    "Wir haben in der Schule einen Film über Zwangsheirat gesehen, gibt es Infos für Eltern?",
    "kızım ödev için bir kitap okuyor, konusu aile içi şiddet",
])
def test_a_film_a_book_or_homework_is_still_about_a_subject(trained_nlu: NLU, text: str) -> None:
    assert trained_nlu.danger.about_words.check(normalise(text)) is not None


@pytest.mark.parametrize(("word", "letters"), [("no", 2), ("nein", 4), ("ባተሪ", 6), ("ጓለይ", 6)])
def test_a_geez_character_is_a_syllable_of_two_letters(word: str, letters: int) -> None:
    # Three words of fewer than four letters are babble ("no no no"); three Ge'ez words of three characters are
    # a sentence ("my daughter swallowed a battery").
    assert _letters(word) == letters


# Fire, smoke and gas, and poisoning, in more of the twelve than SITUATIONS has them: each opens with 112 (and a
# poisoning with the poison information centre).
@pytest.mark.parametrize(("text", "lang", "kind"), [
    ("у сусідів з вікна валить дим і пахне горілим", "uk", "fire"),
    ("komşunun dairesinden yoğun duman çıkıyor, merdivenler duman dolu", "tr", "fire"),
    ("il y a une forte odeur de gaz dans la cage d'escalier et ma voisine ne répond pas", "fr", "fire"),
    ("dabka ayaa ka kacay jikada, qiiq badan ayaa guriga ku jira", "so", "fire"),
    ("bêhna gazê li mitbaxê pir xurt e û diya min gêj bûye", "ku", "fire"),
    ("آشپزخانه آتش گرفته و دود همه جا را گرفته", "fa", "fire"),
    # a room or smoke beside the fire emoji; "cuisine" names a topic of its own (cooking)
    ("cuisine 🔥🔥", "fr", "fire"),
    ("Дым 🔥🔥", "ru", "fire"),
    ("آشپزخونه 🔥🔥", "fa", "fire"),
    ("Küche 🔥", "de", "fire"),
    ("mon fils de deux ans a bu de l'eau de javel, il tousse et vomit", "fr", "poison"),
    ("wiilkayga yar ayaa liqay kiniinno badan oo aabihii, hadda wuu hurdaa", "so", "poison"),
    ("kurê min ê du salî dermanên bavê xwe xwarine û niha gelek xew e", "ku", "poison"),
    ("дитина випила засіб для миття посуду і блює", "uk", "poison"),
    ("küçük kızım bulaşık deterjanı içti, kusuyor", "tr", "poison"),
])
def test_fire_and_poisoning_open_with_112_in_more_languages(engine: Engine, text: str, lang: str, kind: str) -> None:
    first = opening(say(engine, f"more-{kind}-{lang}", text, lang))
    assert first.startswith("📞") and "112" in first, first
    assert (POISON_LINE in first) == (kind == "poison"), first
