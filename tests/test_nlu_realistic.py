"""Messages as people really write them: each failure kind seen in real use, in several languages, stays fixed.

A greeting or a story before the question, frame words around a topic, office vocabulary, "the Jobcenter did not
pay", danger inside another question, Latin-script Persian/Russian/Ukrainian/Arabic, contact data that looks like
a place, and out-of-scope questions. The messages are written for these tests (not taken from an eval set).
"""

from __future__ import annotations

import pytest

from bot.nlu import NLU, default_nlu


@pytest.fixture(scope="module")
def nlu() -> NLU:
    return default_nlu()


# The question at the end decides, not the greeting, the thanks or the story before it.
STORY_FIRST = [
    ("de", "Hallo zusammen, wir wohnen seit zwei Monaten in Selm und mein Sohn ist sechs. Wie melde ich ihn in "
           "der Grundschule an?", "school"),
    ("de", "Guten Morgen! Ich heiße Samira und komme aus Syrien. Ich möchte gern einen Integrationskurs besuchen, "
           "wo geht das?", "language_course"),
    ("en", "Hi there, hope you are well. We moved here last month with our two kids and the little one has a "
           "fever since yesterday. Where can I find a paediatrician?", "health"),
    ("en", "Good evening and thank you for this service. My residence permit runs out in May, what do I have to do "
           "to extend it?", "residence_permit"),
    ("de", "Hallo, ich bin Amina, ich wohne mit meinen drei Kindern in Kamen und mein Mann arbeitet viel. Meine "
           "Tochter ist jetzt 4 und wir haben immer noch keinen Kindergarten. Was kann ich tun?", "kita"),
    ("ar", "مرحبا، أنا من سوريا وعايش بلونن مع ولادي. بدي اعرف كيف بقدر سجل ابني بالمدرسة", "school"),
    ("ar", "مساء الخير، شكرا كتير على المساعدة. أنا حامل بالشهر الخامس وما عندي طبيب نسائي. وين بلاقي؟",
     "pregnancy_birth"),
    ("ar", "السلام عليكم ورحمة الله، عندي بنت عمرها ثلاث سنوات وأنا أشتغل الصبح. كيف أسجلها في روضة؟", "kita"),
    ("uk", "Добрий день! Ми з донькою приїхали з Харкова пів року тому. Де можна безкоштовно вивчати німецьку?",
     "language_course"),
    ("uk", "Привіт, я вже три місяці живу тут з чоловіком у гуртожитку. Нам дуже потрібна своя квартира, що робити?",
     "housing"),
    ("uk", "Привіт! Дякую за допомогу минулого разу. Тепер мені потрібен перекладач на прийом до лікаря.",
     "interpreter"),
    ("fa", "سلام، حالتون خوبه؟ ممنون از کمک‌هاتون. من اقامتم داره تموم میشه، چیکار کنم؟", "residence_permit"),
    ("fa", "سلام، وقت بخیر. من با خانواده‌ام شش ماه است که در آلمان هستیم. چطور برای پسرم مدرسه پیدا کنم؟", "school"),
    ("fa", "سلام خسته نباشید، من تازه اومدم آلمان و هیچکس رو نمیشناسم. دنبال کلاس زبان آلمانی هستم", "language_course"),
    ("tr", "Merhaba, iyi günler. Eşim ve iki çocuğumla burada yaşıyoruz, ben de çalışmak istiyorum. Küçük oğlum "
           "için kreş yeri nasıl bulabilirim?", "kita"),
    ("tr", "Selam, ben üç aydır Almanya'dayım ve Türkiye'de hemşireydim. Diplomamı tanıtmak istiyorum, nereye "
           "başvurmalıyım?", "recognition"),
    ("tr", "Merhaba, daha önceki yardımınız için teşekkürler. Şimdi de oğlum için okul arıyoruz.", "school"),
    ("ru", "Здравствуйте. Мы приехали из Казахстана полгода назад, живём в Унне. Где найти переводчика для похода к "
           "врачу?", "interpreter"),
    ("fr", "Bonjour, je suis arrivée du Cameroun il y a trois mois et j'habite à Bergkamen. Je voudrais faire du "
           "bénévolat, c'est possible ?", "volunteering"),
]

