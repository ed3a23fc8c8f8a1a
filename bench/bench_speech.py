"""eSpeak NG real-time factor (synthesis seconds / audio seconds), and batching.

Baseline: a story's sentences sent one `synthesize` call each (a lock, a voice switch
and a WAV per call). Measured: the same sentences as one batched `synthesize` call.
Both produce the same audio; the ratio shows the per-call overhead, which is small
because eSpeak itself is fast. Run: `.venv/bin/python bench/bench_speech.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STORY = (
    "Once upon a time, a small fox lived at the edge of a great forest. "
    "Every evening she climbed the hill to watch the lights of the village. "
    "One night, a lantern floated down the river, glowing like a tiny moon. "
    "She followed it past the mill, under the old stone bridge, and into the reeds. "
    "There she found a boy who had lost his way home. "
    "Together they walked back along the river, the lantern lighting their path. "
    "By morning the boy was home, and the fox had a friend for life. "
    "And every evening after that, two lights shone on the hill."
)
RUNS = 5


def main() -> None:
    from engine.providers.base import SpeechRequest
    from engine.providers.embedded.speech import EmbeddedSpeechModel
    from engine.settings import load_settings

    model = EmbeddedSpeechModel(load_settings(_env_file=None))
    sentences = [s.strip() + "." for s in STORY.split(".") if s.strip()]
    requests = [SpeechRequest(text=s) for s in sentences]
    model.synthesize(requests[:1])  # warm-up

    one_by_one, batched, whole = [], [], []
    audio_s = 0.0
    for _ in range(RUNS):
        started = time.perf_counter()
        for request in requests:
            model.synthesize([request])
        one_by_one.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = model.synthesize(requests)
        batched.append(time.perf_counter() - started)
        audio_s = sum(r.duration_s for r in results)
        started = time.perf_counter()
        model.synthesize([SpeechRequest(text=STORY)])
        whole.append(time.perf_counter() - started)

    base, batch, single = (statistics.median(x) for x in (one_by_one, batched, whole))
    print(f"speech sentences={len(sentences)} audio_s={audio_s:.1f} voices={len(model.voices())}")
    print(
        f"speech rtf={batch / audio_s:.4f} ({audio_s / batch:.0f}x faster than real time) "
        f"whole_text_rtf={single / audio_s:.4f}"
    )
    print(
        f"speech batched_ms={batch * 1000:.1f} baseline_one_call_each_ms={base * 1000:.1f} "
        f"ratio={base / batch:.2f}x"
    )


if __name__ == "__main__":
    main()
