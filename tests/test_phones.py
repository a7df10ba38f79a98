"""Phone numbers in answers and staff replies: found however they are written, linked with `tel:`, and written so
Telegram and WhatsApp offer to call them."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.engine.phones import Phone, dialable_text, phones_in, tappable, tappable_text, tel_uri
from bot.web.replies import phone_links

FOUND = [
    ("Giftnotruf Bonn: 0228 19240 (Tag und Nacht)", [Phone("0228 19240", "tel:+4922819240")]),
    ("Rufen Sie +49 30 40504-0 an.", [Phone("+49 30 40504-0", "tel:+4930405040")]),
    ("Hilfetelefon 116 016, Polizei 110, Feuerwehr 112",
     [Phone("116 016", "tel:116016"), Phone("110", "tel:110"), Phone("112", "tel:112")]),
    ("Büro (0231) 50-12345 oder mobil 0176 12345678",  # shapes our own detector missed
     [Phone("(0231) 50-12345", "tel:+492315012345"), Phone("0176 12345678", "tel:+4917612345678")]),
    ("Ihre Familie erreicht Sie unter +380 44 123 4567.", [Phone("+380 44 123 4567", "tel:+380441234567")]),
    ("TelefonSeelsorge 0800 111 0 111", [Phone("0800 111 0 111", "tel:+498001110111")]),
    ("اتصل بالرقم ٠٢٣٦١ ٥٠٢٠١٢", [Phone("٠٢٣٦١ ٥٠٢٠١٢", "tel:+492361502012")]),
    ("Kamener Straße 110, 59423 Unna, Mo-Fr 09:00-16:00, am 01.12.2026, Aktenzeichen 2024", []),
    ("IBAN DE89 3704 0044 0532 0130 00", []),
]


@pytest.mark.parametrize(("text", "phones"), FOUND)
def test_numbers_are_found_however_they_are_written(text: str, phones: list[Phone]) -> None:
    assert phones_in(text) == phones


def test_numbers_inside_bidi_isolates_are_found_as_written() -> None:
    text = i18n.isolate_ltr_runs("رقم التسمم 0228 19240 ليلًا ونهارًا", "ar")
    assert [p.tel for p in phones_in(text)] == ["tel:+4922819240"]


@pytest.mark.parametrize(("written", "uri"), [
    ("0228 19240", "tel:+4922819240"), ("02361 / 50 20 12", "tel:+492361502012"), ("116 117", "tel:116117"),
    ("110", "tel:110"), ("+49 2361 502012", "tel:+492361502012"), ("0049 2361 502012", "tel:+492361502012"),
])
def test_tel_uris_dial_from_anywhere(written: str, uri: str) -> None:
    assert tel_uri(written) == uri


@pytest.mark.parametrize(("written", "ltr", "rtl"), [
    ("0228 19240", "+49 228 19240", "022819240"),
    ("0800 111 0 111", "+49 800 1110111", "08001110111"),
    ("116 016", "116016", "116016"),
    ("112", "112", "112"),
    ("+380 44 123 4567", "+380 44 123 4567", "+380441234567"),
])
def test_telegram_gets_numbers_its_apps_link(written: str, ltr: str, rtl: str) -> None:
    assert tappable(written) == ltr and tappable(written, rtl=True) == rtl


def test_texts_are_rewritten_for_telegram_and_whatsapp() -> None:
    text = "Giftnotruf 0228 19240, Hilfetelefon 116 016, mobil 0176 12345678"
    assert tappable_text(text) == "Giftnotruf +49 228 19240, Hilfetelefon 116016, mobil +49 176 12345678"
    assert dialable_text(text) == "Giftnotruf +4922819240, Hilfetelefon 116016, mobil +4917612345678"


def test_the_inbox_links_numbers_and_escapes_the_rest() -> None:
    html = str(phone_links("<b>Ruf an:</b> 0228 19240 oder 112"))
    assert html == ('&lt;b&gt;Ruf an:&lt;/b&gt; <a href="tel:+4922819240">0228 19240</a> oder '
                    '<a href="tel:112">112</a>')
