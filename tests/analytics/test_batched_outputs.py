"""A batched image call gives every picture its own generations record (id, owner, share of the
cost), so each picture of a batch is rated on its own and only by the person it was made for."""

from __future__ import annotations

import pytest

from engine.engine import build_engine
from engine.errors import NotFound
from engine.jobs import IMAGE_JOB
from engine.ownership import Owner
from engine.queue import JobSpec, JobStatus, Priority
from engine.settings import Settings


def test_pictures_of_one_batch_from_two_owners_are_rated_apart(engine_settings: Settings) -> None:
    settings = engine_settings.model_copy(update={"queue_batch_window_ms": 300})
    with build_engine(settings) as engine:
        owners = ["alice", "bob", "alice"]
        specs = [
            JobSpec(kind=IMAGE_JOB, payload={"prompt": f"a lighthouse, shot {i}", "width": 128, "height": 128},
                    priority=Priority.INTERACTIVE, user_id=owner, batch_key="same-model")
            for i, owner in enumerate(owners)
        ]
        jobs = engine.queue.submit_many(specs)  # queued before the workers start: they run as one batch
        engine.start()
        done = [engine.queue.wait(job.id, timeout=60) for job in jobs]
        assert [j.status for j in done] == [JobStatus.COMPLETED] * 3
        assert {j.result["batch_size"] for j in done} == {3}  # type: ignore[index]
        ids = [j.result["generation_id"] for j in done]  # type: ignore[index]
        assert len(set(ids)) == 3
        engine.generations.flush()
        rows = engine.db.cursor().execute(
            "SELECT id, owner, user_id, outcome, latency_ms FROM generations WHERE capability = 'image' ORDER BY id"
        ).fetchall()
        assert sorted((r[0], r[1], r[2]) for r in rows) == sorted(zip(ids, owners, owners, strict=True))
        latencies = [r[4] for r in rows]
        assert max(latencies) - min(latencies) < 5  # ms: one call, every picture waited as long as the batch

        alice, bob = Owner("alice"), Owner("bob")
        assert engine.analytics.feedback(ids[0], 5, owner=alice).rating == 5
        assert engine.analytics.feedback(ids[1], 2, owner=bob).rating == 2
        with pytest.raises(NotFound):
            engine.analytics.feedback(ids[2], 1, owner=bob)  # alice's picture, in bob's batch
        rated = engine.db.cursor().execute("SELECT generation_id, owner, rating FROM feedback ORDER BY rating").fetchall()
        assert rated == [(ids[1], "bob", 2), (ids[0], "alice", 5)]
