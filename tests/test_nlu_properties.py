"""Whatever people send, understanding never fails and stays within the latency budget."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.nlu import Understanding, default_nlu
from bot.nlu.intents import CATALOGUE
from bot.nlu.normalise import normalise

LANGS = {"de", "en", "ar", "fa", "uk", "ru", "tr", "fr", "ku", "ti", "ps", "so"}

NLU = default_nlu()
NLU.warm_up()

emoji = st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=30)
scripts = st.text(alphabet=st.sampled_from(list("abcäöüßçşğıêîû абвгдіїєыэ ابتثجحخدپچژگټډړښ ሀለሐመ 0123456789٥۵?!'-.,")),
                  max_size=80)
texts = st.one_of(st.text(max_size=200), emoji, scripts, st.just(""), st.just(" " * 50))


def check(result: Understanding) -> None:
    assert result.intent in CATALOGUE
    assert 0.0 <= result.score <= 100.0
    assert result.lang in LANGS
    assert all(i in CATALOGUE and 0.0 <= s <= 100.0 for i, s in result.alternatives)
    assert isinstance(result.ambiguous, bool)
    data = result.to_json()
    assert 0.0 <= data["score"] <= 1.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, hint=st.one_of(st.none(), st.sampled_from(sorted(LANGS))))
@example(text="DA0", hint=None)  # a frame only the classifier named, with no example matched
def test_any_text(text: str, hint: str | None) -> None:
    result = NLU.understand(text, lang_hint=hint)
    check(result)
    if hint and not result.lang_confident:
        assert result.lang == hint


@settings(max_examples=30, deadline=None)
@given(text=st.text(min_size=1, max_size=50))
def test_very_long_text(text: str) -> None:
    long = (text * (10_000 // len(text) + 1))[:10_000]
    result = NLU.understand(long)
    check(result)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=100))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_fixed_odd_inputs() -> None:
    for text in ["", " ", "🙂🙂🙂", "\u200c\u200f", "\x00\x01", "١١٢", "?" * 10_000, "ا" * 10_000, "🙂" * 10_000]:
        check(NLU.understand(text))
    check(NLU.understand(None))  # type: ignore[arg-type]
