"""Score a classifier on labelled requests: accuracy, per-class precision/recall, confusion, latency.

A method is scored on its own answers: a request it handed to a fallback classifier counts
in its fallback rate, never in its accuracy, confusion or per-class figures.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from engine.intent.classifier import Classifier
from engine.intent.models import ClassMetrics, EvaluationReport, LabelledExample, Workflow

__all__ = ["evaluate", "percentile", "stratified_sample"]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


def stratified_sample(examples: Sequence[LabelledExample], limit: int, seed: int = 0) -> list[LabelledExample]:
    """`limit` examples spread evenly over the labels (drawn with a fixed seed), not the first lines.

    Labels take turns, each in a shuffled order, so every label is in the sample once
    `limit` reaches the number of labels."""
    if limit >= len(examples):
        return list(examples)
    rng = random.Random(seed)
    by_label: dict[Workflow, list[LabelledExample]] = defaultdict(list)
    for example in examples:
        by_label[example.workflow].append(example)
    queues = [rng.sample(group, len(group)) for _, group in sorted(by_label.items(), key=lambda item: item[0].value)]
    picked: list[LabelledExample] = []
    while len(picked) < limit:
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop())
    return picked


def evaluate(
    classifier: Classifier, examples: Sequence[LabelledExample], batch_size: int = 1
) -> EvaluationReport:
    """Classify every example and compare with its label.

    `batch_size=1` (the default) times each request on its own, as a person would see it;
    larger batches measure throughput (each request is charged its share of the batch).
    """
    labels = tuple(workflow.value for workflow in Workflow)
    index = {label: i for i, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    latencies: list[float] = []
    errors: list[str] = []
    fallbacks = fallback_hits = 0
    for start in range(0, len(examples), max(1, batch_size)):
        chunk = examples[start : start + max(1, batch_size)]
        began = time.perf_counter()
        results = classifier.classify_many([example.to_request() for example in chunk])
        share = (time.perf_counter() - began) * 1000 / len(chunk)
        for example, result in zip(chunk, results, strict=True):
            latencies.append(share)
            truth, guess = example.workflow.value, result.workflow_type.value
            if result.fallback_used is not None:
                fallbacks += 1
                fallback_hits += truth == guess
                continue
            confusion[index[truth], index[guess]] += 1
            if truth != guess:
                errors.append(f"{example.prompt!r} (has_image={example.has_image}) -> {guess} (expected {truth})")
    per_class = {}
    for label, i in index.items():
        predicted, actual, hits = confusion[:, i].sum(), confusion[i, :].sum(), confusion[i, i]
        per_class[label] = ClassMetrics(
            precision=float(hits / predicted) if predicted else 0.0,
            recall=float(hits / actual) if actual else 0.0,
            support=int(actual),
        )
    answered = int(confusion.sum())
    requests = answered + fallbacks
    return EvaluationReport(
        method=classifier.method.value,
        examples=requests,
        answered=answered,
        accuracy=float(np.trace(confusion) / answered) if answered else 0.0,
        accuracy_with_fallbacks=float((np.trace(confusion) + fallback_hits) / requests) if requests else 0.0,
        per_class=per_class,
        labels=labels,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        latencies_ms=tuple(latencies),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        fallbacks=fallbacks,
        errors=tuple(errors),
    )
