"""Ownership in the engine: jobs and model calls seen and cancelled by their owner only; deletion
that removes every row, file and copy, refuses later writes, and a start that sweeps unowned media."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.engine import Engine, build_engine
from engine.errors import NotFound
from engine.intent import Method
from engine.ownership import Owner, new_visitor_key
from engine.queue import JobSpec
from engine.settings import Settings
from storage.copies import remove_copies
from storage.generations import GenerationRecord
from tests.support.traces import files_mentioning, rows_mentioning

SLOW_JOB = "test.slow"
FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"


def _visitor() -> Owner:
    return Owner(id=new_visitor_key(), visitor=True)


def _record(engine: Engine, owner: Owner, summary: str) -> None:
    engine.generations.record(GenerationRecord(capability="text", provider="p", model="m", request_summary=summary,
                                               latency_ms=1.0, outcome="ok", owner=owner.id))  # fmt: skip


def test_a_visitor_sees_and_cancels_only_their_own_jobs_and_calls(engine: Engine) -> None:
    release = threading.Event()
    engine.queue.register(SLOW_JOB, lambda ctx: release.wait(30) and {})
    engine.start()
    alice, bob, admin = _visitor(), _visitor(), Owner(id="root", admin=True)
    mine = engine.queue.submit(JobSpec(kind=SLOW_JOB, payload={}, user_id=alice.id))
    theirs = engine.queue.submit(JobSpec(kind=SLOW_JOB, payload={}, user_id=bob.id))
    _record(engine, alice, "alice's secret prompt")
    _record(engine, bob, "bob's prompt")
    try:
        assert [j.id for j in engine.system.jobs(owner=alice)] == [mine.id]
        assert {j.id for j in engine.system.jobs(owner=admin)} >= {mine.id, theirs.id}
        seen = engine.system.status(owner=bob)
        assert [r.request_summary for r in seen.recent] == ["bob's prompt"] and [j.id for j in seen.jobs] == [theirs.id]
        with pytest.raises(NotFound) as not_yours:
            engine.system.cancel_job(mine.id, owner=bob)
        with pytest.raises(NotFound) as unknown:
            engine.system.cancel_job("no-such-job", owner=bob)
        assert str(not_yours.value).replace(mine.id, "X") == str(unknown.value).replace("no-such-job", "X")
        assert engine.queue.get(mine.id).status.value in ("pending", "running")
        engine.system.cancel_job(mine.id, owner=alice)
        assert engine.queue.get(mine.id).status.value in ("cancelled", "running")
    finally:
        release.set()


def test_deletion_removes_every_row_file_and_copy_and_refuses_later_writes(engine: Engine, tmp_path: Path) -> None:
    release, started = threading.Event(), threading.Event()

    def slow(ctx):
        started.set()
        release.wait(30)
        engine.media.put(b"late image of alice", "png", owner=ctx.job.user_id)
        return {}

    engine.queue.register(SLOW_JOB, slow)
    engine.start()
    alice, bob = _visitor(), _visitor()
    kept = engine.media.put(b"bob's picture", "png", owner=bob.id)
    photo = engine.media.put(b"alice's photo", "png", owner=alice.id)
    shared = engine.media.put(b"the same bytes", "png", owner=alice.id)
    engine.media.put(b"the same bytes", "png", owner=bob.id)
    engine.intent.classify("make my hair copper red", True, Method.RULES, owner=alice)  # buffered log row
    assert engine.intent.save_reference("alice_private", FACE.read_bytes(), owner=alice) == "alice_private"
    assert engine.intent.references(owner=bob) == {}
    _record(engine, alice, "a portrait of Alice Example")  # buffered: must not land after the delete
    job = engine.queue.submit(JobSpec(kind=SLOW_JOB, payload={"who": alice.id}, user_id=alice.id))
    assert started.wait(10)
    served = tmp_path / "served"
    (served / "abc").mkdir(parents=True)
    copy = served / "abc" / f"{photo.sha256}.png"
    copy.write_bytes(photo.path.read_bytes())
    renamed = served / "def" / "upload.png"
    renamed.parent.mkdir()
    renamed.write_bytes(photo.path.read_bytes())
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"alice's photo")
    threading.Timer(0.3, release.set).start()  # the job finishes while the deletion waits for it

    report = engine.deletion.forget(owner=alice, copies_in=[served], extra_paths=[outside])

    assert report.jobs_cancelled == 1 and report.files_deleted >= 1 and report.copies_deleted == 2
    assert report.tables["generations"] >= 1 and report.tables["intent_classifications"] == 1
    assert report.tables["intent_references"] == 1
    with pytest.raises(NotFound):
        engine.queue.get(job.id)
    assert not photo.path.exists() and kept.path.exists() and shared.path.exists() and outside.exists()
    assert not copy.exists() and not renamed.exists()
    engine.generations.flush()
    engine.intent.flush()
    assert rows_mentioning(engine.db, alice.id) == {}
    assert files_mentioning(engine.media.root, ["alice"]) == []
    with pytest.raises(NotFound):
        engine.media.put(b"anything new", "png", owner=alice.id)
    _record(engine, alice, "after")
    assert engine.generations.recent(50, owner=alice.id) == []
    assert engine.media.tombstones.is_deleted(alice.id) and not engine.media.tombstones.is_deleted(bob.id)


def test_an_account_may_start_again_after_deleting_and_the_operator_is_deleted_per_person(engine: Engine) -> None:
    account = Owner(id="alice@example")
    engine.media.put(b"account file", "png", owner=account.id)
    engine.deletion.forget(owner=account)
    assert not engine.media.tombstones.is_deleted(account.id)
    engine.media.put(b"account file again", "png", owner=account.id)
    from engine.ownership import OPERATOR

    with pytest.raises(NotFound):
        engine.deletion.forget(owner=OPERATOR)


def test_a_start_sweeps_media_without_an_owner_and_keeps_the_tombstones(engine_settings: Settings) -> None:
    visitor = _visitor()
    with build_engine(engine_settings) as engine:
        owned = engine.media.put(b"owned", "png", owner="someone")
        orphan = engine.media.put(b"orphan", "png", owner=visitor.id)
        engine.db.write("DELETE FROM media_owners WHERE sha256 = ?", [orphan.sha256])  # as if killed mid-store
        stray = engine.media.root / "ab" / ("ab" + "0" * 62 + ".png")
        stray.parent.mkdir(exist_ok=True)
        stray.write_bytes(b"a file written just before a kill")
        engine.deletion.forget(owner=visitor)
    with build_engine(engine_settings) as engine:
        assert owned.path.exists() and not orphan.path.exists() and not stray.exists()
        assert engine.media.tombstones.is_deleted(visitor.id)
        assert rows_mentioning(engine.db, visitor.id) == {}


def test_remove_copies_never_touches_files_outside_its_folders(tmp_path: Path) -> None:
    inside, outside = tmp_path / "served", tmp_path / "elsewhere.bin"
    inside.mkdir()
    (inside / "a.bin").write_bytes(b"xyz")
    outside.write_bytes(b"xyz")
    import hashlib

    removed = remove_copies([inside], {hashlib.sha256(b"xyz").hexdigest(): 3}, [outside])
    assert removed == [inside / "a.bin"] and outside.exists()
