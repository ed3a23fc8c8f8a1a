"""Run by test_resume as a subprocess: queue jobs that log and sleep, then wait to be killed.

Usage: python -m tests.queue.resume_worker DB_PATH LOG_PATH COUNT
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from engine.queue import Device, GenerationQueue, JobContext, JobSpec, QueueConfig
from storage.database import Database

SLOTS = 2


def append_line_handler(log_path: Path) -> Callable[[JobContext], dict[str, bool]]:
    """Append the job id to the log, then work for a while."""

    def handler(ctx: JobContext) -> dict[str, bool]:
        with log_path.open("a", encoding="utf-8") as log:
            log.write(f"{ctx.job.id}\n")
        time.sleep(0.3)
        return {"ok": True}

    return handler


def open_queue(db: Database, log_path: Path) -> GenerationQueue:
    queue = GenerationQueue(db, [Device("cpu", "cpu", SLOTS)], QueueConfig(batch_window_ms=0))
    queue.register("append", append_line_handler(log_path))
    return queue


def job_ids(count: int) -> list[str]:
    return [f"job-{i:02d}" for i in range(count)]


def main(db_path: str, log_path: str, count: str) -> None:
    queue = open_queue(Database(db_path), Path(log_path))
    queue.submit_many([JobSpec(kind="append", id=job_id) for job_id in job_ids(int(count))])
    queue.start()
    threading.Event().wait()  # until the test kills this process


if __name__ == "__main__":
    main(*sys.argv[1:4])
