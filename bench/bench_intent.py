"""Intent lab benchmark: held-out accuracy of rules, embedding and LLM, and latency ratios.

    python bench/bench_intent.py [--llm-limit 45]

Uses the real embedded adapters (MiniLM embedder, SmolLM2 text model) from settings;
the LLM falls back to embedding then rules, and the fallback rate is printed with it.
Latency is per single request: `evaluate(..., batch_size=1)` sends one request per
`classify_many` call and times the whole call, model warm. The speedup over the LLM is the
ratio of the two p50s measured in this run, on this machine; the LLM's p50 counts every
request sent to it, those it answered and those that fell back alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # bundled weights only; never reach for the Hub
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.intent import (
    HELDOUT_PATH,
    EmbeddingClassifier,
    EvaluationReport,
    LLMClassifier,
    RulesClassifier,
    evaluate,
    load_examples,
)
from engine.intent.evaluate import stratified_sample
from engine.settings import load_settings

EMBEDDING_ACCURACY_TARGET = 0.95
EMBEDDING_P50_TARGET_MS = 5.0
SPEEDUP_TARGET = 100.0


def line(report: EvaluationReport, note: str = "") -> str:
    return (
        f"{report.method:<10} accuracy {report.accuracy:.3f} on {report.examples:>3}  "
        f"p50 {report.p50_ms:9.2f} ms  p95 {report.p95_ms:9.2f} ms  fallbacks {report.fallbacks:>3}  {note}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-limit", type=int, default=45, help="held-out requests sent to the LLM (slow)")
    args = parser.parse_args()
    settings = load_settings()
    held = load_examples(HELDOUT_PATH)

    from engine.providers.embedded.embeddings import EmbeddedEmbedder

    embedder = EmbeddedEmbedder(settings)
    began = time.perf_counter()
    embedding = EmbeddingClassifier(embedder, data_dir=settings.data_dir)
    print(f"head {'trained' if embedding.trained_now else 'loaded from cache'} in {time.perf_counter() - began:.2f} s")
    for example in held[:16]:  # warm the model at the shape it is timed at: one request per call
        embedding.classify_many([example.to_request()])

    rules_report = evaluate(RulesClassifier(), held, batch_size=1)
    embedding_report = evaluate(embedding, held, batch_size=1)
    print(line(rules_report))
    print(line(embedding_report, f"(one request per call; embedder {embedder.model_name})"))

    try:
        from engine.providers.embedded.text import EmbeddedTextModel

        text_model = EmbeddedTextModel(settings)
    except Exception as exc:  # noqa: BLE001 - report any reason the LLM cannot be benchmarked
        print(f"llm        skipped: the embedded text model could not be loaded ({exc})")
        text_model = None
    llm_p50: float | None = None
    if text_model is not None:
        llm = LLMClassifier(text_model, fallbacks=[embedding, RulesClassifier()], attempts=2, backoff_initial_s=0.1)
        sample = stratified_sample(held, args.llm_limit)
        llm_report = evaluate(llm, sample, batch_size=1)
        note = f"(a sample spread over the labels, one per call; model {text_model.model_name})"
        print(line(llm_report, note))
        print(f"           the LLM itself answered {llm_report.answered}/{llm_report.examples} (accuracy is over "
              "those); the rest fell back")
        llm_p50 = llm_report.p50_ms

    print("\ntargets")
    print(f"  embedding accuracy {embedding_report.accuracy:.3f} >= {EMBEDDING_ACCURACY_TARGET}: "
          f"{'ok' if embedding_report.accuracy >= EMBEDDING_ACCURACY_TARGET else 'MISSED'}")
    p50 = embedding_report.p50_ms
    print(f"  embedding p50 {p50:.2f} ms per single request (model warm) <= {EMBEDDING_P50_TARGET_MS} ms: "
          f"{'ok' if p50 <= EMBEDDING_P50_TARGET_MS else 'MISSED'}")
    if llm_p50 is not None:
        speedup = llm_p50 / max(p50, 1e-9)
        print(f"  embedding vs llm p50 ({p50:.2f} ms vs {llm_p50:.0f} ms, same run): {speedup:.0f}x faster "
              f"(target >= {SPEEDUP_TARGET:.0f}x): {'ok' if speedup >= SPEEDUP_TARGET else 'MISSED'}")
    else:
        print("  embedding vs llm: not measured (no LLM)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
