"""Chapter pictures through the generation queue: submit, follow, report — never in the text's way.

Images are queue jobs of the built-in `image.generate` kind, recorded in the generations log as
kind `story_picture` (so ratings and requests show them under that workflow). The chapter keeps only the
job ids; the status of each picture is read back from the queue (whose jobs table is
persisted), so a resumed adventure finds its pictures again. A watcher thread per chapter
records how long each picture took, or that it timed out, in the story telemetry.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from engine.errors import JobError, StudioError
from engine.jobs import IMAGE_JOB, image_payload
from engine.providers.base import ImageRequest
from engine.queue import JobSpec, JobStatus, Priority
from engine.story.models import ChapterImage, StoryConfig, utcnow

if TYPE_CHECKING:
    from engine.queue import GenerationQueue
    from storage.media import MediaStore
    from storage.stories import StoryRepository

__all__ = ["PICTURE_KIND", "PLACEHOLDER_LABEL", "ChapterImages"]

logger = logging.getLogger(__name__)

PLACEHOLDER_LABEL = "storyboard placeholder — no image model configured"
PICTURE_KIND = "story_picture"  # the generations record's kind of a chapter picture
_FAILED = {JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED}


class ChapterImages:
    def __init__(self, *, queue: GenerationQueue, media: MediaStore, repo: StoryRepository, config: StoryConfig) -> None:
        self._queue = queue
        self._media = media
        self._repo = repo
        self._config = config

    def submit(self, adventure_id: str, user_id: str | None, items: list[tuple[str, str, str, int | None]]) -> list[ChapterImage]:
        """Queue one image per (kind, title, prompt, choice_index); returns them pending."""
        if not self._config.images or not items:
            return []
        size = self._config.image_size
        specs = []
        for _kind, title, prompt, _choice in items:
            seed = int(hashlib.sha256(f"{adventure_id}|{prompt}".encode()).hexdigest()[:8], 16)
            request = ImageRequest(prompt=prompt[:4000], width=size, height=size, seed=seed, title=title[:80])
            specs.append(
                JobSpec(
                    kind=IMAGE_JOB,
                    payload=image_payload(request, kind=PICTURE_KIND),
                    priority=Priority.INTERACTIVE,
                    user_id=user_id,
                    timeout_s=self._config.image_timeout_s,
                    max_retries=0,
                    batch_key=f"story-images-{size}",
                )
            )
        try:
            jobs = self._queue.submit_many(specs)
        except JobError as exc:  # a full or stopped queue costs the pictures, never the chapter
            logger.warning("Story images were not queued: %s", exc.user_message)
            return []
        return [
            ChapterImage(job_id=job.id, kind=kind, choice_index=choice, prompt=prompt)  # type: ignore[arg-type]
            for job, (kind, _title, prompt, choice) in zip(jobs, items, strict=True)
        ]

    def watch(self, adventure_id: str, chapter_index: int, images: list[ChapterImage]) -> None:
        """Record each picture's time (or its timeout) in the background."""
        if images:
            threading.Thread(
                target=self._watch, args=(adventure_id, chapter_index, images), name="story-images", daemon=True
            ).start()

    def _watch(self, adventure_id: str, chapter_index: int, images: list[ChapterImage]) -> None:
        deadline = self._config.image_timeout_s
        started = utcnow()
        for image in images:
            remaining = max(0.1, deadline - (utcnow() - started).total_seconds())
            try:
                job = self._queue.wait(image.job_id, timeout=remaining)
                if job.status is JobStatus.COMPLETED and job.finished_at is not None:
                    elapsed = (job.finished_at.replace(tzinfo=None) - job.created_at.replace(tzinfo=None))
                    self._repo.record(adventure_id, "image", chapter_index, elapsed.total_seconds() * 1000, image.kind)
                else:
                    self._repo.record(adventure_id, "image_failed", chapter_index, None, job.error or job.status.value)
            except JobError:
                self._safe_record(adventure_id, "image_timeout", chapter_index, image.job_id)
                try:
                    self._queue.cancel(image.job_id)
                except StudioError:
                    pass
            except StudioError:  # the engine is closing; telemetry is best effort
                return

    def _safe_record(self, adventure_id: str, event: str, chapter_index: int, detail: str) -> None:
        try:
            self._repo.record(adventure_id, event, chapter_index, None, detail)
        except StudioError:
            pass

    def status(self, images: list[ChapterImage], since: datetime) -> list[ChapterImage]:
        """Each picture as it stands now: ready (with its file), pending, failed or timed out."""
        out = []
        waited = (utcnow() - since).total_seconds()
        for image in images:
            try:
                job = self._queue.get(image.job_id)
            except StudioError:
                out.append(image.model_copy(update={"status": "failed", "note": "the image job is gone"}))
                continue
            if job.status is JobStatus.COMPLETED and job.result:
                try:
                    path = str(self._media.get(job.result["media"]).path)
                except StudioError:
                    out.append(image.model_copy(update={"status": "failed", "note": "the image file is missing"}))
                    continue
                placeholder = bool(job.result.get("is_placeholder"))
                elapsed = None
                if job.finished_at is not None:
                    elapsed = (job.finished_at - job.created_at).total_seconds() * 1000
                out.append(
                    image.model_copy(
                        update={
                            "status": "ready",
                            "path": path,
                            "is_placeholder": placeholder,
                            "note": PLACEHOLDER_LABEL if placeholder else (job.result.get("note") or ""),
                            "elapsed_ms": elapsed,
                            "made_by": f"{job.result.get('model')} on {job.result.get('provider')}"
                            if job.result.get("provider") else None,
                            "generation_id": job.result.get("generation_id"),
                        }
                    )
                )
            elif job.status in _FAILED:
                out.append(image.model_copy(update={"status": "failed", "note": job.error or "the image failed"}))
            elif waited > self._config.image_timeout_s:
                out.append(image.model_copy(update={"status": "timeout", "note": "the image took too long"}))
            else:
                out.append(image)
        return out
