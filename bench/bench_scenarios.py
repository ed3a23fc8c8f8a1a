"""The ten scenario assets of one person on the embedded default: per-asset seconds and total wall time.

Target: all ten in <= 60 s wall on a 2-core CPU. Onboarding (checks, caricature, voice
profile) is timed separately. The voice sample is made with the embedded speech model.
Run: `.venv/bin/python bench/bench_scenarios.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from engine.ownership import OPERATOR

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ("Hello, this is my voice. I am recording a short sample for the studio, "
          "so that it can show me how easily a voice can be copied.")  # fmt: skip


def voice_sample(engine) -> bytes:
    from engine.providers.base import SpeechRequest

    return engine.models.speech.synthesize([SpeechRequest(text=SAMPLE, variant="f2", pitch=60)])[0].wav


def main() -> None:
    from engine.engine import build_engine
    from engine.scenarios import OnboardRequest
    from engine.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as tmp:
        settings = load_settings(data_dir=Path(tmp), cpu_workers=2, _env_file=None)
        engine = build_engine(settings)
        service = engine.scenarios
        engine.start()
        try:
            voice = voice_sample(engine)
            request = OnboardRequest(name="Alex Doe", age=34, gender="female", photo=(ROOT / "assets/samples/face.jpg").read_bytes(),
                                     voice=voice, consent=True)  # fmt: skip
            started = time.perf_counter()
            result = service.onboard(request, owner=OPERATOR)
            onboard_s = time.perf_counter() - started
            statuses = service.wait(result.user_id, timeout=600, owner=OPERATOR)
            wall = time.perf_counter() - started
        finally:
            engine.close()
    print(f"onboarding (checks + caricature + voice profile + queueing): {onboard_s:.2f} s")
    print(f"{'asset':22} {'kind':6} {'status':10} {'seconds':>8}")
    for s in statuses:
        print(f"{s.name:22} {s.kind:6} {s.status:10} {s.seconds or 0:8.2f}")
    done = sum(s.status == "completed" for s in statuses)
    print(f"total wall, onboard to all ten finished: {wall:.2f} s ({done}/10 completed; target <= 60 s)")
    print(f"sum of per-asset seconds: {sum(s.seconds or 0 for s in statuses):.2f} s on 2 CPU workers")
    if done != 10 or wall > 60:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