# Words that wrap a question ("help", "who can", "explain to me") must not win over the topic they wrap.
FRAME_AROUND_TOPIC = [
    ("en", "can't find a flat, help", "housing"),
    ("en", "could someone please explain my tenancy agreement to me", "housing"),
    ("de", "Ich finde einfach keine Wohnung, bitte helfen Sie mir", "housing"),
    ("de", "Gibt es eine Beratung für Frauen, die zu Hause Gewalt erleben?", "violence_protection"),
    ("tr", "ev bulamıyoruz, kim yardım edebilir?", "housing"),
    ("fa", "lotfan komak konid, donbale apartman hastam", "housing"),
    ("ar", "ساعدوني، ما لقيت شقة لعيلتي", "housing"),
    ("ru", "помогите пожалуйста найти работу", "work"),
    ("uk", "допоможіть, будь ласка, з пошуком житла", "housing"),
    ("fr", "aidez-moi à trouver un cours d'allemand s'il vous plaît", "language_course"),
    ("fr", "est-ce que quelqu'un peut m'aider à trouver un logement ?", "housing"),
    ("de", "kann mir jemand meinen Mietvertrag erklären?", "housing"),
    ("de", "wer hilft mir, einen Kitaplatz zu finden?", "kita"),
    ("en", "I need help, no one will give us a flat", "housing"),
    ("ar", "مين بيساعدني لاقي شغل؟", "work"),
    ("fa", "کسی می‌تونه کمکم کنه خونه پیدا کنم؟", "housing"),
    ("uk", "хто може допомогти знайти дитячий садок?", "kita"),
    ("ru", "кто поможет с поиском квартиры?", "housing"),
]

# German office words, bare or inside other languages.
OFFICE_WORDS = [
    ("de", "Wo kann mein Kind die Masern-Impfung bekommen?", "health"),
    ("en", "where can my baby get the Impfung he still needs", "health"),
    ("ar", "وين بقدر أعمل Impfung لابني الصغير؟", "health"),
    ("tr", "oğlumun Impfung randevusu lazım", "health"),
    ("de", "Wir brauchen einen Termin für die U-Untersuchung U7", "health"),
    ("uk", "де зробити U-Untersuchung для дитини?", "health"),
    ("ru", "нам нужно пройти U-Untersuchung с ребенком", "health"),
    ("de", "Ich brauche eine Überweisung zum Facharzt", "health"),
    ("en", "how do I get an Überweisung to a specialist", "health"),
    ("fa", "برای دکتر متخصص Überweisung لازم دارم", "health"),
    ("de", "Die Nebenkosten sind viel zu hoch, was kann ich tun?", "housing"),
    ("en", "my landlord wants 600 euros for the Nebenkosten, is that right?", "housing"),
    ("ar", "صاحب البيت طالبني بمبلغ كبير للـ Nebenkosten", "housing"),
    ("ru", "слишком большие Nebenkosten за квартиру", "housing"),
    ("de", "Mein Vermieter hat mir die Kündigung geschickt", "housing"),
    ("tr", "ev sahibi bana Kündigung gönderdi", "housing"),
    ("uk", "орендодавець надіслав мені Kündigung квартири", "housing"),
    ("de", "Ich habe einen Dublin-Bescheid bekommen, was nun?", "asylum_advice"),
    ("en", "they say I am a Dublin case and must go back to Italy", "asylum_advice"),
    ("ar", "عندي قضية دبلن وخايف يرجعوني على إيطاليا", "asylum_advice"),
    ("fr", "je suis sous procédure Dublin, que dois-je faire ?", "asylum_advice"),
    ("de", "Bekommt meine Tochter nach der Schule einen OGS-Platz?", "school"),
    ("tr", "kızım için OGS yeri var mı?", "school"),
    ("uk", "як записати сина в OGS після уроків?", "school"),
    ("de", "Ich brauche dringend einen Termin beim Zahnarzt", "health"),
    ("ar", "بدي Zahnarzt ضروري سني عم يوجعني", "health"),
    ("fa", "ye Zahnarzt khub mishnasid?", "health"),
    ("de", "Meine Krankenversicherungskarte ist weg, was mache ich?", "health"),
    ("ru", "где получить Krankenversicherungskarte?", "health"),
    ("tr", "Krankenversicherungskarte'mı kaybettim", "health"),
    ("en", "I still don't have a Krankenversicherungskarte", "health"),
    ("fa", "کارت Krankenversicherungskarte ندارم", "health"),
    ("fr", "je dois faire l'Impfung de ma fille", "health"),
    ("fr", "mon propriétaire m'a envoyé la Kündigung", "housing"),
    ("fr", "il me faut une Überweisung pour le spécialiste", "health"),
    ("fa", "نامه Kündigung از صاحبخانه گرفتم", "housing"),
    ("uk", "мені прийшла Nebenkostenabrechnung, дуже багато", "housing"),
    ("tr", "Nebenkosten çok yüksek geldi", "housing"),
    ("uk", "де знайти Zahnarzt у вихідні?", "health"),
    ("ar", "وين بلاقي OGS لبنتي؟", "school"),
]

