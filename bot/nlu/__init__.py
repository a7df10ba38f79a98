"""Natural-language understanding: from one short message to intent, language and place."""

from bot.nlu.understand import NLU, default_nlu
from bot.nlu.understanding import Understanding

__all__ = ["NLU", "Understanding", "default_nlu"]
