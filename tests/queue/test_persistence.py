"""The jobs table through JobRepository, and what a new queue on the same database picks up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import NotFound
from engine.queue import Device, GenerationQueue, JobSpec, JobStatus, QueueConfig
from storage.database import Database
from storage.jobs import JobRecord, JobRepository
from tests.queue.conftest import MakeQueue

WAIT = 10.0


def _record(job_id: str, status: str, minutes: int, **extra: object) -> JobRecord:
    created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return JobRecord(id=job_id, kind="k", priority=2, status=status, max_retries=1, timeout_s=5.0,
                     created_at=created, **extra)  # type: ignore[arg-type]


def test_repository_round_trip_lists_and_counts(db: Database) -> None:
    repo = JobRepository(db)
    repo.insert_many([
        _record("a", "pending", 1, payload={"prompt": "fox"}, parents=[]),
        _record("b", "running", 2, parents=["a"], required_device="cuda"),
        _record("c", "completed", 3, result={"path": "x.png"}),
    ])
    b = repo.get("b")
    assert (b.parents, b.required_device, b.created_at.tzinfo) == (["a"], "cuda", UTC)
    assert repo.get("a").payload == {"prompt": "fox"}
    b.status, b.attempts, b.device, b.progress = "failed", 2, "cuda:0", 0.25
    b.error, b.finished_at = "boom", datetime(2025, 1, 2, tzinfo=UTC)
    repo.save_states([b])
    a = repo.get("a")
    a.progress, a.message = 0.5, "half"
    repo.save_states([a])
    assert (repo.get("a").progress, repo.get("a").message) == (0.5, "half")
    stored = repo.get("b")
    assert (stored.status, stored.attempts, stored.device, stored.error) == ("failed", 2, "cuda:0", "boom")
    assert stored.finished_at == datetime(2025, 1, 2, tzinfo=UTC)
    assert [r.id for r in repo.list_jobs()] == ["c", "b", "a"]
    assert [r.id for r in repo.list_jobs("completed", limit=5)] == ["c"]
    assert repo.counts() == {"pending": 1, "failed": 1, "completed": 1}
    assert [r.id for r in repo.load_unfinished()] == ["a"]
    assert repo.find_statuses(["a", "zz"]) == {"a": "pending"}
    with pytest.raises(NotFound):
        repo.get("zz")


def test_queue_reports_counts_and_lists(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: {"n": ctx.job.payload["n"]})
    queue.start()
    jobs = queue.submit_many([JobSpec(kind="noop", payload={"n": n}) for n in range(3)])
    for job in jobs:
        queue.wait(job.id, WAIT)
    counts = queue.counts()
    assert counts == {"pending": 0, "running": 0, "completed": 3, "failed": 0, "cancelled": 0, "blocked": 0}
    listed = queue.list_jobs(JobStatus.COMPLETED, limit=2)
    assert [job.id for job in listed] == [jobs[2].id, jobs[1].id]
    assert listed[0].result == {"n": 2}
    with pytest.raises(NotFound):
        queue.get("missing")


def test_a_new_queue_runs_what_the_last_one_left(db: Database) -> None:
    config = QueueConfig(batch_window_ms=0)
    first = GenerationQueue(db, [Device("cpu", "cpu", 1)], config)
    first.register("noop", lambda ctx: {"by": "second"})
    done_early = first.submit(JobSpec(kind="noop", id="early"))
    first.start()
    first.wait(done_early.id, WAIT)
    first.stop()
    # Left behind: one pending, one marked running by a process that died, and its child.
    repo = JobRepository(db)
    now = datetime.now(UTC)
    repo.insert_many([
        JobRecord(id="left", kind="noop", priority=2, status="pending", max_retries=0, timeout_s=5,
                  created_at=now),
        JobRecord(id="mid", kind="noop", priority=2, status="running", attempts=1, max_retries=0, timeout_s=5,
                  device="cpu", created_at=now + timedelta(microseconds=1)),
        JobRecord(id="kid", kind="noop", priority=2, status="pending", parents=["mid", "early"],
                  max_retries=0, timeout_s=5, created_at=now + timedelta(microseconds=2)),
    ])
    ran: list[str] = []
    second = GenerationQueue(db, [Device("cpu", "cpu", 1)], config)
    second.register("noop", lambda ctx: ran.append(ctx.job.id) or {"by": "second"})
    second.start()
    try:
        for job_id in ("left", "mid", "kid"):
            assert second.wait(job_id, WAIT).status is JobStatus.COMPLETED
        assert second.get("mid").attempts == 2
        assert "early" not in ran and ran.index("kid") > ran.index("mid")
    finally:
        second.stop()


def _rows(db: Database, table: str) -> int:
    return int(db.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_the_job_log_is_read_by_get_and_folded_into_jobs_before_listing(db: Database) -> None:
    repo = JobRepository(db)
    fox = _record("fox", "pending", 1, payload={"prompt": "it's a fox"}, parents=["p"], user_id="u1")
    repo.log(1, [fox], [])
    assert (_rows(db, "jobs"), _rows(db, "job_log")) == (0, 1)  # committed, not folded yet
    seen = repo.get("fox")
    assert (seen.status, seen.payload, seen.parents, seen.user_id, seen.created_at) == (
        "pending", {"prompt": "it's a fox"}, ["p"], "u1", fox.created_at)
    assert repo.find_statuses(["fox", "zz"]) == {"fox": "pending"}
    fox.status, fox.attempts, fox.device, fox.started_at = "running", 1, "cpu", datetime(2025, 1, 2, tzinfo=UTC)
    repo.log(2, [], [fox])
    fox.status, fox.result, fox.finished_at = "completed", {"n": 1}, datetime(2025, 1, 3, tzinfo=UTC)
    repo.log(3, [], [fox])
    assert repo.get("fox").status == "completed"  # the latest logged state wins
    assert [(r.id, r.status, r.result) for r in repo.list_jobs()] == [("fox", "completed", {"n": 1})]
    assert (_rows(db, "jobs"), _rows(db, "job_log")) == (1, 0)  # listing folded the log
    stored = repo.get("fox")
    assert (stored.attempts, stored.device, stored.finished_at, stored.payload) == (
        1, "cpu", datetime(2025, 1, 3, tzinfo=UTC), {"prompt": "it's a fox"})


def test_a_logged_state_of_a_deleted_job_does_not_bring_it_back(db: Database) -> None:
    repo = JobRepository(db)
    gone = _record("gone", "pending", 1)
    repo.log(1, [gone], [])
    assert repo.fold() == 1
    db.write("DELETE FROM jobs WHERE id = 'gone'")  # its owner was deleted
    gone.status = "completed"
    repo.log(2, [], [gone])  # a late finish
    repo.fold()
    assert (_rows(db, "jobs"), _rows(db, "job_log")) == (0, 0)


def test_a_new_queue_runs_jobs_a_killed_process_left_in_the_log(db: Database) -> None:
    JobRepository(db).log(7, [_record("left", "pending", 1, payload={"n": 3})], [])  # never folded
    queue = GenerationQueue(db, [Device("cpu", "cpu", 1)], QueueConfig(batch_window_ms=0))
    queue.register("k", lambda ctx: {"twice": ctx.job.payload["n"] * 2})
    queue.start()
    try:
        done = queue.wait("left", WAIT)
    finally:
        queue.stop()
    assert (done.status, done.result) == (JobStatus.COMPLETED, {"twice": 6})
    assert (JobRepository(db).get("left").status, _rows(db, "job_log")) == ("completed", 0)  # stop folded it


def test_two_queues_on_one_file_fold_the_log_at_the_same_time_without_losing_a_job(tmp_path) -> None:
    import threading

    first, second = Database(tmp_path / "shared.duckdb"), Database(tmp_path / "shared.duckdb")  # two connections
    try:
        repos = [JobRepository(first), JobRepository(second)]
        errors: list[Exception] = []

        def fold(repo: JobRepository) -> None:
            try:
                repo.fold()
            except Exception as exc:  # noqa: BLE001 - the test reports it below
                errors.append(exc)

        for round_ in range(10):
            records = [_record(f"j{round_}-{i}", "pending", i) for i in range(20)]
            repos[0].log(2 * round_, records[:10], [])
            repos[1].log(2 * round_ + 1, records[10:], [])
            folds = [threading.Thread(target=fold, args=(repo,)) for repo in repos]  # both read the same rows
            for thread in folds:
                thread.start()
            for thread in folds:
                thread.join()
        assert (_rows(first, "jobs"), _rows(first, "job_log"), errors) == (200, 0, [])
    finally:
        second.close()
        first.close()
