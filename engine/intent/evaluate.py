"""Score a classifier on labelled requests: accuracy, per-class precision/recall, confusion, latency."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from engine.intent.classifier import Classifier
from engine.intent.models import ClassMetrics, EvaluationReport, LabelledExample, Workflow

__all__ = ["evaluate", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


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
    fallbacks = 0
    for start in range(0, len(examples), max(1, batch_size)):
        chunk = examples[start : start + max(1, batch_size)]
        began = time.perf_counter()
        results = classifier.classify_many([example.to_request() for example in chunk])
        share = (time.perf_counter() - began) * 1000 / len(chunk)
        for example, result in zip(chunk, results, strict=True):
            latencies.append(share)
            fallbacks += result.fallback_used is not None
            truth, guess = example.workflow.value, result.workflow_type.value
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
    total = int(confusion.sum())
    return EvaluationReport(
        method=classifier.method.value,
        examples=total,
        accuracy=float(np.trace(confusion) / total) if total else 0.0,
        per_class=per_class,
        labels=labels,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        latencies_ms=tuple(latencies),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        fallbacks=fallbacks,
        errors=tuple(errors),
    )
