"""Per-job overhead of the generation queue against a plain ThreadPoolExecutor.

Both run the same no-op callable on the same number of workers, submitted one job per call
by the same number of client threads (a web app's concurrent requests). The queue also writes
every job to DuckDB: `submit` returns once the job's row is committed (so it survives a crash),
and concurrent submissions share one commit (group commit); state changes are group-committed
behind them. With a single client every submit pays a whole commit, which the `clients=1`
line shows. Prints one line per database and client count:
`db=... clients=... queue_noop_us=... threadpool_noop_us=... ratio=...`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from engine.queue import Device, GenerationQueue, JobContext, JobSpec, QueueConfig
from storage.database import Database

WORKERS = 2
CLIENTS = (16, 1)
THREADPOOL_JOBS = 20_000
QUEUE_JOBS = {"memory": 2_000, "file": 1_000}
SERIAL_JOBS = 300  # clients=1 pays one commit per job: fewer jobs, same per-job figure


def noop(ctx: JobContext | None = None) -> None:
    return None


def per_job_us(clients: int, count: int, submit_and_wait: Callable[[int], None]) -> float:
    """Wall time per job of `clients` threads each submitting `count // clients` jobs, one per call."""
    share = count // clients
    with ThreadPoolExecutor(max_workers=clients) as callers:
        start = time.perf_counter()
        for done in [callers.submit(submit_and_wait, share) for _ in range(clients)]:
            done.result()
        return (time.perf_counter() - start) / (share * clients) * 1e6


def threadpool_us(clients: int, count: int) -> float:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:

        def client(share: int) -> None:
            futures: list[Future[None]] = [pool.submit(noop) for _ in range(share)]
            wait(futures)

        return per_job_us(clients, count, client)


def queue_us(db: Database, clients: int, count: int) -> float:
    config = QueueConfig(batch_window_ms=0, max_pending=count)
    queue = GenerationQueue(db, [Device("cpu", "cpu", WORKERS)], config)
    queue.register("noop", noop)
    queue.start()

    def client(share: int) -> None:
        jobs = [queue.submit(JobSpec(kind="noop")) for _ in range(share)]
        for job in jobs:
            queue.wait(job.id, timeout=120)

    try:
        return per_job_us(clients, count, client)
    finally:
        queue.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for clients in CLIENTS:
            baseline = threadpool_us(clients, THREADPOOL_JOBS)
            for name, count in QUEUE_JOBS.items():
                count = count if clients > 1 else SERIAL_JOBS
                db = Database(":memory:" if name == "memory" else Path(folder) / f"bench-{clients}.duckdb")
                try:
                    queue_noop = queue_us(db, clients, count)
                finally:
                    db.close()
                print(
                    f"db={name} clients={clients} jobs={count} queue_noop_us={queue_noop:.1f} "
                    f"threadpool_noop_us={baseline:.1f} ratio={queue_noop / baseline:.1f}"
                )


if __name__ == "__main__":
    main()
