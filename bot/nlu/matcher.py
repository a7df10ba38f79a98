"""Intent matching: an inverted index picks candidate examples, rapidfuzz scores only those.

Every example phrase (normalised) becomes a sparse TF-IDF vector of its words and of the character 3- and
4-grams of its words ("<kita>" -> "<ki", "kit", "ita", "ta>", "<kit", ...). Character n-grams carry the
misspellings, inflections and glued prefixes people type ("Kitaplatz", "kursu", "والمدرسة"). A query walks only
the posting lists of its own features, so one message touches a few hundred examples, not all of them; the best
few dozen by cosine are re-scored with rapidfuzz (ranking.py then ranks each intent by its best two).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from bot.nlu.cachefiles import from_strings, strings

#: Candidates re-scored with rapidfuzz per query.
CANDIDATES = 40
#: Features present in more examples than this share are too common to pick candidates ("<de", "en>").
COMMON_SHARE = 0.04
WORD_WEIGHT = 1.5  # a whole-word hit says more than a shared trigram
FUZZY_SHARE = 0.5  # share of rapidfuzz in an example's score; the rest is the n-gram cosine
COSINE_STRETCH = 1.25  # a cosine of 0.8 already means the same words: count it as full
TOKEN_CACHE = 65536  # words whose features are remembered


@lru_cache(maxsize=65536)
def _token_features(token: str) -> tuple[str, ...]:
    padded = f"<{token}>"
    grams = [padded[i:i + 3] for i in range(max(1, len(padded) - 2))]
    grams += [padded[i:i + 4] for i in range(len(padded) - 3)]
    return ("w" + token, *grams)


def features(text: str) -> set[str]:
    """The words ("w" + word) and character 3/4-grams of a normalised text.

    Presence, not counts: examples are a few words long, and a repeated n-gram says little more.
    """
    feats: set[str] = set()
    for token in text.split():
        feats.update(_token_features(token))
    return feats


@dataclass(frozen=True)
class Example:
    """One indexed example phrase."""

    text: str
    intent: str
    lang: str


class Matcher:
    """Ranks examples for a normalised query by TF-IDF cosine over an inverted index."""

    def __init__(self, examples: list[Example], arrays: Mapping[str, np.ndarray] | None = None) -> None:
        """The index of the examples: built now, or given as `arrays` (of an index of the same examples)."""
        self.examples = examples
        self.arrays = dict(arrays) if arrays is not None else index_arrays(examples)
        names = from_strings(self.arrays["names"])
        self.ids: dict[str, int] = {feat: i for i, feat in enumerate(names)}
        # idf squared is what a shared feature adds to the dot product of two binary TF-IDF vectors.
        self.idf2 = self.arrays["idf2"]
        # Where each feature's posting list is in `flat` (-1 for features too common to pick candidates).
        self.starts, self.ends = self.arrays["starts"], self.arrays["ends"]
        self.flat = self.arrays["flat"]
        self.norms = self.arrays["norms"]
        self._token_ids: dict[str, tuple[int, ...]] = {}

    def candidates(self, query: str, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        """Example indices with their cosine similarity to the query, best first.

        Features shared by very many examples are skipped when picking candidates (they move every score
        alike); the cosine is still divided by the full norms.
        """
        return self.candidates_many([query], limit)[0]

    def candidates_many(self, queries: Sequence[str], limit: int = CANDIDATES) -> list[list[tuple[int, float]]]:
        """candidates() of several queries (the windows of a long message) in one pass: their posting lists are
        added up together, each query in a row of its own, the same sums in the same order as one by one."""
        found: list[list[tuple[int, float]]] = [[] for _q in queries]
        plans = [(row, plan) for row, query in enumerate(queries) if (plan := self._plan(query)) is not None]
        if not plans:
            return found
        used = np.concatenate([ids for _row, (ids, _norm) in plans])
        rows = np.repeat(np.arange(len(plans)), [len(ids) for _row, (ids, _norm) in plans])
        starts = self.starts[used]
        lengths = self.ends[used] - starts
        # The posting lists of the used features end to end, gathered in one step: position k of the result
        # is flat[start of its list + k - where its list begins in the result].
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        size = len(self.norms)
        index = self.flat[shift + np.arange(len(shift))] + np.repeat(rows * size, lengths)
        dots = np.bincount(index, np.repeat(self.idf2[used], lengths), minlength=len(plans) * size)
        for position, (row, (_ids, qnorm)) in enumerate(plans):
            found[row] = self._best(dots[position * size:(position + 1) * size], qnorm, limit)
        return found

    def _plan(self, query: str) -> tuple[np.ndarray, float] | None:
        """The query's features that pick candidates, and the norm of all its features; None when none does."""
        # A Python set of a few hundred ints is sorted faster than NumPy's unique() starts up.
        known = set().union(*(self._ids_of(token) for token in query.split()))
        if not known:
            return None
        ids = np.array(sorted(known), dtype=np.int64)
        used = ids[self.starts[ids] >= 0]
        return (used, math.sqrt(float(self.idf2[ids].sum()))) if len(used) else None

    def _best(self, dots: np.ndarray, qnorm: float, limit: int) -> list[tuple[int, float]]:
        """The `limit` examples of highest cosine, from their dot products with the query."""
        hits = np.flatnonzero(dots > 0)  # every weight is positive; a boolean mask is found far faster
        ranked = dots[hits] / self.norms[hits]
        if len(hits) > limit:
            keep = np.argpartition(-ranked, limit - 1)[:limit]
            hits, ranked = hits[keep], ranked[keep]
        order = np.argsort(-ranked, kind="stable")
        return list(zip(hits[order].tolist(), (ranked[order] / qnorm).tolist(), strict=True))

    def _ids_of(self, token: str) -> tuple[int, ...]:
        """The indexed features of one word, remembered (people repeat their words; the cache is bounded)."""
        ids = self._token_ids.get(token)
        if ids is None:
            if len(self._token_ids) >= TOKEN_CACHE:
                self._token_ids.clear()
            ids = self._token_ids[token] = tuple(i for f in _token_features(token)
                                                 if (i := self.ids.get(f)) is not None)
        return ids

    @staticmethod
    def most(query: str, example: str, cosine: float) -> float:
        """The highest score() the two could have, known without rapidfuzz: a query shorter than the example has
        at most a plain ratio of twice its length over both lengths (the rest must be inserted); a hair is added
        so that rounding never hides a candidate."""
        fuzzy = 100.0
        if len(example) > len(query):
            fuzzy = (100.0 + 200.0 * len(query) / (len(query) + len(example))) / 2
        return FUZZY_SHARE * fuzzy + (100.0 - 100.0 * FUZZY_SHARE) * min(1.0, cosine * COSINE_STRETCH) + 1e-6

    @staticmethod
    def score(query: str, example: str, cosine: float) -> float:
        """One score 0..100 from the n-gram cosine and rapidfuzz's view of the two strings.

        token_set_ratio rewards a query that contains the whole example ("kita" in "kita in lunen"). The other
        way round, a query that is only part of a longer example ("help" in "emergency help") says less: there
        the plain ratio of the strings is mixed in. The cosine keeps a long query with one shared word from
        looking like a perfect match.
        """
        fuzzy = fuzz.token_set_ratio(query, example)
        if len(example) > len(query):
            fuzzy = (fuzzy + fuzz.ratio(query, example)) / 2
        return FUZZY_SHARE * fuzzy + (100.0 - 100.0 * FUZZY_SHARE) * min(1.0, cosine * COSINE_STRETCH)


