"""Foreign spellings of the towns people ask about most: the three districts and the big NRW cities.

Keys are the German names exactly as in the gazetteer; values are the other ways people write them: Latin
short forms and exonyms, Cyrillic (Russian and Ukrainian; case endings are handled by the matcher, so only the
nominative is listed), Arabic script (Arabic, Persian and Pashto; the matcher unifies letter variants and strips
the glued prepositions ب ل و) and a few Ge'ez forms. These towns are also matched with small typos; every other
town of the gazetteer only when the text says it is a place ("in Kleve", "Kleve'de").
"""

from __future__ import annotations

#: Towns (gazetteer names) -> other spellings. Arabic-script forms with غ also match with گ and ج (see places.py).
SPELLINGS: dict[str, tuple[str, ...]] = {
    # Kreis Unna
    "Unna": ("Унна", "اونا", "أونا", "اونه", "اونّا", "ኡና"),
    "Lünen": ("Люнен", "لونن", "لونين", "لوينن", "ሉነን"),
    "Kamen": ("Камен", "كامن", "كامين"),
    "Bergkamen": ("Бергкамен", "بيرغكامن", "برگکامن"),
    "Schwerte": ("Шверте", "شفيرته", "شفرته", "شويرته"),
    "Werne": ("Верне", "فيرنه", "ويرنه"),
    "Selm": ("Зельм", "زيلم", "زلم", "سيلم", "سلم"),
    "Holzwickede": ("Хольцвикеде", "Гольцвікеде", "Хольцвікеде", "هولتسفيكده", "هولزويكده"),
    "Bönen": ("Бёнен", "Бенен", "Бьонен", "بونن", "بوينن"),
    "Fröndenberg": ("Фрёнденберг", "Фронденберг", "Френденберг", "فروندنبرغ", "فرويندنبرغ"),
    # Kreis Recklinghausen
    "Recklinghausen": ("Реклингхаузен", "Реклінгхаузен", "Реклингаузен", "ريكلينغهاوزن", "ركلينغهاوزن",
                       "ريكلينجهاوزن", "ريكلنغهاوزن", "رکلینگهاوزن", "ریکلینگهاوزن", "Recklinghusen"),
    "Dorsten": ("Дорстен", "دورستن", "دورستين"),
    "Castrop-Rauxel": ("Кастроп-Рауксель", "Кастроп", "كاستروب راوكسل", "كاستروب", "Castrop"),
    "Datteln": ("Даттельн", "داتلن", "داتيلن"),
    "Gladbeck": ("Гладбек", "غلادبيك", "غلادبك"),
    "Haltern am See": ("Haltern", "Хальтерн", "Гальтерн", "هالترن"),
    "Herten": ("Хертен", "Гертен", "هيرتن", "هرتن"),
    "Marl": ("Марль", "مارل"),
    "Oer-Erkenschwick": ("Ор-Эркеншвик", "Ер-Еркеншвік", "Эркеншвик", "Еркеншвік", "اور ايركنشفيك",
                         "Erkenschwick"),
    "Waltrop": ("Вальтроп", "فالتروب", "والتروب"),
    # Kreis Heinsberg
    "Heinsberg": ("Хайнсберг", "Гайнсберг", "هاينسبرغ", "هاينسبيرغ", "هاینزبرگ", "هاینسبرگ"),
    "Erkelenz": ("Эркеленц", "Еркеленц", "اركلنز", "اركيلينز", "ارکلنتس"),
    "Geilenkirchen": ("Гайленкирхен", "Гайленкірхен", "غايلنكيرشن", "غايلنكيرخن"),
    "Hückelhoven": ("Хюккельхофен", "Гюккельгофен", "هوكلهوفن", "هيكلهوفن"),
    "Übach-Palenberg": ("Юбах-Паленберг", "اوباخ بالنبرغ", "Uebach-Palenberg", "Ubach"),
    "Wegberg": ("Вегберг", "فيغبرغ", "ويغبرغ"),
    "Wassenberg": ("Вассенберг", "فاسنبرغ"),
    "Gangelt": ("Гангельт", "غانغلت"),
    "Selfkant": ("Зельфкант", "زلفكانت"),
    "Waldfeucht": ("Вальдфойхт", "فالدفويشت"),
    # Big cities of North Rhine-Westphalia
    "Köln": ("Cologne", "Colonia", "Koeln", "Кёльн", "Кельн", "كولن", "كولونيا", "کلن", "كلن", "ኮሎኝ"),
    "Düsseldorf": ("Дюссельдорф", "دوسلدورف", "دسلدورف", "دوسيلدورف", "ዱሰልዶርፍ"),
    "Dortmund": ("Дортмунд", "دورتموند", "دورتمند", "ዶርትሙንድ"),
    "Essen": ("Эссен", "Ессен", "ايسن", "إيسن", "اسن", "ኤሰን"),
    "Duisburg": ("Дуйсбург", "Дуйсбурґ", "دويسبورغ", "دویسبورگ"),
    "Bochum": ("Бохум", "بوخوم", "بوخم"),
    "Wuppertal": ("Вупперталь", "فوبرتال", "ووبرتال", "ووپرتال"),
    "Bielefeld": ("Билефельд", "Білефельд", "بيليفيلد", "بيلفيلد"),
    "Bonn": ("Бонн", "بون"),
    "Münster": ("Мюнстер", "مونستر", "مونيستر"),
    "Gelsenkirchen": ("Гельзенкирхен", "Гельзенкірхен", "غلزنكيرشن", "جلسنكيرشن", "گلزنکیرشن"),
    "Mönchengladbach": ("Мёнхенгладбах", "Менхенгладбах", "مونشنغلادباخ", "مونشنجلادباخ"),
    "Aachen": ("Aix-la-Chapelle", "Ахен", "Аахен", "آخن", "اخن", "آاخن"),
    "Krefeld": ("Крефельд", "كريفيلد", "کرفلد"),
    "Oberhausen": ("Оберхаузен", "اوبرهاوزن", "أوبرهاوزن"),
    "Hagen": ("Хаген", "Гаген", "هاغن", "هاگن"),
    "Hamm": ("Хамм", "Гамм"),
    "Herne": ("Херне", "Герне", "هيرنه", "هرنه"),
    "Mülheim an der Ruhr": ("Mülheim", "Мюльхайм", "مولهايم"),
    "Bottrop": ("Ботроп", "Боттроп", "بوتروب"),
    "Iserlohn": ("Изерлон", "Ізерлон", "ايزرلون"),
    "Neuss": ("Нойс", "نويس"),
    "Leverkusen": ("Леверкузен", "ليفركوزن"),
    "Solingen": ("Золинген", "Золінген", "زولينغن"),
    "Paderborn": ("Падерборн", "بادربورن"),
    "Siegen": ("Зиген", "زيغن"),
    "Witten": ("Виттен", "Віттен", "فيتن"),
    "Moers": ("Мёрс", "مورس"),
    "Düren": ("Дюрен", "دورن"),
    "Viersen": ("Фирзен", "فيرسن"),
    "Lüdenscheid": ("Люденшайд", "لودنشايد"),
    "Gütersloh": ("Гютерсло", "غوترسلوه"),
    "Remscheid": ("Ремшайд", "ريمشايد"),
    "Velbert": ("Фельберт", "فيلبرت"),
    "Hattingen": ("Хаттинген", "هاتينغن"),
    "Ahlen": ("Ален", "آلن"),
    # The biggest German cities (people name where relatives live, or where they arrived)
    "Berlin": ("Берлин", "Берлін", "برلين", "برلین", "በርሊን"),
    "Hamburg": ("Гамбург", "هامبورغ", "هامبورگ"),
    "München": ("Munich", "Мюнхен", "ميونخ", "مونیخ"),
    "Frankfurt am Main": ("Frankfurt", "Франкфурт", "فرانكفورت", "فرانکفورت"),
    "Stuttgart": ("Штутгарт", "شتوتغارت", "اشتوتگارت"),
    "Hannover": ("Hanover", "Ганновер", "هانوفر"),
    "Bremen": ("Бремен", "بريمن", "برمن"),
    "Leipzig": ("Лейпциг", "لايبزيغ", "لایپزیگ"),
    "Dresden": ("Дрезден", "دريسدن", "درسدن"),
    "Nürnberg": ("Nuremberg", "Нюрнберг", "نورنبرغ"),
}

