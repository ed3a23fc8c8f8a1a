"""Run by test_crash_sweep as a subprocess: onboard one person as a visitor and hang right after the
photo, voice and caricature files are stored but before the person's row is written (the moment a
kill leaves the most behind). Prints "stored" then waits to be killed.

Usage: python -m tests.scenarios.onboard_worker DATA_DIR MODEL_CACHE VOICE_WAV VISITOR_KEY
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from engine.engine import build_engine
from engine.ownership import Owner
from engine.scenarios import OnboardRequest
from engine.settings import load_settings
from storage.scenarios import ScenarioUserRepository

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


def _hang(self: ScenarioUserRepository, row: object) -> None:
    print("stored", flush=True)
    threading.Event().wait()


def main(data_dir: str, model_cache: str, voice: str, key: str) -> None:
    engine = build_engine(load_settings(data_dir=Path(data_dir), model_cache_dir=Path(model_cache), cpu_workers=2,
                                        _env_file=None))  # fmt: skip
    ScenarioUserRepository.add = _hang  # type: ignore[method-assign]
    engine.start()
    engine.scenarios.onboard(OnboardRequest(name="Kim Crash", age=40, gender="other",
                                            photo=(SAMPLES / "face.jpg").read_bytes(),
                                            voice=Path(voice).read_bytes(), consent=True),
                             owner=Owner(id=key, visitor=True))  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:5])
