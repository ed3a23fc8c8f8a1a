"""SmolLM2 through the embedded text adapter: real tokens, real cache."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.errors import InvalidRequest
from engine.providers.base import TextModel, TextRequest, TextResult
from engine.providers.embedded.text import CACHE_NAME, EmbeddedTextModel
from engine.settings import Settings

CAPITAL = "What is the capital of France? Answer in one word."


def greedy(prompt: str, **options: object) -> TextRequest:
    return TextRequest.from_prompt(prompt, temperature=0.0, **options)


@pytest.fixture(scope="module")
def capital(text_model: TextModel) -> TextResult:
    """The greedy answer to CAPITAL, computed once for the tests that compare with it."""
    return text_model.generate([greedy(CAPITAL, max_new_tokens=12)])[0]


def test_generate_answers(capital: TextResult) -> None:
    assert "Paris" in capital.text
    assert capital.tokens > 0 and capital.finish_reason in {"stop", "length"}


def test_stream_yields_several_pieces_that_match_generate(text_model: TextModel, capital: TextResult) -> None:
    pieces = list(text_model.stream(greedy(CAPITAL, max_new_tokens=12)))
    assert len(pieces) > 1
    assert "".join(pieces) == capital.text


def test_batch_keeps_order_and_matches_single_runs(text_model: TextModel, capital: TextResult) -> None:
    requests = [
        greedy(CAPITAL, max_new_tokens=12),
        greedy("Write one sentence about the sea.", max_new_tokens=12),
        greedy("List the days of the week.", max_new_tokens=12),
    ]
    batch = text_model.generate(requests)
    assert len(batch) == 3
    assert all(r.text.strip() and r.tokens > 0 for r in batch)
    assert batch[0].text == capital.text
    assert batch[1].text != batch[2].text


def test_max_new_tokens_ends_with_length(text_model: TextModel) -> None:
    [result] = text_model.generate([greedy("Tell me a long story about a dragon.", max_new_tokens=5)])
    assert result.tokens == 5
    assert result.finish_reason == "length"


def test_stop_string_cuts_generate_and_stream(text_model: TextModel) -> None:
    request = greedy("Count from 1 to 10, separated by commas.", max_new_tokens=24, stop=("4",))
    [result] = text_model.generate([request])
    assert result.finish_reason == "stop"
    assert "4" not in result.text and "3" in result.text
    assert "".join(text_model.stream(request)) == result.text


def test_seed_makes_sampling_repeatable(text_model: TextModel) -> None:
    request = TextRequest.from_prompt(
        "Invent a name for a cat.", temperature=1.0, top_p=0.95, seed=7, max_new_tokens=8
    )
    first, second = text_model.generate([request]), text_model.generate([request])
    assert first[0].text == second[0].text


def test_json_mode_starts_an_object(text_model: TextModel) -> None:
    request = greedy("Describe a cat with the keys name and age.", json_mode=True, max_new_tokens=8)
    [result] = text_model.generate([request])
    assert result.text.startswith("{")


def test_too_long_prompt_is_refused_before_work(text_model: TextModel) -> None:
    with pytest.raises(InvalidRequest, match="context"):
        text_model.generate([greedy("word " * 9000, max_new_tokens=8)])


def test_cache_is_written_and_reloads_fast(text_model: TextModel, embedded_settings: Settings) -> None:
    cache = embedded_settings.models_dir / CACHE_NAME
    assert (cache / "model.safetensors").is_file() and (cache / "config.json").is_file()
    assert not [p for p in cache.parent.iterdir() if p.name.startswith(".")]  # no staging leftovers
    written = (cache / "model.safetensors").stat().st_mtime_ns
    again = EmbeddedTextModel(embedded_settings)
    again.close()
    assert (cache / "model.safetensors").stat().st_mtime_ns == written  # reloaded from the cache, not converted again


def test_concurrent_callers_are_serialised(text_model: TextModel, capital: TextResult) -> None:
    request = greedy(CAPITAL, max_new_tokens=12)
    with ThreadPoolExecutor(max_workers=3) as pool:
        streamed = pool.submit(lambda: "".join(text_model.stream(request)))
        generated = [pool.submit(text_model.generate, [request]) for _ in range(2)]
        assert streamed.result() == capital.text
        assert all(f.result()[0].text == capital.text for f in generated)