#: Big-city and district names that are also everyday words somewhere ("Essen" is food in German, "Kamen" means
#: "came", "Siegen" "to win", "Datteln" "dates", بون a coupon, زلم "men"): only taken as a place after a cue
#: ("in Essen", "Essen'de", "Stadt Essen") or when the whole message is the name. Written as matching keys.
AMBIGUOUS = frozenset({
    "essen", "kamen", "siegen", "datteln", "bon", "بون", "اسن", "كامن", "زلم", "marl", "herne",
    # Pashto "کلن" is "years old" ("دوه کلن" two years old): Köln only after a cue ("په کلن کې", "در کلن").
    "کلن", "كلن",
    # Arabic "سلم" is also a ladder, peace and "he greeted": Selm only after a cue ("في سلم").
    "سلم",
})

#: The AMBIGUOUS names that are everyday words (the others, "marl", "herne", are only rare or foreign words): at
#: the end of a German sentence these stay words.
WORDS = frozenset({"essen", "kamen", "siegen", "datteln", "bon", "بون", "اسن", "كامن", "زلم", "کلن", "كلن", "سلم"})
#: Arabic-script town spellings that a glued ب/ل/و turns into an everyday word: Persian بنویس "write!" is not
#: "in Neuss". These need a separate cue word ("در نویس").
NOT_GLUED = frozenset({"نویس"})
