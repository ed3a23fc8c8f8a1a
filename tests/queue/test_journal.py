"""Grouped writes keep the queue's promises: a submitted job is in DuckDB when submit returns, a
finished job that wait() returned is finished in DuckDB, and a kind has one handler."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.errors import InvalidRequest, NotFound
from engine.queue import JobSpec, JobStatus
from storage.database import Database
from storage.jobs import JobRepository
from tests.queue.conftest import MakeQueue

WAIT = 10.0


def test_every_concurrent_submission_is_in_the_database_when_submit_returns(
    make_queue: MakeQueue, db: Database
) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: None)  # never started: nothing but the submissions is written
    repo = JobRepository(db)

    def client(n: int) -> list[str]:
        seen = []
        for i in range(10):
            job = queue.submit(JobSpec(kind="noop", payload={"client": n, "i": i}))
            seen.append(repo.get(job.id).status)  # raises NotFound if the row were not there yet
        return seen

    with ThreadPoolExecutor(max_workers=8) as callers:
        statuses = [s for seen in callers.map(client, range(8)) for s in seen]
    assert statuses == ["pending"] * 80
    assert queue.counts()["pending"] == 80


def test_a_finished_job_returned_by_wait_is_finished_in_the_database(make_queue: MakeQueue, db: Database) -> None:
    queue = make_queue()
    queue.register("echo", lambda ctx: {"n": ctx.job.payload["n"]})
    queue.start()
    repo = JobRepository(db)
    for job in [queue.submit(JobSpec(kind="echo", payload={"n": n})) for n in range(20)]:
        done = queue.wait(job.id, WAIT)
        stored = repo.get(job.id)  # read straight after wait, no flush in between
        assert (done.status, stored.status, stored.result) == (JobStatus.COMPLETED, "completed", done.result)


def test_wait_many_returns_every_finish_in_order_and_each_is_in_the_database(
    make_queue: MakeQueue, db: Database
) -> None:
    import threading

    queue = make_queue()
    release = threading.Event()
    queue.register("echo", lambda ctx: {"n": ctx.job.payload["n"]})
    queue.register("held", lambda ctx: {"released": release.wait(WAIT)})
    queue.start()
    repo = JobRepository(db)
    jobs = queue.submit_many([JobSpec(kind="echo", payload={"n": n}) for n in range(12)])
    done = queue.wait_many([job.id for job in jobs], WAIT)
    assert [j.id for j in done] == [j.id for j in jobs] and [j.result for j in done] == [{"n": n} for n in range(12)]
    assert {repo.get(job.id).status for job in jobs} == {"completed"}  # no flush in between

    held = queue.submit(JobSpec(kind="held"))
    quick = queue.submit(JobSpec(kind="echo", payload={"n": 99}))
    try:
        queue.wait(quick.id, WAIT)
        # the held job is still running at the deadline: it comes back as it stands, the other finished
        late, finished = queue.wait_many([held.id, quick.id], timeout=0.3)
        assert not late.status.is_terminal and finished.status is JobStatus.COMPLETED
        assert repo.get(quick.id).status == "completed"
    finally:
        release.set()
    assert queue.wait_many([held.id], WAIT)[0].status is JobStatus.COMPLETED


def test_a_pending_job_cancelled_is_cancelled_in_the_listing(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("noop", lambda ctx: None)
    job = queue.submit(JobSpec(kind="noop"))
    queue.cancel(job.id)
    listed = queue.list_jobs()  # reads the table: the journal is flushed first
    assert [(j.id, j.status) for j in listed] == [(job.id, JobStatus.CANCELLED)]


def test_a_child_may_name_a_parent_whose_row_is_still_being_written(make_queue: MakeQueue, db: Database) -> None:
    queue = make_queue()
    order: list[str] = []
    queue.register("step", lambda ctx: order.append(ctx.job.id))
    queue.start()
    with ThreadPoolExecutor(max_workers=2) as callers:
        with db.transaction():  # holds DuckDB's write lock: the journal cannot write meanwhile
            parent = callers.submit(queue.submit, JobSpec(kind="step", id="parent"))
            while True:  # the parent is accepted (known to get) before its row is written
                try:
                    assert queue.get("parent").status is JobStatus.PENDING
                    break
                except NotFound:
                    time.sleep(0.001)
            child = callers.submit(queue.submit, JobSpec(kind="step", id="child", parents=["parent"]))
            assert not parent.done() and not child.done()
        assert (parent.result(WAIT).status, child.result(WAIT).status) == (JobStatus.PENDING, JobStatus.PENDING)
    assert queue.wait("child", WAIT).status is JobStatus.COMPLETED
    assert order == ["parent", "child"]


def test_a_second_handler_for_a_kind_is_refused(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.register("image", lambda ctx: None)
    with pytest.raises(InvalidRequest) as raised:
        queue.register("image", lambda ctx: {"other": True})
    assert "'image'" in raised.value.user_message and "already registered" in raised.value.user_message
