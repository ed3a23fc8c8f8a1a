"""The embedded LLM classifier on the held-out set: seconds per classification, self-answer rate, accuracy.

    python bench/bench_intent_llm.py [--limit 216]

SmolLM2-135M scores the nine workflows by likelihood (one batched pass per request over
cached label contexts). Each request is timed on its own, model warm, as a person would
wait for it; the baseline is the same model asked for a JSON verdict (free text), timed in
this run on a few requests, so the printed ratio is this machine's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # bundled weights only; never reach for the Hub
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import median_ms
from engine.intent import HELDOUT_PATH, ClassifyRequest, LLMClassifier, evaluate, load_examples
from engine.intent.evaluate import stratified_sample
from engine.providers.base import TextModel, TextRequest
from engine.settings import load_settings

SELF_ANSWER_TARGET = 0.90
P50_TARGET_S = 1.0


class _FreeText(TextModel):
    """The same model without CHOOSE: the classifier asks it for JSON, as it asks a chat model."""

    provider = "free-text"

    def __init__(self, inner: TextModel) -> None:
        self._inner = inner

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    def generate(self, requests):  # type: ignore[no-untyped-def]
        return self._inner.generate(requests)

    def stream(self, request: TextRequest):  # type: ignore[no-untyped-def]
        return self._inner.stream(request)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=216, help="held-out requests (a stratified sample)")
    parser.add_argument("--baseline", type=int, default=3, help="requests timed on the free-text JSON path")
    args = parser.parse_args()
    settings = load_settings()
    from engine.providers.embedded.text import EmbeddedTextModel

    model = EmbeddedTextModel(settings, device="cpu")
    classifier = LLMClassifier(model)
    examples = stratified_sample(load_examples(HELDOUT_PATH), args.limit)
    warm = ClassifyRequest(prompt="warm up the label contexts", has_image=False)
    classifier.classify(warm)  # the nine label contexts run once here, then stay cached
    report = evaluate(classifier, examples, batch_size=1)
    p50_s = report.p50_ms / 1000
    print(f"llm (likelihood) on {report.examples} held-out requests, torch threads {settings.torch_threads}")
    print(f"  p50 {p50_s:.3f} s per classification, p95 {report.p95_ms / 1000:.3f} s")
    print(f"  self-answer rate {report.self_answer_rate:.3f} ({report.answered}/{report.examples}), "
          f"fallback rate {report.fallback_rate:.3f}")
    print(f"  accuracy over its own answers {report.accuracy:.3f}; with fallbacks {report.accuracy_with_fallbacks:.3f}")
    if args.baseline:
        free = LLMClassifier(_FreeText(model), attempts=1)
        sample = [example.to_request() for example in examples[: args.baseline]]
        baseline_ms = median_ms(lambda: free.classify_many(sample[:1]), repeat=args.baseline, warmup=0)
        print(f"  baseline (same model, JSON free text): {baseline_ms / 1000:.3f} s p50; "
              f"likelihood is {baseline_ms / max(report.p50_ms, 1e-9):.1f}x faster")
    print(f"targets: self-answer >= {SELF_ANSWER_TARGET}: {'ok' if report.self_answer_rate >= SELF_ANSWER_TARGET else 'MISSED'}; "
          f"p50 <= {P50_TARGET_S} s: {'ok' if p50_s <= P50_TARGET_S else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
