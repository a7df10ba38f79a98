"""Follow-ups: short messages that only mean something after an answer, in every language Lotse speaks.

"mehr", "show me more", "المزيد", "gibt es noch andere?" (more of the same topic); "closer", "open now"; "what about
for my wife?" (the same topic for another person); "and in Unna?", "wir wohnen in Kamen" (the same topic in
another place). A message is a follow-up only when *every* word of it is one of these small word lists (plus the
place it names): "mehr" is "more", "mehr Geld" is a question about money and goes to the NLU. That also keeps the
lists safe: "دیگر نمی‌خواهم زندگی کنم" shares a word with "more" but is no follow-up.

The lists are per language only so that a follow-up can tell the language when nothing else does ("daha fazla" is
Turkish); matching uses all of them at once (people mix: "und for my wife?"). Words are compared after the NLU's
normalisation, so they are written here as people type them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.nlu.normalise import normalise

MORE, CLOSER, OPEN_NOW, HOURS, COST, PERSON, PLACE = "more", "closer", "open_now", "hours", "cost", "person", "place"

# Per language: "hours" (when, opening hours, appointment), "time" (a day or a time of day: a follow-up only beside
# "open" or "hours", alone it may be a greeting: "Morgen!"), "cost" (free? what does it cost?), "more" (and
# "others", "next"), "closer", "open", "person" (family and friends), and "filler": the words around them (and,
# what about, please, is there, I live in, now ...) that change nothing.
LEXICON: dict[str, dict[str, str]] = {
    "de": {
        "hours": "wann öffnungszeiten oeffnungszeiten offnungszeiten öffnungszeit uhrzeit uhrzeiten zeiten"
                 " sprechzeiten sprechstunde termin",
        "time": "morgen früh fruh vormittags nachmittags abends samstag samstags sonntag sonntags wochenende",
        "cost": "kostenlos kostet kosten kostenpflichtig gratis umsonst teuer preis bezahlen zahlen gebühr gebühren",
        "more": "mehr weitere weiteren weiter nächste nächsten andere anderen anzeigen zeig zeige zeigen ergebnisse"
                " sonst",
        "closer": "näher nähere näheren naher nah nähe",
        "open": "offen geöffnet geoeffnet auf aufhaben",
        "person": "frau ehefrau mann ehemann kind kinder sohn tochter mutter vater eltern bruder schwester oma opa"
                  " freund freundin familie partner partnerin baby",
        "filler": "und noch mir mich es gibt bitte ja haben hast habt sie du denn was etwas ist sind mit wie sieht"
                  " aus auch dann für fur meine meinen meinem mein meiner unsere unser unseren unserem in im nach"
                  " bei da dort wir ich wohnen wohne lebe leben bin jetzt gerade heute welche wer hat der die das"
                  " von wohnort ort stadt plz postleitzahl aber so"
                  " viel muss man amt büro buro stelle"
                  " nein nee nicht kein sondern eigentlich umgezogen sorry entschuldigung",
    },
    "en": {
        "hours": "when hours opening times time appointment",
        "time": "tomorrow morning afternoon evening saturday sunday weekend",
        "cost": "free cost costs price pay charge fee fees expensive much",
        "more": "more show next others other ones results another",
        "closer": "closer nearer near",
        "open": "open opened",
        "person": "wife husband child children kid kids son daughter mother mom mum father dad parents brother"
                  " sister friend family partner baby grandmother grandfather",
        "filler": "me please pls any are there is and what about for my our how also too the with a some anything"
                  " something do you have got in at i we live am from im i'm town city postcode zip now right"
                  " currently today which ones it's it that"
                  " need how does office on an"
                  " no not don t dont anymore moved sorry actually",
    },
    "ar": {
        "hours": "مواعيد المواعيد ساعات الدوام دوام متى وقت أوقات اوقات موعد",
        "time": "يوم السبت الأحد الاحد العمل العطلة غدا بكرة",
        "cost": "مجاني مجانية مجانا مجاناً ببلاش تكلفة التكلفة كم سعر السعر يكلف بكم",
        "more": "المزيد مزيد أكثر اكثر التالي التالية غيرها غيره غيرهم أخرى اخرى آخر اخر أرني اعرض عروض نتائج",
        "closer": "أقرب اقرب قريب قريبة",
        "open": "مفتوح مفتوحة يفتح تفتح",
        "person": "زوجتي زوجي لزوجتي ولزوجتي وزوجتي لزوجي وزوجي ابني لابني ولابني بنتي ابنتي لابنتي أمي امي لأمي"
                  " أبي ابي لأبي والدي والدتي أخي اخي لأخي أختي اختي لأختي أطفالي اطفالي لأطفالي ولأطفالي صديقي"
                  " صديقتي لصديقي عائلتي لعائلتي طفلي لطفلي",
        "filler": "من فضلك لو سمحت هل يوجد توجد في وفي هناك و عندك عندكم أريد اريد ماذا وماذا عن ل أجل اجل"
                  " بالنسبة وبالنسبة أنا انا نحن أسكن اسكن نسكن أعيش اعيش نعيش ساكن ساكنة مدينة مدينتي الآن الان"
                  " حاليا مني لي"
                  " ما هي هو"
                  " لا ليس وليس مش انتقلنا",
    },
    "fa": {
        "hours": "ساعت ساعات ساعت‌های ساعتهای کی وقت زمان نوبت",
        "time": "کاری شنبه جمعه فردا",
        "cost": "رایگان رایگانه مجانی مجانیه مفت هزینه قیمت چقدر پولیه",
        "more": "بیشتر بعدی دیگر دیگه موارد نشان بده نتایج",
        "closer": "نزدیک‌تر نزدیکتر نزدیک",
        "open": "باز بازه",
        "person": "همسرم زنم شوهرم بچه‌ام بچم پسرم دخترم مادرم پدرم برادرم خواهرم دوستم خانواده‌ام خانمم"
                  " بچه‌هایم بچه‌هام",
        "filler": "لطفا لطفاً آیا هست هستند هم و چی چه برای من ما به درباره مورد در ام تو توی زندگی می‌کنم"
                  " میکنم می‌کنیم میکنیم هستم هستیم ساکن شهر چطور الان اکنون حالا کدام کدوم"
                  " چیست چیه است اش"
                  " نه نیستیم اسباب کشی",
    },
    "uk": {
        "hours": "години годин графік коли розклад час прийом",
        "time": "відкривається відкриваються роботи субота неділя суботах суботу неділю завтра вранці"
                " заздалегідь",
        "cost": "безкоштовно безкоштовний безкоштовна платно платний коштує ціна вартість скільки платити",
        "more": "ще більше покажи далі наступні інші інших результати",
        "closer": "ближче ближчі поближче",
        "open": "відкрито відкриті відкритий працює працюють",
        "person": "дружина дружини дружині чоловік чоловіка чоловіку дитина дитини дитині діти дітей син сина"
                  " сину донька доньки дочка дочки мама мами мати матері тато тата батько батька батьки батьків"
                  " брат брата сестра сестри друг друга подруга подруги сім'я сім'ї родина родини",
        "filler": "а є і й будь ласка мені ну та для моєї мого моїх моя мій мої нашої нашого наших як щодо теж"
                  " також в у на я ми живу живемо мешкаю з із місто місті зараз які що"
                  " треба потрібно це"
                  " ні вибачте насправді не переїхали по вони і",
    },
    "ru": {
        "hours": "часы график когда расписание время приём прием записываться запись",
        "time": "открывается открываются работы суббота воскресенье субботам воскресеньям завтра утром"
                " заранее",
        "cost": "бесплатно бесплатный бесплатная платно платный стоит цена стоимость сколько платить",
        "more": "ещё еще больше покажи дальше следующие другие других результаты",
        "closer": "ближе поближе ближайшие",
        "open": "открыто открыт открыты работает работают",
        "person": "жена жены жене муж мужа мужу ребенок ребёнка ребенка дети детей сын сына дочь дочери мама"
                  " мамы мать матери папа папы отец отца родители родителей брат брата сестра сестры друг друга"
                  " подруга подруги семья семьи",
        "filler": "а есть и пожалуйста мне ну какие там для моей моего моих моя мой мои нашей нашего наших как"
                  " насчет насчёт тоже также что про в во на я мы живу живем живём из город городе сейчас"
                  " надо нужно это"
                  " нет не извините вообще-то переехали по они и",
    },
    "tr": {
        "hours": "saat saatleri saatler saati zaman randevu",
        "time": "çalışma açılış cumartesi pazar yarın sabah",
        "cost": "ücretsiz ücretsizmi ucretsiz ucretsizmi bedava ücret ucret ücretli fiyat kadar paralı parali",
        "more": "daha fazla devam sonraki başka başkaları diğerleri diğer göster sonuçlar",
        "closer": "yakın yakında",
        "open": "açık açıklar",
        "person": "eşim eşime karım kocam çocuğum çocuğuma çocuklarım oğlum kızım annem babam kardeşim ablam abim"
                  " arkadaşım ailem",
        "filler": "var mı mi lütfen peki ve bana yok için icin ya benim de da ne olacak nasıl ben biz yaşıyorum"
                  " yaşıyoruz oturuyorum oturuyoruz şehir şimdi şu an şuan hangi hangileri"
                  " hayır değil degil pardon taşındık",
    },
    "fr": {
        "hours": "heures horaires horaire quand rendez-vous rdv",
        "time": "ouverture samedi dimanche demain matin",
        "cost": "gratuit gratuite payant payante coûte coute prix combien cher payer",
        "more": "plus encore voir montre montrez suivant suivants suivante autres dautres résultats",
        "closer": "près proche proches",
        "open": "ouvert ouverts ouverte ouvertes",
        "person": "femme mari enfant enfants fils fille mère père parents frère sœur soeur ami amie famille épouse"
                  " époux bébé",
        "filler": "moi s'il svp vous plait plaît il y en a et est ce qu des d pour ma mon mes notre nos quoi de"
                  " aussi sur à au aux dans je nous on habite habitons vis vivons suis sommes ville maintenant"
                  " actuellement lesquels qui"
                  " faut c quels quelles sont les le la"
                  " non pas j déménagé",
    },
    "ku": {
        "hours": "saet saetên demjimêr demjimêrên kengê dema",
        "time": "vebûnê vedibe şemî yekşem sibê",
        "cost": "belaş belaşe buha biha çiqas",
        "more": "bêtir zêdetir din yên piştre nîşan bide",
        "closer": "nêzîktir nêzîk",
        "open": "vekirî",
        "person": "jina jinê mêrê zarok zarokê zarokên kur kurê keç keça dayik diya bav bavê bira birayê xwişk"
                  " xwişka heval hevalê malbat malbata",
        "filler": "û ji kerem ke min re hê hîn heye hene ma tu bo çi ka ya yê li ez em dijîm dijîn dimînim bajar"
                  " bajarê niha"
                  " e ye"
                  " na ne",
    },
    "ti": {
        "hours": "ሰዓት ሰዓታት መዓስ ቆጸራ",
        "time": "ስራሕ",
        "cost": "ብናጻ ናጻ ዋጋ ክንደይ",
        "more": "ተወሳኺ ዝያዳ ካልእ ካልኦት ቀጺሉ ኣርእየኒ",
        "closer": "ዝቐረበ ቀረባ",
        "open": "ክፉት",
        "person": "ሰበይተይ ንሰበይተይ ሰበይተይከ ንሰበይተይከ ሰብኣየይ ንሰብኣየይ ቆልዓይ ንቆልዓይ ውላደይ ንውላደይ ወደይ ንወደይ ጓለይ"
                  " ንጓለይ ኣደይ ንኣደይ ኣቦይ ንኣቦይ ሓወይ ሓፍተይ ስድራይ ንስድራይ ዓርከይ",
        "filler": "በጃኻ በጃኺ ኣሎ ዶ ከ ኣብ ኣነ ንሕና እነብር ንነብር ሕጂ"
                  " ድዩ እዩ",
    },
    "ps": {
        "hours": "وخت ساعت ساعتونه کله",
        "cost": "وړیا بیه څومره",
        "more": "نور نوره بل وښایه وښيه وښایاست",
        "closer": "نږدې نژدې",
        "open": "پرانیستی پرانیستې",
        "person": "مېرمن میرمن ښځه میړه ماشوم ماشومان زوی لور مور پلار ورور خور ملګری ملگری کورنۍ",
        "filler": "مهرباني وکړئ وکړه ایا آیا شته هم او ته ما زما د لپاره څه په اړه کې زه موږ اوسېږم اوسیږم"
                  " اوسو اوس"
                  " ده دی"
                  " نه",
    },
    "so": {
        "hours": "saacadaha saacad goorma waqti xilli ballan",
        "cost": "bilaash qiimo imisa",
        "more": "dheeraad kale xiga tus badan",
        "closer": "dhow",
        "open": "furan",
        "person": "xaaskayga xaaska ninkayga ilmahayga ilmaha carruurta carruurtayda wiilkayga gabadhayda"
                  " hooyaday aabahay walaalkay walaashay saaxiibkay qoyskayga qoyska",
        "filler": "fadlan ma jiraan jira iyo wax kuwo i ii ah ka waa sidee u loogu ee maxaa ku saabsan waxaan aan"
                  " deggan degenahay nool ayaan magaalada hadda"
                  " maya",
    },
}


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up asks for, and the language its words are in (None when several languages share them)."""

    kind: str
    lang: str | None = None


