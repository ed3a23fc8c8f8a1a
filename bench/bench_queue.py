"""Per-job overhead of the generation queue against a plain ThreadPoolExecutor.

Both run the same no-op callable on the same number of workers; the queue also writes
every state change to DuckDB (in memory, then a file), which is most of its cost.
Prints one line per database: `db=... queue_noop_us=... threadpool_noop_us=... ratio=...`.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from engine.queue import Device, GenerationQueue, JobContext, JobSpec, QueueConfig
from storage.database import Database

WORKERS = 2
THREADPOOL_JOBS = 20_000
QUEUE_JOBS = {"memory": 1_000, "file": 300}


def noop(ctx: JobContext | None = None) -> None:
    return None


def threadpool_us(count: int) -> float:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        start = time.perf_counter()
        futures = [pool.submit(noop) for _ in range(count)]
        wait(futures)
        return (time.perf_counter() - start) / count * 1e6


def queue_us(db: Database, count: int) -> float:
    config = QueueConfig(batch_window_ms=0, max_pending=count)
    queue = GenerationQueue(db, [Device("cpu", "cpu", WORKERS)], config)
    queue.register("noop", noop)
    queue.start()
    try:
        start = time.perf_counter()
        jobs = [queue.submit(JobSpec(kind="noop")) for _ in range(count)]
        for job in jobs:
            queue.wait(job.id, timeout=120)
        return (time.perf_counter() - start) / count * 1e6
    finally:
        queue.stop()


def main() -> None:
    baseline = threadpool_us(THREADPOOL_JOBS)
    with tempfile.TemporaryDirectory() as folder:
        for name, count in QUEUE_JOBS.items():
            db = Database(":memory:" if name == "memory" else Path(folder) / "bench.duckdb")
            try:
                queue_noop = queue_us(db, count)
            finally:
                db.close()
            print(
                f"db={name} jobs={count} queue_noop_us={queue_noop:.1f} "
                f"threadpool_noop_us={baseline:.1f} ratio={queue_noop / baseline:.1f}"
            )


if __name__ == "__main__":
    main()
