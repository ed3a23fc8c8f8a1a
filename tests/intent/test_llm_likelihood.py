"""The LLM classifier answers for itself by likelihood on adapters with CHOOSE; JSON stays for the others."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from engine.engine import Engine, build_engine
from engine.intent import (
    HELDOUT_PATH,
    ClassifyRequest,
    LLMClassifier,
    Method,
    Workflow,
    evaluate,
    load_examples,
)
from engine.intent.evaluate import stratified_sample
from engine.ownership import Owner
from engine.providers.base import CHOOSE, ChoiceRequest, ChoiceResult, TextModel
from engine.settings import load_settings
from tests.intent.conftest import ScriptedTextModel, answer

FAST = {"backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0}


class ScriptedChooser(ScriptedTextModel):
    """A fake TextModel with CHOOSE: the context naming `favourite`'s description scores highest."""

    features = frozenset({CHOOSE})

    def __init__(self, favourite: str) -> None:
        super().__init__(AssertionError("a CHOOSE adapter is never asked for free text"))
        self.favourite = favourite
        self.choices: list[ChoiceRequest] = []

    def choose(self, requests: Sequence[ChoiceRequest]) -> list[ChoiceResult]:
        self.choices.extend(requests)
        return [ChoiceResult(log_probs=tuple(-1.0 if self.favourite in c else -9.0 for c in r.contexts))
                for r in requests]


def test_a_choose_adapter_is_scored_not_asked_for_json() -> None:
    model = ScriptedChooser("change hair colour")
    result = LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="make me blonde", has_image=True))
    assert result.workflow_type is Workflow.HAIR_STYLING and result.fallback_used is None
    assert result.confidence > 0.9 and "hair_styling" in result.reasoning
    assert model.requests == []  # generate was never called
    sent = model.choices[0]
    assert len(sent.contexts) == len(Workflow) and sent.text.startswith("(photo open) make me blonde")


def test_an_adapter_without_choose_still_gets_the_json_prompt() -> None:
    model = ScriptedTextModel(answer("image_editing"))
    assert CHOOSE not in model.features
    result = LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="remove the dog", has_image=True))
    assert result.workflow_type is Workflow.IMAGE_EDITING and model.requests[0].json_mode


def test_label_contexts_never_hold_held_out_requests() -> None:
    model = ScriptedChooser("a new image")
    LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="a cat"))
    contexts = "\n".join(model.choices[0].contexts)
    assert not [e.prompt for e in load_examples(HELDOUT_PATH) if f"- {e.prompt}\n" in contexts]


def test_the_embedded_model_scores_the_same_request_the_same_after_others(text_model: TextModel) -> None:
    """The cached label contexts are cut back after each request: nothing of one request leaks into the next."""
    assert CHOOSE in text_model.features
    contexts = ("Requests for a picture:\n- ", "Requests for a song:\n- ", "Requests for a haircut:\n- ")
    ask = [ChoiceRequest(contexts=contexts, text=text) for text in ("a sunset over the sea\n", "make me blonde\n")]
    first = text_model.choose(ask[:1])[0]
    text_model.choose(ask[1:])
    again = text_model.choose(ask[:1])[0]
    assert first.log_probs == pytest.approx(again.log_probs, abs=0.05)
    swapped = text_model.choose([ChoiceRequest(contexts=contexts[::-1], text=ask[0].text)])[0]
    assert swapped.log_probs[::-1] == pytest.approx(first.log_probs, abs=0.05)  # a score belongs to its context
    assert len(set(first.log_probs)) == 3


def test_the_embedded_model_answers_held_out_requests_itself(text_model: TextModel) -> None:
    examples = stratified_sample(load_examples(HELDOUT_PATH), 18)
    report = evaluate(LLMClassifier(text_model, **FAST), examples)
    assert report.fallbacks == 0 and report.answered == 18
    assert report.accuracy >= 0.5, "\n".join(report.errors)  # chance is 0.11


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, shared_model_cache: Path) -> Iterator[Engine]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("llm"), model_cache_dir=shared_model_cache,
                             cpu_workers=1, _env_file=None)  # fmt: skip
    with build_engine(settings) as built:
        yield built


def test_through_the_gateway_the_embedded_adapter_is_chosen_by_capability(engine: Engine) -> None:
    result = engine.intent.classify("turn this photo into a watercolour painting", True, Method.LLM, owner=Owner("u1"))
    assert result.method is Method.LLM and result.fallback_used is None
    assert "most likely under the model" in result.reasoning