@cache
def _words() -> dict[str, dict[str, frozenset[str]]]:
    """Per kind, per language: the normalised words (a phrase of several words adds each of them)."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    for lang, kinds in LEXICON.items():
        for kind, words in kinds.items():
            out.setdefault(kind, {})[lang] = frozenset(normalise(words).split())
    return out


def _union(kind: str) -> frozenset[str]:
    return frozenset().union(*_words()[kind].values())


def _lang_of(tokens: list[str]) -> str | None:
    """The one language whose lists hold every token, if there is exactly one."""
    words = _words()
    langs = [lang for lang in LEXICON
             if all(any(t in words[k].get(lang, ()) for k in words) for t in tokens)]
    return langs[0] if len(langs) == 1 else None


def classify(text: str, places: Sequence[tuple[int, int]] = ()) -> FollowUp | None:
    """The follow-up a message is, or None when it says more than a follow-up does.

    `places` are the (start, end) of the places the NLU found, in the words of `normalise(text)`: those words
    are places, not part of the question ("und in Kamen?" -> a follow-up naming another place; "nein, in Kamen,
    nicht in Unna" -> one that corrects it).
    """
    tokens = normalise(text).split()
    inside = {i for start, end in places for i in range(start, end)}
    tokens = [t for i, t in enumerate(tokens) if i not in inside]
    place_span = places[0] if places else None
    if not tokens and place_span is None:
        return None
    filler = _union("filler")
    content = [t for t in tokens if t not in filler]
    lang = _lang_of(tokens) if tokens else None
    if not content:
        return FollowUp(PLACE, lang) if place_span is not None else None
    if place_span is not None:
        return None  # a place and other words ("Deutschkurs in Unna"): a question of its own
    sets = {kind: _union(kind) for kind in ("more", "closer", "open", "person", "hours", "time", "cost")}
    if not all(any(t in words for words in sets.values()) for t in content):
        return None
    present = {kind for kind, words in sets.items() if any(t in words for t in content)}
    if present == {"time"}:
        return None  # "Morgen!", "Samstag": no question about the offers
    if "person" in present:
        return FollowUp(PERSON, lang) if present == {"person"} else None
    if "hours" in present or {"open", "time"} <= present:
        return FollowUp(HOURS, lang)  # "wann hat die offen?", "open on Saturday?": the nearest with their hours
    if "cost" in present:
        return FollowUp(COST, lang)  # "ist das kostenlos?": the topic's answer tells
    if "open" in present:
        return FollowUp(OPEN_NOW, lang)
    if "closer" in present:
        return FollowUp(CLOSER, lang)  # "daha yakın", "plus près": a "more" word saying "-er"
    return FollowUp(MORE, lang)