# Money from the Jobcenter is benefits, not work.
JOBCENTER_DID_NOT_PAY = [
    ("de", "Das Jobcenter hat diesen Monat nichts überwiesen", "benefits"),
    ("de", "Bekomme ich Bürgergeld, wenn ich nebenbei einen Minijob habe?", "benefits"),
    ("en", "the Jobcenter hasn't paid me this month", "benefits"),
    ("ar", "الجوب سنتر ما دفعلي هالشهر", "benefits"),
    ("fa", "جاب سنتر این ماه پولمو نریخته", "benefits"),
    ("uk", "Jobcenter цього місяця не заплатив гроші", "benefits"),
    ("ru", "джобцентр не перевел деньги в этом месяце", "benefits"),
    ("tr", "Jobcenter bu ay parayı yatırmadı", "benefits"),
    ("fr", "le Jobcenter ne m'a rien versé ce mois-ci", "benefits"),
    ("de", "Jobcenter hat mir das Geld gekürzt", "benefits"),
    ("tr", "Jobcenter'dan bu ay para gelmedi", "benefits"),
    ("uk", "джобцентр не заплатив за квартиру", "benefits"),
    ("ar", "الجوب سنتر وقف المساعدة عنا", "benefits"),
    ("ru", "пособие от джобцентра не пришло", "benefits"),
]

# Danger to life and violence, in every language, also inside another question: danger is set and decides.
DANGER = [
    ("de", "Mein Vater ist umgefallen und atmet nicht mehr!", "emergency"),
    ("de", "Eigentlich wollte ich nach dem Deutschkurs fragen, aber meine Mutter ist gerade zusammengebrochen",
     "emergency"),
    ("de", "Mein Mann schlägt mich und die Kinder, wo finde ich eine Wohnung?", "violence_protection"),
    ("de", "Meine Eltern wollen mich zwingen, meinen Cousin zu heiraten", "violence_protection"),
    ("en", "my friend took too many pills and won't wake up", "emergency"),
    ("en", "I want to end my life", "emergency"),
    ("en", "I need a German course but my boyfriend beats me every night", "violence_protection"),
    ("en", "I was raped last week and don't know who to tell", "violence_protection"),
    ("ar", "زوجي وقع على الأرض وما عم يتنفس", "emergency"),
    ("ar", "كنت بدي اسأل عن الروضة بس زوجي يضربني كل يوم", "violence_protection"),
    ("fa", "برادرم چاقو خورده و خونریزی دارد", "emergency"),
    ("fa", "شوهرم مرا کتک می‌زند", "violence_protection"),
    ("uk", "моя дитина не дихає, допоможіть", "emergency"),
    ("uk", "шукаю житло, бо чоловік мене б'є", "violence_protection"),
    ("ru", "мой муж потерял сознание и не дышит", "emergency"),
    ("ru", "отчим меня избивает", "violence_protection"),
    ("tr", "imdat, annem bayıldı ve nefes almıyor", "emergency"),
    ("tr", "kocam beni dövüyor, çocuklarla nereye gidebilirim?", "violence_protection"),
    ("fr", "mon mari s'est effondré, il ne respire plus", "emergency"),
    ("fr", "je cherche un appartement car mon mari me frappe", "violence_protection"),
    ("ku", "Bavê min bêhiş bû û bêhna wî naçe", "emergency"),
    ("ku", "Mêrê min dîsa li min xist, ez çi bikim?", "violence_protection"),
    ("ti", "ሓወይ ብካራ ተወጊኡ ብዙሕ ደም ይፈሶ ኣሎ", "emergency"),
    ("ti", "ሰብኣየይ ኩሉ ግዜ ይወቕዓኒ", "violence_protection"),
    ("ps", "زما پلار بې هوښه شو او ساه نه اخلي", "emergency"),
    ("ps", "مېړه مې هره ورځ ما وهي", "violence_protection"),
    ("so", "Aabahay wuu suuxay oo ma neefsanayo", "emergency"),
    ("so", "Ninkaygu habeen walba wuu i garaacaa", "violence_protection"),
    ("de", "Meine Freundin hat eine Überdosis Tabletten genommen", "emergency"),
    ("de", "Ich will nicht mehr leben", "emergency"),
    ("de", "mein Vater hat einen Herzinfarkt, wir wohnen in Unna, wo ist das Krankenhaus?", "emergency"),
    ("en", "my uncle fell down and is not breathing, where is the nearest hospital", "emergency"),
    ("en", "I think my neighbour's flat is on fire, I also need a lawyer for my asylum case", "emergency"),
    ("en", "my parents are forcing me to marry a man I don't know", "violence_protection"),
    ("ar", "اخوي انطعن بسكين", "emergency"),
    ("ar", "بدي انتحر", "emergency"),
    ("ar", "أهلي يجبروني أتزوج", "violence_protection"),
    ("fa", "می‌خواهم خودکشی کنم", "emergency"),
    ("fa", "به من تجاوز کردند", "violence_protection"),
    ("fa", "خانواده‌ام می‌خواهند مرا به زور شوهر بدهند", "violence_protection"),
    ("ru", "я хочу покончить с собой", "emergency"),
    ("ru", "брата порезали ножом, много крови", "emergency"),
    ("ru", "мою сестру изнасиловали", "violence_protection"),
    ("uk", "я не хочу більше жити", "emergency"),
    ("uk", "мене зґвалтували", "violence_protection"),
    ("tr", "kendimi öldürmek istiyorum", "emergency"),
    ("tr", "kardeşimi bıçakladılar", "emergency"),
    ("tr", "ailem beni zorla evlendirmek istiyor", "violence_protection"),
    ("fr", "je veux me suicider", "emergency"),
    ("fr", "mes parents veulent me marier de force", "violence_protection"),
    ("ku", "Ez dixwazim xwe bikujim", "emergency"),
    ("ku", "Malbata min dixwaze bi zorê min bizewicîne", "violence_protection"),
    ("ps", "زه غواړم ځان ووژنم", "emergency"),
    ("ps", "کورنۍ مې په زور واده کوي", "violence_protection"),
    ("so", "Waxaan rabaa inaan is dilo", "emergency"),
    ("so", "Walaalkay mindi ayaa lagu dhuftay, dhiig badan ayaa ka socda", "emergency"),
    ("so", "Ninkaygu wuu i garaacaa, guri cusub ma heli karaa?", "violence_protection"),
]

