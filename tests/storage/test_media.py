import os
from pathlib import Path

import pytest

from engine.errors import InvalidRequest, NotFound
from storage.database import Database
from storage.media import MediaStore
from storage.ownership import OwnerRecords


@pytest.fixture
def store(db: Database, data_dir: Path) -> MediaStore:
    return MediaStore(data_dir / "media", db)


def test_put_and_read_back_by_content_hash(store: MediaStore) -> None:
    ref = store.put(b"RIFF fake wav", "wav", owner="o1")
    assert ref.kind == "audio"
    assert store.read(ref.sha256) == b"RIFF fake wav"
    assert store.contains(ref.path)


def test_same_bytes_are_stored_once(store: MediaStore, db: Database) -> None:
    first = store.put(b"same", "png", owner="o1")
    second = store.put(b"same", "png", owner="o1")
    assert first.path == second.path
    assert db.cursor().execute("SELECT count(*) FROM media").fetchone() == (1,)


def test_a_failed_write_leaves_no_file_and_no_row(store: MediaStore, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Exception, match="No space left"):
        store.put(b"half", "png", owner="o1")
    monkeypatch.undo()
    assert list(store.root.rglob("*.png")) == []
    assert list(store.root.rglob(".tmp-*")) == []
    assert db.cursor().execute("SELECT count(*) FROM media").fetchone() == (0,)


def test_leftover_temporary_files_are_swept(store: MediaStore) -> None:
    (store.root / "ab").mkdir()
    (store.root / "ab" / ".tmp-crashed").write_bytes(b"partial")
    assert store.sweep_temporary() == 1
    assert list(store.root.rglob(".tmp-*")) == []


def test_bad_input_is_refused_before_writing(store: MediaStore) -> None:
    with pytest.raises(InvalidRequest, match="extension"):
        store.put(b"x", "exe", owner="o1")
    with pytest.raises(InvalidRequest, match="empty"):
        store.put(b"", "png", owner="o1")
    with pytest.raises(InvalidRequest):
        store.get("../../etc/passwd")
    with pytest.raises(NotFound):
        store.get("0" * 64)
    assert list(store.root.rglob("*.*")) == []


def _counts(db: Database) -> tuple[int, int]:
    cursor = db.cursor()
    media = cursor.execute("SELECT count(*) FROM media").fetchone()
    owners = cursor.execute("SELECT count(*) FROM media_owners").fetchone()
    assert media is not None and owners is not None
    return int(media[0]), int(owners[0])


def test_a_crash_between_row_and_claim_leaves_no_unowned_row(
    store: MediaStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The media row and its owner claim are one transaction: a crash after the row rolls the row back."""
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(OwnerRecords, "claim_many", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        store.put(b"orphan?", "png", owner="o1")
    monkeypatch.undo()
    assert _counts(db) == (0, 0)
    assert store.sweep_unowned() == 1  # the file that reached the disk has no row and is swept
    assert list(store.root.rglob("*.png")) == []
    ref = store.put(b"orphan?", "png", owner="o1")  # the same bytes store normally afterwards
    assert _counts(db) == (1, 1) and store.read(ref.sha256) == b"orphan?"


def test_a_second_owner_of_the_same_bytes_adds_only_a_claim(store: MediaStore, db: Database) -> None:
    store.put(b"shared", "png", owner="o1")
    store.put(b"shared", "png", owner="o2")
    assert _counts(db) == (1, 2)


def test_many_threads_putting_the_same_bytes_record_one_row_and_one_claim_per_owner(
    store: MediaStore, db: Database
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    owners = ["o1", "o2"] * 16
    with ThreadPoolExecutor(max_workers=8) as pool:  # look-then-insert must hold under concurrency
        refs = list(pool.map(lambda owner: store.put(b"popular", "png", owner=owner), owners))
    assert len({ref.sha256 for ref in refs}) == 1
    assert _counts(db) == (1, 2)


def test_an_owner_deleted_while_the_file_is_written_gets_no_row_and_no_file(
    store: MediaStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion lands after the first check but before the row: the transaction re-checks."""
    real_replace = os.replace

    def bury_then_replace(src: str, dst: str) -> None:
        store.tombstones.bury("gone")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", bury_then_replace)
    with pytest.raises(NotFound):
        store.put(b"late", "png", owner="gone")
    assert _counts(db) == (0, 0)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []  # the deletion could not know this file


def test_a_refused_put_keeps_the_file_another_owner_recorded(
    store: MediaStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = store.put(b"shared", "png", owner="alive")
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (store.tombstones.bury("gone"), real_replace(src, dst)))
    kept.path.unlink()  # so the refused put writes the file itself
    with pytest.raises(NotFound):
        store.put(b"shared", "png", owner="gone")
    assert kept.path.exists() and store.read(kept.sha256) == b"shared"


def test_puts_that_arrive_during_a_commit_are_recorded_together_in_the_next_one(
    store: MediaStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group commit: while one put's transaction runs, the next puts wait and share one transaction;
    an owner deleted meanwhile is refused inside the group without failing the others."""
    import threading

    real_claim_many = OwnerRecords.claim_many
    groups: list[list[tuple[str, str]]] = []
    inside, release = threading.Event(), threading.Event()

    def held_claim_many(self: OwnerRecords, claims: list[tuple[str, str]], tx: object) -> None:
        groups.append(list(claims))
        if len(groups) == 1:  # hold the first transaction open until the others are waiting
            inside.set()
            release.wait(10)
        real_claim_many(self, claims, tx)  # type: ignore[arg-type]

    monkeypatch.setattr(OwnerRecords, "claim_many", held_claim_many)
    results: dict[str, object] = {}

    def put(name: bytes, owner: str) -> None:
        try:
            results[owner] = store.put(name, "png", owner=owner)
        except NotFound as exc:
            results[owner] = exc

    first = threading.Thread(target=put, args=(b"first", "o1"))
    first.start()
    assert inside.wait(10)
    others = [threading.Thread(target=put, args=(data, owner))
              for data, owner in ((b"second", "o2"), (b"third", "o3"), (b"fourth", "gone"))]
    for thread in others:
        thread.start()
    while len(store._waiting) < 3:  # all three queued behind the open transaction
        threading.Event().wait(0.01)
    store.tombstones.bury("gone")
    release.set()
    for thread in [first, *others]:
        thread.join(10)

    assert [len(group) for group in groups] == [1, 2]  # one transaction for the three that waited
    assert isinstance(results["gone"], NotFound)
    assert {owner for owner, result in results.items() if not isinstance(result, NotFound)} == {"o1", "o2", "o3"}
    assert _counts(db) == (3, 3)
    assert sorted(p.read_bytes() for p in store.root.rglob("*.png")) == [b"first", b"second", b"third"]
