"""Per-job overhead of the generation queue against a plain ThreadPoolExecutor.

Both run the same no-op callable on the same number of workers, submitted one job per call
by the same number of client threads (a web app's concurrent requests). The queue also writes
every job to DuckDB: `submit` returns once the job is committed (so it survives a crash), and
`wait` returns a finished job once its finish is committed; concurrent submissions share one
commit (group commit, one narrow `job_log` row per group, folded into `jobs` in batches). With a
single client every job pays two commits of its own (its submission, its finish), which the
`clients=1` lines show; `commit_floor_us` is one bare single-row DuckDB commit on the same
database (a one-column INSERT), what bounds them. Prints one line per database and client count:
`db=... clients=... queue_noop_us=... threadpool_noop_us=... overhead_us=... commit_floor_us=... ratio=...`
where `overhead_us` is the queue's time per job minus the thread pool's, measured in the same run,
and `overhead_in_commits` is that overhead in bare commits (load-independent-ish on a busy machine).
Target (issue #10): overhead <= 1000 us per job.
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


def commit_floor_us(db: Database, count: int = 200) -> float:
    """One autocommitted single-row, single-column INSERT on `db`: the least a durable write costs."""
    cursor = db.cursor()
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_floor (v INTEGER)")
    cursor.execute("INSERT INTO bench_commit_floor VALUES (0)")  # warm
    start = time.perf_counter()
    for i in range(count):
        cursor.execute("INSERT INTO bench_commit_floor VALUES (?)", [i])
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for clients in CLIENTS:
            baseline = threadpool_us(clients, THREADPOOL_JOBS)
            for name, count in QUEUE_JOBS.items():
                count = count if clients > 1 else SERIAL_JOBS
                db = Database(":memory:" if name == "memory" else Path(folder) / f"bench-{clients}.duckdb")
                try:
                    queue_noop = queue_us(db, clients, count)
                    floor = commit_floor_us(db)
                finally:
                    db.close()
                overhead = queue_noop - baseline
                print(
                    f"db={name} clients={clients} jobs={count} queue_noop_us={queue_noop:.1f} "
                    f"threadpool_noop_us={baseline:.1f} overhead_us={overhead:.1f} commit_floor_us={floor:.1f} "
                    f"overhead_in_commits={overhead / floor:.2f} "
                    f"ratio={queue_noop / baseline:.1f} target_overhead_le_1000us={'met' if overhead <= 1000 else 'NOT met'}"
                )


if __name__ == "__main__":
    main()
