"""`lotse link`: a volunteer's deep link (and QR code for a flyer) that opens the bot preset to a language,
a topic and a place, on Telegram (t.me) or WhatsApp (wa.me). Needs no token and no network: the link is only text.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.engine.deeplinks import decode, encode
from bot.engine.deeplinks import link as make_link


@click.command()
@click.option("--bot", "bot_username", help="The Telegram bot's username, e.g. LotseUnnaBot.")
@click.option("--whatsapp", "whatsapp_number",
              help="Lotse's WhatsApp number instead, in international form (+49 and the number).")
@click.option("--lang", help="Language code: de, en, ar, fa, uk, ru, tr, fr, ku, ti, ps, so.")
@click.option("--topic", help="Topic (intent id), e.g. kita, language_course, residence_permit.")
@click.option("--place", help="Town or postcode, e.g. Lünen or 59174.")
@click.option("--qr", "qr_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a QR code: .png, .svg or .pdf, by the file's extension.")
@click.option("--terminal", is_flag=True, help="Also print the QR code in the terminal.")
def link(bot_username: str | None, whatsapp_number: str | None, lang: str | None, topic: str | None,
         place: str | None, qr_file: Path | None, terminal: bool) -> None:
    """Print a t.me or wa.me link that opens Lotse preset to a language, topic and place; optionally a QR code.

    Example: lotse link --bot LotseUnnaBot --lang ar --topic kita --place Lünen --qr kita-ar.png

    Example: lotse link --whatsapp "+49 <number>" --lang uk --topic language_course --qr kurs-uk.svg
    """
    if (bot_username is None) == (whatsapp_number is None):
        raise click.UsageError("name one of --bot (Telegram) or --whatsapp (the number)")
    from bot.geo.gazetteer import default_gazetteer
    from bot.i18n import LANGUAGES
    from bot.nlu.intents import load_intents

    if lang is not None and lang not in LANGUAGES:
        raise click.BadParameter(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}", param_hint="--lang")
    intents = load_intents(strict=False)
    if topic is not None and topic not in intents:
        raise click.BadParameter(f"unknown topic {topic!r}; one of {', '.join(sorted(intents))}",
                                 param_hint="--topic")
    if place is not None:
        gazetteer = default_gazetteer()
        found = gazetteer.postcode(place) if place.strip().isdigit() else gazetteer.town(place)
        if found is None:
            raise click.BadParameter(f"{place!r} is not a town or postcode Lotse knows", param_hint="--place")
    try:
        payload = encode(lang, topic, place)
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    preset = decode(payload, intents)
    assert (preset.lang, preset.topic) == (lang, topic), "the payload must read back as written"
    if whatsapp_number is not None:
        from bot.whatsapp.links import whatsapp_link

        try:
            url = whatsapp_link(whatsapp_number, payload)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--whatsapp") from err
    else:
        assert bot_username is not None
        url = make_link(bot_username, payload)
    click.echo(url)
    if qr_file is not None or terminal:
        import segno

        code = segno.make(url, error="m")
        if qr_file is not None:
            code.save(str(qr_file), scale=10, border=4)
            click.echo(f"QR code written to {qr_file}")
        if terminal:
            code.terminal(compact=True)