# Latin-script Persian, Russian, Ukrainian and Arabic are answered in that language.
ROMANISED = [
    ("fa", "salam, mikham zaban almani yad begiram"),
    ("fa", "donbale kar migardam, komakam mikonid?"),
    ("ru", "zdravstvuyte, gde mozhno najti vracha?"),
    ("ru", "mne nuzhna kvartira, pomogite pozhaluysta"),
    ("uk", "dobryi den, de mozhna znayty robotu?"),
    ("uk", "meni potribna dopomoha z zhytlom"),
    ("ar", "marhaba, baddi la2i shaghle"),
    ("ar", "wen fi doktor lal wlad?"),
    ("fa", "befarmaid, yek doktor baraye bacheha mikhastam"),
    ("fa", "mitoonam beram kelas almani?"),
    ("ru", "zdravstvuite, mne nuzhen perevodchik k vrachu"),
    ("ru", "kak poluchit vid na zhitelstvo?"),
    ("uk", "yak otrymaty dozvil na prozhyvannya?"),
    ("uk", "dobryj vecher, hde mozhna vyvchaty nimetsku movu?"),
    ("ar", "shu lazem a3mel la jadded el iqama?"),
    ("ar", "salam aleikum, kifkon? baddi sa2el 3an kurs almani"),
]

# Contact data: addresses, phone numbers, IBANs, case numbers are no place and no postcode.
CONTACT_DATA = [
    "Meine E-Mail ist max.muster@web.de, ich suche eine Wohnung",
    "schreiben Sie mir an unna.kaya@gmail.com wegen Kita",
    "my email is hamm.ali92@outlook.com, I need a job",
    "ruf mich an: +49 176 44135982",
    "meine Nummer ist 0176 59174 338, bitte zurückrufen",
    "IBAN DE89 3704 0044 0532 0130 00 für das Kindergeld",
    "IBAN: DE12591730301234567890",
    "meine mail: lena.marl@t-online.de",
    "kontakt: selm-familie@web.de",
    "bitte an kamen.sara@gmx.net schreiben",
    "Meine Handynummer: 0152 / 44141 22",
    "Tel. 02303-59423",
    "call me on 015759174123",
    "IBAN DE44 4416 0014 1234 5678 00",
    "Kundennummer 44135 12345",
    "Fallnummer: 59368/2024",
    "mein Zeichen: AZ 44137/2023, ich brauche Hilfe beim Jobcenter",
    "Case number 44137-2023-7 at the foreigners office",
]

