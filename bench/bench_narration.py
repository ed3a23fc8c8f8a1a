"""Narration: a cache hit against a cold generation, and the preload hit rate of a scripted course walk.

Cold: the step's narration made now (eSpeak through the gateway, WAV stored, cache row
written). Hit: the same step served from the cache. Walk: every step of every module in
order, each "played" for 0.3 s (a short stand-in for listening) while the next step is
preloaded at PREFETCH priority; a transition counts as a hit when the cache served it.
Both measured in this run. Targets: hit >= 50x faster; >= 95 % of transitions hit.
Run: `.venv/bin/python bench/bench_narration.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from engine.ownership import OPERATOR

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_scenarios import ROOT, voice_sample

PLAY_S = 0.3


def main() -> None:
    from engine.engine import build_engine
    from engine.scenarios import OnboardRequest
    from engine.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-narration-") as tmp:
        engine = build_engine(load_settings(data_dir=Path(tmp), cpu_workers=2, _env_file=None))
        service = engine.scenarios
        engine.start()
        try:
            request = OnboardRequest(name="Alex", age=30, gender="other", photo=(ROOT / "assets/samples/face.jpg").read_bytes(),
                                     voice=voice_sample(engine), consent=True)  # fmt: skip
            user = service.onboard(request, owner=OPERATOR).user_id
            service.wait(user, timeout=600, owner=OPERATOR)
            steps = [s.id for m in service.course() for s in m.steps]
            cold, hot = [], []
            for step in steps:
                first = service.narration(user, step, preload_next=False, owner=OPERATOR)
                assert not first.hit
                cold.append(first.seconds)
                for _ in range(20):
                    hot.append(service.narration(user, step, preload_next=False, owner=OPERATOR).seconds)
            service.cleanup_cache()

            second = service.onboard(request, owner=OPERATOR).user_id  # a fresh person: an empty cache to walk through
            service.wait(second, timeout=600, owner=OPERATOR)
            hits, transitions = 0, 0
            for module in service.course():
                for i, step in enumerate(module.steps):
                    narration = service.narration(second, step.id, owner=OPERATOR)
                    if i > 0:
                        transitions += 1
                        hits += narration.hit
                    time.sleep(PLAY_S)
            stats = service.cache_stats(second, owner=OPERATOR)
        finally:
            engine.close()
    cold_ms, hot_ms = statistics.median(cold) * 1000, statistics.median(hot) * 1000
    print(f"cold generation: median {cold_ms:.2f} ms over {len(cold)} steps")
    print(f"cache hit:       median {hot_ms:.4f} ms over {len(hot)} requests")
    print(f"hit is {cold_ms / hot_ms:.0f}x faster than cold (target >= 50x)")
    print(f"walk with preloading: {hits}/{transitions} step transitions hit the cache "
          f"({hits / transitions:.0%}; target >= 95 %); stats: {stats.model_dump(mode='json')}")  # fmt: skip
    if cold_ms / hot_ms < 50 or hits / transitions < 0.95:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
