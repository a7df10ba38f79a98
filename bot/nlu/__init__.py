"""Natural-language understanding: from one short message to intent, language and place."""

from bot.nlu.understand import NLU, Understanding, default_nlu

__all__ = ["NLU", "Understanding", "default_nlu"]
