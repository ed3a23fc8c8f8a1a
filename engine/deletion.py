"""Deletion that deletes: every record, file and served copy of an owner.

```python
report = engine.deletion.forget(owner=caller, copies_in=[gradio_cache_dir], extra_paths=uploads)
```

In order: a tombstone first (nothing is stored for the owner from now on, so a job finishing
late cannot write), their jobs cancelled and waited for, buffered logs flushed (so no row lands
after the delete), every row in every table removed in one transaction, every file they alone
owned removed, the copies a web UI cached or received as uploads removed, and the database
checkpointed so the rows leave the file too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from engine.errors import JobError, NotFound, StudioError
from engine.ownership import Owner
from storage.copies import remove_copies
from storage.ownership import OwnerRecords

if TYPE_CHECKING:
    from engine.queue import GenerationQueue
    from storage.database import Database
    from storage.media import MediaStore

__all__ = ["DeletionReport", "DeletionService"]

JOB_WAIT_S = 30.0


class DeletionReport(BaseModel):
    """What a deletion removed."""

    user_id: str | None = None
    rows_deleted: int
    tables: dict[str, int]
    files_deleted: int
    copies_deleted: int
    jobs_cancelled: int
    jobs_still_running: int = 0


class DeletionService:
    def __init__(self, *, db: Database, media: MediaStore, queue: GenerationQueue,
                 flushers: Iterable[Callable[[], object]] = ()) -> None:  # fmt: skip
        self._media = media
        self._queue = queue
        self._records = OwnerRecords(db)
        self._flushers: list[Callable[[], object]] = [queue.flush, *flushers]
        self._forgetters: list[Callable[[str], object]] = []

    def add_flusher(self, flush: Callable[[], object]) -> None:
        """A buffer of rows (a log, a cache's counters) to write before rows are deleted."""
        self._flushers.append(flush)

    def add_forgetter(self, forget: Callable[[str], object]) -> None:
        """Memory of an owner (an index, a profile cache) to drop after their rows are deleted."""
        self._forgetters.append(forget)

    def forget(self, *, owner: Owner, copies_in: Iterable[Path] = (), extra_paths: Iterable[Path] = (),
               user_id: str | None = None) -> DeletionReport:  # fmt: skip
        """Delete everything `owner` made. The operator's own records are deleted one onboarded
        person at a time (`user_id`), never all at once by this call."""
        if owner.operator and user_id is None:
            raise NotFound("The operator's records are deleted one person at a time: name the person.")
        buried = not owner.operator
        if buried:
            self._media.tombstones.bury(owner.id)
        running = 0
        try:
            cancelled, running = self._stop_jobs(owner.id, user_id)
            for flush in self._flushers:
                flush()
            media = self._claimed_sizes(owner.id, user_id)
            every_job = [j.id for j in self._queue.list_jobs(limit=100_000, owner=owner.id)
                         if user_id is None or j.payload.get("user_id") == user_id]  # fmt: skip
            if user_id is None:
                tables, claimed = self._records.delete_owner(owner.id)
            else:
                tables, claimed = self._records.delete_person(owner.id, user_id)
            self._queue.forget(every_job)
            for forget in self._forgetters:
                forget(owner.id)
            files = self._media.remove_unclaimed(claimed)
            copies = remove_copies(copies_in, media, extra_paths)
            self._records.checkpoint()
        finally:
            if buried and not owner.visitor and running == 0:
                # An account may come back and start again; a visitor key is never used again.
                self._media.tombstones.lift(owner.id)
        return DeletionReport(user_id=user_id, rows_deleted=sum(tables.values()), tables=tables, files_deleted=files,
                              copies_deleted=len(copies), jobs_cancelled=cancelled, jobs_still_running=running)  # fmt: skip

    def _claimed_sizes(self, owner_id: str, user_id: str | None) -> dict[str, int]:
        """sha256 -> size of the media the deletion concerns (to find their copies by name or content)."""
        sizes: dict[str, int] = {}
        for sha in self._records.media_of(owner_id, user_id):
            try:
                sizes[sha] = self._media.get(sha).size_bytes
            except StudioError:
                continue
        return sizes

    def _jobs(self, owner_id: str, user_id: str | None) -> list[str]:
        return [
            job.id
            for job in self._queue.list_jobs(limit=100_000)
            if job.user_id == owner_id and not job.status.is_terminal
            and (user_id is None or job.payload.get("user_id") == user_id)
        ]  # fmt: skip

    def _stop_jobs(self, owner_id: str, user_id: str | None) -> tuple[int, int]:
        """Cancel the owner's unfinished jobs and wait for the running ones to stop."""
        ids = self._jobs(owner_id, user_id)
        cancelled = 0
        for job_id in ids:
            try:
                self._queue.cancel(job_id)
                cancelled += 1
            except (NotFound, JobError):
                continue
        running = 0
        for job_id in ids:
            try:
                self._queue.wait(job_id, JOB_WAIT_S)
            except NotFound:
                continue
            except JobError:
                running += 1 if not self._queue.get(job_id).status.is_terminal else 0
        return cancelled, running

    def sweep(self) -> int:
        """At start: remove media with no owner (a crash between storing a file and its row) and
        media of deleted owners. Returns the files removed."""
        return self._media.sweep_unowned()
