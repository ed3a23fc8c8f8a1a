"""Run by test_resume as a subprocess: onboard one person (or resume), print the user id, wait to be killed.

Usage: python -m tests.scenarios.pregen_worker DATA_DIR MODEL_CACHE VOICE_WAV
Each finished asset job appends its id to DATA_DIR/ran.log (the test reads it to see what ran).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from engine.deletion import DeletionService
from engine.kernel import Kernel, build_kernel
from engine.ownership import OPERATOR
from engine.scenarios import OnboardRequest, ScenarioService
from engine.settings import load_settings

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


class LoggedService(ScenarioService):
    """Records each finished asset job in DATA_DIR/ran.log, and slows them so the kill lands midway."""

    log: Path

    def _run_job(self, ctx):
        result = super()._run_job(ctx)
        time.sleep(0.4)
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"{ctx.job.id}\n")
        return result


def open_service(data_dir: Path, model_cache: Path) -> tuple[Kernel, ScenarioService]:
    """The kernel and a logging scenario service on it (the only one registering the scenario jobs)."""
    kernel = build_kernel(load_settings(data_dir=data_dir, model_cache_dir=model_cache, cpu_workers=2, _env_file=None))
    LoggedService.log = data_dir / "ran.log"
    service = LoggedService(
        settings=kernel.settings, db=kernel.db, models=kernel.models, queue=kernel.queue, media=kernel.media,
        signer=kernel.signer, limits=kernel.limits, outputs=kernel.generations,
        deletion=DeletionService(db=kernel.db, media=kernel.media, queue=kernel.queue), cleanup_every_s=None,
    )
    kernel.queue.start()
    return kernel, service


def main(data_dir: str, model_cache: str, voice: str) -> None:
    _, service = open_service(Path(data_dir), Path(model_cache))
    result = service.onboard(OnboardRequest(name="Kim", age=40, gender="other",
                                            photo=(SAMPLES / "face.jpg").read_bytes(),
                                            voice=Path(voice).read_bytes(), consent=True), owner=OPERATOR)  # fmt: skip
    print(result.user_id, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
