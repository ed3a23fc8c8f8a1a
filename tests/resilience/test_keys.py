from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InvalidRequest
from engine.resilience import cache_key, normalise_text, stable_bucket

parts = st.tuples(st.text(), st.booleans(), st.sampled_from(["rules", "embedding", "llm"]))


@given(parts)
def test_cache_key_is_stable_for_equal_inputs(p: tuple[str, bool, str]) -> None:
    assert cache_key(*p) == cache_key(*(list(p)))
    assert len(cache_key(*p)) == 64


@given(st.text(), st.text(), st.booleans())
def test_cache_key_differs_for_different_prompts(a: str, b: str, has_image: bool) -> None:
    if a != b:
        assert cache_key(a, has_image, "rules") != cache_key(b, has_image, "rules")


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=5))
def test_cache_key_ignores_dict_order(d: dict[str, int]) -> None:
    assert cache_key(d) == cache_key(dict(reversed(list(d.items()))))


def test_cache_key_separates_parts_and_types() -> None:
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert cache_key("1") != cache_key(1)
    assert cache_key(True) != cache_key(1)


def test_cache_key_refuses_non_json_values() -> None:
    with pytest.raises(InvalidRequest, match="cache key parts"):
        cache_key(object())


def test_normalise_text_folds_case_and_spacing() -> None:
    assert normalise_text("  Draw\ta  CAT\n") == normalise_text("draw a cat") == "draw a cat"


@given(st.text(), st.text())
def test_stable_bucket_is_in_range(a: str, b: str) -> None:
    assert 0.0 <= stable_bucket(a, b) < 100.0
