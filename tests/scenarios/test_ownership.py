"""A person's course is theirs: another visitor cannot find, open, hear or delete it, and deleting
it while its jobs run leaves no row, file or late write behind."""

from __future__ import annotations

import time

import pytest

from engine.errors import NotFound
from engine.ownership import Owner, new_visitor_key
from engine.scenarios import OnboardRequest
from tests.support.traces import files_mentioning, rows_mentioning


@pytest.mark.slow
def test_another_visitor_cannot_reach_a_course_and_deleting_it_mid_generation_removes_everything(
    scenario_engine, face_jpeg, voice_wav
) -> None:
    engine, service = scenario_engine
    alice, bob = Owner(new_visitor_key(), visitor=True), Owner(new_visitor_key(), visitor=True)
    result = service.onboard(OnboardRequest(name="Alice Example", age=30, gender="female", photo=face_jpeg,
                                            voice=voice_wav, consent=True), owner=alice)  # fmt: skip
    person = result.user_id
    assert len(person) >= 22 and all(person not in s.job_id for s in result.assets)
    assert service.people(owner=alice) == [person] and service.people(owner=bob) == []
    step = service.course()[0].steps[0].id

    calls = {
        "status": lambda u: service.status(u, owner=bob),
        "open": lambda u: service.open_scenario(u, "lottery", owner=bob),
        "narration": lambda u: service.narration(u, step, owner=bob),
        "stats": lambda u: service.cache_stats(u, owner=bob),
        "provenance": lambda u: service.provenance(u, "caricature", owner=bob),
        "delete": lambda u: service.delete_user(u, owner=bob),
    }
    for name, call in calls.items():
        with pytest.raises(NotFound) as theirs:
            call(person)
        with pytest.raises(NotFound) as missing:
            call("x" * 22)
        assert str(theirs.value) == str(missing.value) and person not in str(theirs.value), name
    for job in engine.queue.list_jobs(limit=50):
        with pytest.raises(NotFound):
            engine.system.cancel_job(job.id, owner=bob)
    assert engine.system.jobs(owner=bob) == []

    narration = service.narration(person, step, owner=alice)
    files = [result.caricature_path, narration.path]
    while not any(s.status == "completed" for s in service.status(person, owner=alice)):
        time.sleep(0.05)  # some assets made, others still running or pending
    files += [s.path for s in service.status(person, owner=alice) if s.path]

    report = service.delete_user(person, owner=alice)

    assert report.files_deleted >= 4 and report.jobs_cancelled >= 1 and report.jobs_still_running == 0
    time.sleep(1.0)  # a job that ignored its cancellation would write now; the tombstone refuses it
    engine.generations.flush()
    assert not any(path.exists() for path in files)
    assert rows_mentioning(engine.db, alice.id) == {} and rows_mentioning(engine.db, person) == {}
    assert files_mentioning(engine.media.root, [person, alice.id, "Alice Example"]) == []
    with pytest.raises(NotFound):
        service.status(person, owner=alice)
