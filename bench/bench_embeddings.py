"""all-MiniLM-L6-v2: ms per sentence embedded one at a time (baseline) vs in batches of 32.

Run: `.venv/bin/python bench/bench_embeddings.py`.
"""

from __future__ import annotations

import sys
import time
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


def main() -> None:
    from engine.providers.embedded.embeddings import EmbeddedEmbedder
    from engine.settings import load_settings

    started = time.perf_counter()
    embedder = EmbeddedEmbedder(load_settings(_env_file=None, torch_threads=2, use_cuda=False))
    load_s = time.perf_counter() - started
    embedder.embed(SENTENCES[:32])  # warm-up

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
        f"embeddings batch32_ms_per_sentence={batch_ms:.2f} baseline_batch1_ms_per_sentence={one_ms:.2f} "
        f"ratio={one_ms / batch_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
