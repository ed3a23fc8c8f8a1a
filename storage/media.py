"""Content-addressed media files under `<data_dir>/media`, written atomically."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from pydantic import BaseModel

from engine.errors import InvalidRequest, NotFound, StorageError
from storage.database import Database
from storage.ownership import OwnerRecords, Tombstones

__all__ = ["MEDIA_KINDS", "MediaRef", "MediaStore"]

MEDIA_KINDS = {
    "png": "image",
    "jpg": "image",
    "webp": "image",
    "wav": "audio",
    "mp3": "audio",
    "mp4": "video",
    "json": "other",
}
_HASH = re.compile(r"^[0-9a-f]{64}$")


class MediaRef(BaseModel):
    sha256: str
    extension: str
    kind: str
    size_bytes: int
    path: Path


@dataclass(eq=False)
class _Put:
    """One put waiting for its row: recorded when `done` without `error`."""

    digest: str
    extension: str
    data: bytes
    owner: str
    path: Path
    done: bool = False
    error: Exception | None = None


class MediaStore:
    """Stores bytes by their SHA-256; the same bytes are stored once.

    A file is written to a temporary name in its final folder, flushed to disk and
    renamed into place, so a reader never sees a partial file and a crash leaves at
    most a temporary file, which `sweep_temporary()` removes.
    """

    def __init__(self, root: Path, db: Database, tombstones: Tombstones | None = None) -> None:
        self.root = root.resolve()
        self._db = db
        self.tombstones = tombstones or Tombstones(db)
        self._owners = OwnerRecords(db)
        self._group = threading.Condition()
        self._waiting: list[_Put] = []  # puts written to disk, waiting for the next group commit
        self._leading = False  # a put is committing a group now
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, extension: str, *, owner: str) -> MediaRef:
        """Store bytes for `owner` (the owner id); refused with `NotFound` for a deleted owner."""
        if self.tombstones.is_deleted(owner):
            raise NotFound("Nothing is stored for a person whose data was deleted.")
        extension = extension.lower().lstrip(".")
        if extension not in MEDIA_KINDS:
            raise InvalidRequest("extension", f"{extension!r} is not a media type the studio stores")
        if not data:
            raise InvalidRequest("data", "the media file is empty")
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest, extension)
        if not path.exists():
            self._write_atomically(path, data)  # outside the write lock: files can be large
        put = _Put(digest, extension, data, owner, path)
        self._record(put)
        if put.error is not None:
            raise put.error
        return MediaRef(sha256=digest, extension=extension, kind=MEDIA_KINDS[extension], size_bytes=len(data), path=path)

    def _record(self, put: _Put) -> None:
        """Record the row and claim of `put`, in a group commit: puts that arrive while another
        group's transaction runs wait and are recorded together in the next one, so workers
        storing images at once share transactions instead of queueing for the write lock one
        by one. Returns when `put` is recorded or refused (`put.error`)."""
        with self._group:
            self._waiting.append(put)
            while not put.done:
                if self._leading:
                    self._group.wait()
                    continue
                group, self._waiting = self._waiting, []
                self._leading = True
                self._group.release()
                try:
                    self._commit(group)
                finally:
                    self._group.acquire()
                    self._leading = False
                    self._group.notify_all()

    def _commit(self, group: list[_Put]) -> None:
        """One transaction for the group: rows and claims all or none (a crash cannot leave a row
        nobody owns); a put whose owner was deleted meanwhile gets `NotFound` and no row."""
        committed = False
        try:
            with self._db.transaction() as tx:
                live = [put for put in group if not self.tombstones.is_deleted(put.owner)]
                for put in live:
                    if not put.path.exists():  # a refused put of the same bytes removed it meanwhile
                        self._write_atomically(put.path, put.data)
                self._insert_rows(tx, live)
                self._owners.claim_many([(put.digest, put.owner) for put in live], tx)
                for put in group:
                    if put not in live:  # deleted meanwhile: nothing is stored for them
                        self._drop_unrecorded(tx, put.digest, put.path)
                        put.error = NotFound("Nothing is stored for a person whose data was deleted.")
            committed = True
        except duckdb.Error as exc:
            failure: Exception = StorageError(f"Cannot record media {', '.join(p.digest for p in group)}: {exc}")
            for put in group:
                put.error = failure
        except Exception as exc:  # noqa: BLE001 - every put of the group learns why; none is recorded
            for put in group:
                put.error = exc
        finally:
            for put in group:
                if not committed and put.error is None:  # interrupted mid-commit: not recorded
                    put.error = StorageError(f"Recording media {put.digest} was interrupted.")
                put.done = True

    @staticmethod
    def _insert_rows(tx: duckdb.DuckDBPyConnection, puts: list[_Put]) -> None:
        """The media rows not yet there: one look, then one plain multi-row INSERT (under the write
        lock nobody inserts in between, and DuckDB's ON CONFLICT path costs more per statement)."""
        fresh = {put.digest: put for put in puts}
        if not fresh:
            return
        marks = ", ".join("?" for _ in fresh)
        for (known,) in tx.execute(f"SELECT sha256 FROM media WHERE sha256 IN ({marks})", list(fresh)).fetchall():
            fresh.pop(known, None)
        if fresh:
            now = datetime.now(UTC).replace(tzinfo=None)
            tx.execute(
                "INSERT INTO media (sha256, kind, extension, size_bytes, created_at) VALUES "
                + ", ".join("(?, ?, ?, ?, ?)" for _ in fresh),
                [value for put in fresh.values()
                 for value in (put.digest, MEDIA_KINDS[put.extension], put.extension, len(put.data), now)],
            )

    @staticmethod
    def _drop_unrecorded(tx: duckdb.DuckDBPyConnection, digest: str, path: Path) -> None:
        """Remove the file a refused put wrote, unless a recorded media row uses the same bytes
        (under the write lock, so no other put records it in between)."""
        if tx.execute("SELECT 1 FROM media WHERE sha256 = ?", [digest]).fetchone() is None:
            path.unlink(missing_ok=True)

    def get(self, sha256: str) -> MediaRef:
        if not _HASH.match(sha256):
            raise InvalidRequest("sha256", "is not a media id (64 hex characters)")
        row = self._db.cursor().execute(
            "SELECT extension, kind, size_bytes FROM media WHERE sha256 = ?", [sha256]
        ).fetchone()
        if row is None:
            raise NotFound(f"No media with id {sha256}.")
        extension, kind, size = row
        path = self._path(sha256, extension)
        if not path.exists():
            raise NotFound(f"The file of media {sha256} is missing from {self.root}.")
        return MediaRef(sha256=sha256, extension=extension, kind=kind, size_bytes=size, path=path)

    def read(self, sha256: str) -> bytes:
        return self.get(sha256).path.read_bytes()

    def delete(self, sha256: str) -> None:
        ref = self.get(sha256)
        ref.path.unlink(missing_ok=True)
        self._db.write("DELETE FROM media WHERE sha256 = ?", [sha256])
        self._db.write("DELETE FROM media_owners WHERE sha256 = ?", [sha256])

    def sweep_temporary(self) -> int:
        """Remove temporary files left by writes that never finished."""
        removed = 0
        for leftover in self.root.rglob(".tmp-*"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed

    def sweep_unowned(self) -> int:
        """Remove what a crash left without an owner: files with no media row, media rows whose
        file is gone, media nobody claims and media claimed only by deleted owners. Returns files removed."""
        known = {r[0]: r[1] for r in self._db.cursor().execute("SELECT sha256, extension FROM media").fetchall()}
        removed = 0
        for file in self.root.glob("??/*"):
            if file.is_file() and known.get(file.stem) != file.suffix.lstrip("."):
                file.unlink(missing_ok=True)
                removed += 1
        buried = self.tombstones.hashes()
        for sha, owner in self._owners.owners_of_media():
            if hashlib.sha256(owner.encode("utf-8")).hexdigest() in buried:
                self._owners.release(sha, owner)
        for sha in self._owners.unclaimed():
            path = self._path(sha, known.get(sha, ""))
            if path.exists():
                removed += 1
            path.unlink(missing_ok=True)
            self._db.write("DELETE FROM media WHERE sha256 = ?", [sha])
        for sha, extension in known.items():
            if not self._path(sha, extension).exists():
                self._db.write("DELETE FROM media WHERE sha256 = ?", [sha])
                self._db.write("DELETE FROM media_owners WHERE sha256 = ?", [sha])
        return removed

    def remove_unclaimed(self, media: list[str]) -> int:
        """Delete the files of `media` that no owner claims any more; how many went."""
        removed = 0
        for sha in self._owners.unclaimed(media):
            try:
                self.delete(sha)
                removed += 1
            except NotFound:
                self._db.write("DELETE FROM media WHERE sha256 = ?", [sha])
        return removed

    def contains(self, path: Path) -> bool:
        """Whether `path` lies inside the media root (media are never served from elsewhere)."""
        return path.resolve().is_relative_to(self.root)

    def _path(self, digest: str, extension: str) -> Path:
        return self.root / digest[:2] / f"{digest}.{extension}"

    def _write_atomically(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"Cannot write media under {self.root}: {exc.strerror or exc}") from exc
