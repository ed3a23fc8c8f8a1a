"""Evaluation scores a method on its own answers, counts fallbacks apart, and samples by label."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from engine.errors import InvalidRequest
from engine.intent import (
    HELDOUT_PATH,
    Classification,
    Classifier,
    ClassifyRequest,
    LabelledExample,
    Method,
    RulesClassifier,
    Workflow,
    evaluate,
    load_examples,
)
from engine.intent.evaluate import stratified_sample
from engine.intent.examples import load_labelled_file


class HalfFallsBack(Classifier):
    """Wrong on every request it answers itself; hands every other request to rules, which are right."""

    method = Method.LLM

    def __init__(self) -> None:
        self._rules = RulesClassifier()
        self._calls = 0

    def classify_many(self, requests: Sequence[ClassifyRequest]) -> list[Classification]:
        results = []
        for result in self._rules.classify_many(requests):
            self._calls += 1
            if self._calls % 2:
                wrong = next(w for w in Workflow if w is not result.workflow_type)
                results.append(result.model_copy(update={"workflow_type": wrong, "method": self.method}))
            else:
                results.append(result.model_copy(update={"method": self.method, "fallback_used": Method.RULES}))
        return results


EXAMPLES = [
    LabelledExample(prompt="dye my hair pastel pink", has_image=True, workflow=Workflow.HAIR_STYLING),
    LabelledExample(prompt="animate this photo", has_image=True, workflow=Workflow.IMAGE_TO_VIDEO),
    LabelledExample(prompt="make my hair copper red", has_image=True, workflow=Workflow.HAIR_STYLING),
    LabelledExample(prompt="animate this picture of a cat", has_image=True, workflow=Workflow.IMAGE_TO_VIDEO),
]


def test_fallbacks_are_not_counted_as_the_methods_answers() -> None:
    report = evaluate(HalfFallsBack(), EXAMPLES)
    assert report.examples == 4 and report.answered == 2 and report.fallbacks == 2
    assert report.accuracy == 0.0  # its own two answers were wrong; the fallback's right ones don't count
    assert report.fallback_rate == 0.5 and report.self_answer_rate == 0.5
    assert report.accuracy_with_fallbacks == 0.5
    assert sum(map(sum, report.confusion)) == 2 and len(report.errors) == 2
    assert len(report.latencies_ms) == 4


def test_a_limited_evaluation_samples_every_label_not_the_first_lines() -> None:
    held = load_examples(HELDOUT_PATH)
    assert len({e.workflow for e in held[:9]}) < len(Workflow)  # the file is grouped by label
    sample = stratified_sample(held, 9)
    assert Counter(e.workflow for e in sample) == Counter(set(Workflow))
    assert stratified_sample(held, 9) == sample  # the same sample every time
    counts = Counter(e.workflow for e in stratified_sample(held, 30)).values()
    assert max(counts) - min(counts) <= 1
    assert stratified_sample(held, 10_000) == held


@pytest.mark.parametrize("key", ["label", "workflow"])
def test_an_uploaded_file_takes_label_or_workflow(key: str, tmp_path: Path) -> None:
    upload = tmp_path / "mine.jsonl"
    upload.write_text(json.dumps({"prompt": "animate this photo", "has_image": True, key: "image_to_video"}) + "\n")
    assert load_labelled_file(upload) == [
        LabelledExample(prompt="animate this photo", has_image=True, workflow=Workflow.IMAGE_TO_VIDEO)
    ]


def test_an_upload_without_either_key_names_both(tmp_path: Path) -> None:
    upload = tmp_path / "mine.jsonl"
    upload.write_text(json.dumps({"prompt": "animate this photo", "kind": "image_to_video"}) + "\n")
    with pytest.raises(InvalidRequest, match='"label" works too'):
        load_labelled_file(upload)
