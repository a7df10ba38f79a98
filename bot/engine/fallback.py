"""Short, kind replies when Lotse does not know what a message asks, instead of the menu of every topic.

On a phone, a wall of twenty buttons after "😭😭😭" or "asdfgh" says "you did something wrong". So:
- unsure (no intent is clear): "Is it one of these?" with the two to four likeliest topics (the NLU's
  `Understanding.likely`, from the classifier's ranking) and one "All topics" button;
- out of scope ("what will the weather be tomorrow?"): say kindly that this is not what Lotse helps with, and
  what it does help with, with only "All topics";
- nothing to read (emoji only, gibberish): ask for a few words, with "All topics".
Every text is in the language of the conversation (or the device's, for a first message); the "All topics" button
opens the main menu, exactly as the menu command does. Web chat, Telegram and WhatsApp render the same Reply.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.engine.actions import Menu, Topic
from bot.engine.models import Button, Message
from bot.i18n import _
from bot.nlu import Understanding

#: At most this many topics in a short choice (with "All topics", five buttons: one screen on a phone).
MAX_CHOICES = 4
MIN_CHOICES = 2  # one guess alone is no choice: then only "All topics"


def all_topics() -> Button:
    """The one button that opens the whole menu."""
    return Button("☰ " + _("All topics"), Menu())


def choices(understanding: Understanding, offered: Collection[str]) -> list[str]:
    """The likeliest topics that have a button (`offered`), best first; none when fewer than two are likely."""
    found = [i for i in understanding.likely if i in offered][:MAX_CHOICES]
    return found if len(found) >= MIN_CHOICES else []


def _buttons(options: list[str], label: Callable[[str], str]) -> list[Button]:
    return [*(Button(label(i), Topic(i)) for i in options), all_topics()]


def unreadable() -> Message:
    """Nothing Lotse could read (emoji only, punctuation, letters at random)."""
    return Message(_("Please write your question in a few words, or pick a topic."), [all_topics()])


def unsure(understanding: Understanding, offered: Collection[str], label: Callable[[str], str]) -> Message:
    """No clear topic: the likeliest few to pick from, or a word that Lotse did not understand."""
    options = choices(understanding, offered)
    if not options:
        return Message(_("Sorry, I did not understand that. Please write your question in a few words."),
                       [all_topics()])
    return Message(_("I am not sure I understood. Is it one of these?"), _buttons(options, label))


def out_of_scope(text: str) -> Message:
    """Clearly not a topic of Lotse's: `text` says so kindly (and what Lotse does help with); guesses at a topic
    would be noise here ("weather tomorrow" is no Kita question), so only "All topics" follows."""
    return Message(text or _("Sorry, I can't help with that. Pick a topic:"), [all_topics()])
