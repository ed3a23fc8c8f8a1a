"""A process killed mid-queue: the next queue on the same file finishes the rest, redoing nothing finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.queue import JobStatus
from storage.database import Database
from storage.jobs import JobRepository
from tests.queue.resume_worker import SLOTS, job_ids, open_queue

ROOT = Path(__file__).resolve().parents[2]
COUNT = 12


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


@pytest.mark.slow
def test_killed_process_resumes_without_redoing_finished_jobs(tmp_path: Path) -> None:
    db_path, log_path = tmp_path / "studio.duckdb", tmp_path / "ran.log"
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.queue.resume_worker", str(db_path), str(log_path), str(COUNT)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    # Kill once two pairs of jobs have finished (each works 0.3 s): the first pair's completions
    # are then in the database (state changes are group-committed within STATE_DELAY_S).
    while len(_lines(log_path)) < 6:  # the test may poll a file; the queue itself never polls
        assert worker.poll() is None, worker.communicate()[1].decode()
        assert time.monotonic() < deadline, "the worker process never got going"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()

    db = Database(db_path)
    try:
        before = {r.id: r.status for r in JobRepository(db).load_unfinished()}
        finished_before = set(job_ids(COUNT)) - set(before)
        running_before = {job_id for job_id, status in before.items() if status == "running"}
        assert finished_before and len(running_before) <= SLOTS

        queue = open_queue(db, log_path)
        queue.start()
        done = [queue.wait(job_id, 30) for job_id in job_ids(COUNT)]
        queue.stop()
    finally:
        db.close()

    assert all(job.status is JobStatus.COMPLETED for job in done)
    runs = Counter(_lines(log_path))
    assert set(runs) == set(job_ids(COUNT))
    assert all(runs[job_id] == 1 for job_id in finished_before)  # never redone
    # Redone at most: the jobs running at the kill, and those whose completion was still queued.
    assert sum(runs.values()) <= COUNT + 2 * SLOTS
    resumed = [job for job in done if job.id in running_before]
    assert all(job.attempts == 2 for job in resumed)  # the interrupted attempt still counts
