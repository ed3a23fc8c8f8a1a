"""all-MiniLM-L6-v2: the embedder's own path against `SentenceTransformer.encode`, and batching.

Run: `.venv/bin/python bench/bench_embeddings.py`.

Two ratios, each against a baseline measured in the same run on the same loaded model:
- single sentences (one per call, model warm): `EmbeddedEmbedder.embed` vs
  `SentenceTransformer.encode(..., normalize_embeddings=True)`: median ms per call, the best of
  three interleaved rounds for each side, with the smallest cosine between the two vectors of a
  sentence;
- one sentence per call vs batches of 32, ms per sentence, both through `embed`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SUBJECTS = [
    "The cat",
    "A young engineer",
    "Our team",
    "The old lighthouse",
    "A storm",
    "The city council",
    "My neighbour",
    "The river",
]
VERBS = ["watched", "designed", "celebrated", "survived", "flooded", "approved", "painted", "crossed"]
OBJECTS = [
    "the quiet harbour at dawn",
    "a bridge made of glass",
    "the first day of spring",
    "a long winter night",
]
SENTENCES = [f"{s} {v} {o}." for s in SUBJECTS for v in VERBS for o in OBJECTS][:128]


def median_ms(call: Callable[[str], object], sentences: list[str]) -> float:
    """Median wall time of `call(sentence)`, one sentence per call."""
    times = []
    for sentence in sentences:
        started = time.perf_counter()
        call(sentence)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    import numpy as np

    from engine.providers.embedded.embeddings import EmbeddedEmbedder
    from engine.settings import load_settings

    started = time.perf_counter()
    embedder = EmbeddedEmbedder(load_settings(_env_file=None, torch_threads=2, use_cuda=False))
    load_s = time.perf_counter() - started
    model = embedder.sentence_transformer

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    for sentence in SENTENCES[:16]:  # warm both paths at the shapes they are timed at
        embedder.embed([sentence])
        encode([sentence])
    embedder.embed(SENTENCES[:32])

    # Interleaved rounds, so drift on a shared machine hits both sides alike.
    lean_ms, encode_ms = [], []
    for _ in range(3):
        lean_ms.append(median_ms(lambda s: embedder.embed([s]), SENTENCES))
        encode_ms.append(median_ms(lambda s: encode([s]), SENTENCES))
    lean, baseline = min(lean_ms), min(encode_ms)
    cosine = float(np.min(np.sum(embedder.embed(SENTENCES) * encode(SENTENCES), axis=1)))

    started = time.perf_counter()
    for sentence in SENTENCES:
        embedder.embed([sentence])
    one_ms = (time.perf_counter() - started) / len(SENTENCES) * 1000

    started = time.perf_counter()
    for i in range(0, len(SENTENCES), 32):
        embedder.embed(SENTENCES[i : i + 32])
    batch_ms = (time.perf_counter() - started) / len(SENTENCES) * 1000

    print(f"embeddings load_s={load_s:.1f} sentences={len(SENTENCES)} dim={embedder.dimension}")
    print(
        f"embeddings single_p50_ms embed={lean:.2f} baseline_encode={baseline:.2f} "
        f"speedup={baseline / lean:.1f}x min_cosine={cosine:.7f}"
    )
    print(
        f"embeddings batch32_ms_per_sentence={batch_ms:.2f} baseline_batch1_ms_per_sentence={one_ms:.2f} "
        f"ratio={one_ms / batch_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
