"""Random job graphs: every job ends terminal, as its ancestors dictate, never before its parents."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.queue import Device, GenerationQueue, JobContext, JobSpec, JobStatus, Priority, QueueConfig
from storage.database import Database

Graph = list[tuple[list[int], bool, int]]  # per job: parent indices (earlier jobs), fails?, priority


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    size = draw(st.integers(1, 8))
    graph: Graph = []
    for index in range(size):
        parents = draw(st.lists(st.integers(0, index - 1), max_size=3, unique=True)) if index else []
        graph.append((parents, draw(st.booleans()), draw(st.sampled_from(list(Priority)))))
    return graph


def _expected(graph: Graph) -> list[JobStatus]:
    statuses: list[JobStatus] = []
    for parents, fails, _ in graph:
        if any(statuses[p] is not JobStatus.COMPLETED for p in parents):
            statuses.append(JobStatus.BLOCKED)
        else:
            statuses.append(JobStatus.FAILED if fails else JobStatus.COMPLETED)
    return statuses


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs())
def test_random_graphs_finish_in_dependency_order(graph: Graph) -> None:
    db = Database(":memory:")
    queue = GenerationQueue(db, [Device("cpu", "cpu", 2)], QueueConfig(batch_window_ms=0, default_retries=0))

    def handler(ctx: JobContext) -> None:
        if ctx.job.payload["fails"]:
            raise RuntimeError("planned failure")

    queue.register("node", handler)
    queue.start()
    try:
        queue.submit_many([
            JobSpec(kind="node", id=f"n{i}", parents=[f"n{p}" for p in parents], payload={"fails": fails},
                    priority=priority)
            for i, (parents, fails, priority) in enumerate(graph)
        ])
        jobs = [queue.wait(f"n{i}", 10) for i in range(len(graph))]
    finally:
        queue.stop()
        db.close()
    assert [job.status for job in jobs] == _expected(graph)
    for job, (parents, _, _) in zip(jobs, graph):
        if job.started_at is None:
            assert job.status is JobStatus.BLOCKED and job.attempts == 0
            continue
        for p in parents:
            finished = jobs[p].finished_at
            assert finished is not None and job.started_at >= finished
