import os
from pathlib import Path

import pytest

from engine.errors import InvalidRequest, NotFound
from storage.database import Database
from storage.media import MediaStore


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
