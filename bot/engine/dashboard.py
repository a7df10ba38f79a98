"""The dashboard's numbers: per week messages answered and not, 👍 and 👎, and the most asked topics.

Read from the usage and feedback tables that bot/engine/learning.py writes (counts per day, topic and language;
votes per day): no user is in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.engine.learning import Learning
from bot.nlu.intents import OUT_OF_SCOPE


def weekly(learning: Learning, weeks: int = 8) -> list[Week]:
    """Per week (Monday first), oldest first: messages answered and not, 👍 and 👎."""
    learning.flush()
    today = learning.clock().date()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    since = starts[0].isoformat()
    counts = {s: [0, 0, 0, 0] for s in starts}

    def week_of(day: str) -> date:
        d = date.fromisoformat(day)
        return d - timedelta(days=d.weekday())

    for day, intent, n in learning.store.query("SELECT day, intent, sum(n) FROM usage WHERE day >= ? "
                                               "GROUP BY day, intent", [since]):
        counts[week_of(day)][1 if intent == OUT_OF_SCOPE else 0] += int(n)
    for day, vote, n in learning.store.query("SELECT day, vote, count(*) FROM feedback WHERE day >= ? "
                                             "GROUP BY day, vote", [since]):
        counts[week_of(day)][2 if vote > 0 else 3] += int(n)
    return [Week(start, *counts[start]) for start in starts]


def top_intents(learning: Learning, weeks: int = 8, n: int = 8) -> list[tuple[str, int]]:
    """The most asked topics of the last weeks, with their message counts."""
    learning.flush()
    since = (learning.clock().date() - timedelta(weeks=weeks)).isoformat()
    rows = learning.store.query("SELECT intent, sum(n) AS total FROM usage WHERE day >= ? AND intent != ? "
                               "GROUP BY intent ORDER BY total DESC, intent LIMIT ?", [since, OUT_OF_SCOPE, n])
    return [(intent, int(total)) for intent, total in rows]


@dataclass(frozen=True)
class Week:
    """One week of the dashboard."""

    start: date
    answered: int
    unanswered: int
    up: int
    down: int

    @property
    def unanswered_rate(self) -> float | None:
        total = self.answered + self.unanswered
        return self.unanswered / total if total else None

    @property
    def up_share(self) -> float | None:
        votes = self.up + self.down
        return self.up / votes if votes else None