def index_arrays(examples: list[Example]) -> dict[str, np.ndarray]:
    """The inverted index of the examples as arrays: the features (names) with their idf squared (idf2) and the
    span of their posting list (starts, ends; -1 for a feature too common to pick candidates), the posting lists
    end to end (flat: a query adds up its lists in C with bincount, not in a Python loop over a few thousand
    entries), and each example's norm (norms)."""
    count = max(1, len(examples))
    vectors = [features(e.text) for e in examples]
    postings: dict[str, list[int]] = {}
    for index, vec in enumerate(vectors):
        for feat in vec:
            plist = postings.get(feat)
            if plist is None:
                postings[feat] = [index]
            else:
                plist.append(index)
    idf2: dict[str, float] = {}
    for feat, plist in postings.items():
        idf = math.log(count / len(plist)) + 1.0
        if feat[0] == "w":
            idf *= WORD_WEIGHT
        idf2[feat] = idf * idf
    norms = [math.sqrt(sum(idf2[f] for f in vec)) or 1.0 for vec in vectors]
    common = max(20, int(count * COMMON_SHARE))
    starts: list[int] = []
    ends: list[int] = []
    flat: list[int] = []
    for plist in postings.values():
        kept = len(plist) <= common
        starts.append(len(flat) if kept else -1)
        if kept:
            flat.extend(plist)
        ends.append(len(flat) if kept else -1)
    return {"names": strings(list(postings)), "idf2": np.array(list(idf2.values()), dtype=np.float64),
            "starts": np.array(starts, dtype=np.int64), "ends": np.array(ends, dtype=np.int64),
            "flat": np.array(flat, dtype=np.int32), "norms": np.array(norms, dtype=np.float64)}