# Out of scope: shopping, recipes, phone tariffs, sports results. (Cheap clothes are no longer among them: low-cost
# goods, the Kleiderkammer and the Sozialkaufhaus, are the food_goods topic.)
OUT_OF_SCOPE = [
    ("de", "bester Handyvertrag mit viel Datenvolumen"),
    ("de", "wer hat das Spiel Dortmund gegen Bayern gewonnen"),
    ("en", "what was the score of the Germany match"),
    ("ar", "أفضل باقة إنترنت للجوال"),
    ("fa", "نتیجه بازی استقلال و پرسپولیس چی شد"),
    ("ru", "кто выиграл вчерашний матч"),
    ("uk", "який тариф на мобільний найкращий"),
    ("uk", "рецепт вареників з картоплею"),
    ("tr", "hangi telefon tarifesi daha ucuz"),
    ("tr", "evde kolay mercimek çorbası nasıl yapılır"),
    ("fr", "qui a gagné le match hier soir"),
    ("de", "Rezept für Linsensuppe bitte"),
    ("de", "Welcher Handytarif ist am billigsten?"),
    ("de", "Wie ist das Derby Schalke gegen den BVB ausgegangen?"),
    ("en", "best recipe for chicken biryani"),
    ("en", "which mobile plan has the most data for 10 euros"),
    ("en", "who won the champions league final"),
    ("en", "where can I buy cheap sneakers"),
    ("ar", "وصفة كبسة دجاج سهلة"),
    ("ar", "مين ربح مباراة امبارح؟"),
    ("fa", "دستور پخت قورمه سبزی"),
    ("fa", "کدوم سیم کارت ارزون تره؟"),
    ("tr", "Almanya'da hangi internet paketi daha avantajlı"),
    ("tr", "dünkü Fenerbahçe maçını kim kazandı"),
    ("ru", "рецепт борща со сметаной"),
    ("ru", "какой мобильный тариф выгоднее"),
    ("uk", "де купити дешевий телевізор?"),
    ("fr", "recette de couscous facile"),
    ("fr", "quel forfait mobile choisir ?"),
]


@pytest.mark.parametrize(("lang", "text", "intent"), STORY_FIRST)
def test_the_question_decides_not_the_greeting_or_story(nlu: NLU, lang: str, text: str, intent: str) -> None:
    assert nlu.understand(text).intent == intent


@pytest.mark.parametrize(("lang", "text", "intent"), FRAME_AROUND_TOPIC)
def test_frame_words_do_not_beat_the_topic(nlu: NLU, lang: str, text: str, intent: str) -> None:
    assert nlu.understand(text).intent == intent


@pytest.mark.parametrize(("lang", "text", "intent"), OFFICE_WORDS)
def test_office_vocabulary_names_its_topic(nlu: NLU, lang: str, text: str, intent: str) -> None:
    assert nlu.understand(text).intent == intent


@pytest.mark.parametrize(("lang", "text", "intent"), JOBCENTER_DID_NOT_PAY)
def test_jobcenter_money_is_benefits(nlu: NLU, lang: str, text: str, intent: str) -> None:
    assert nlu.understand(text).intent == intent


@pytest.mark.parametrize(("lang", "text", "intent"), DANGER)
def test_danger_is_caught_and_decides(nlu: NLU, lang: str, text: str, intent: str) -> None:
    result = nlu.understand(text)
    assert (result.danger, result.intent) == (intent, intent)


def test_danger_is_tested_in_every_language() -> None:
    from bot.i18n import LANGUAGES

    assert {lang for lang, _t, _i in DANGER} == set(LANGUAGES)


@pytest.mark.parametrize(("lang", "text"), ROMANISED)
def test_romanised_text_gets_its_language(nlu: NLU, lang: str, text: str) -> None:
    assert nlu.understand(text).lang == lang


@pytest.mark.parametrize("text", CONTACT_DATA)
def test_contact_data_is_no_place(nlu: NLU, text: str) -> None:
    assert nlu.understand(text).place is None


@pytest.mark.parametrize(("lang", "text"), OUT_OF_SCOPE)
def test_out_of_scope_is_none(nlu: NLU, lang: str, text: str) -> None:
    assert nlu.understand(text).intent == "none"
