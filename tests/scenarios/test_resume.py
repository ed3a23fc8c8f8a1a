"""Pre-generation killed midway (SIGKILL) resumes on restart: all ten finish, none redone, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.ownership import OPERATOR
from tests.scenarios.pregen_worker import open_service

ROOT = Path(__file__).resolve().parents[2]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


@pytest.mark.slow
def test_killed_pregeneration_resumes_without_redoing_or_losing_assets(tmp_path: Path, shared_model_cache: Path,
                                                                       voice_wav: bytes) -> None:  # fmt: skip
    data_dir, voice = tmp_path / "data", tmp_path / "voice.wav"
    data_dir.mkdir()
    voice.write_bytes(voice_wav)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.scenarios.pregen_worker", str(data_dir), str(shared_model_cache), str(voice)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    log = data_dir / "ran.log"
    deadline = time.monotonic() + 60
    while len(_lines(log)) < 3:  # the test polls a file; the service itself never polls
        assert worker.poll() is None, worker.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the worker never got going"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    out, _ = worker.communicate()
    user_id = out.decode().split()[0]
    finished_before = set(_lines(log))
    assert 3 <= len(finished_before) < 10

    engine, service = open_service(data_dir, shared_model_cache)
    try:
        before = {s.job_id: engine.queue.get(s.job_id) for s in service.status(user_id, owner=OPERATOR)}
        statuses = service.wait(user_id, timeout=120, owner=OPERATOR)
    finally:
        service.close()
        engine.close()

    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.status, s.error) for s in statuses]
    assert all(s.path is not None and s.path.is_file() for s in statuses)  # none lost
    runs = Counter(_lines(log))
    assert set(runs) == set(before)
    completed_before = {jid for jid, job in before.items() if job.status.value == "completed"}
    assert completed_before and all(runs[jid] == 1 for jid in completed_before)  # none redone
    redone = {jid for jid, n in runs.items() if n > 1}
    assert redone <= {jid for jid, job in before.items() if job.status.value == "running"}
