"""From submitted specs to new jobs: every check first, then ids, defaults, blocked-at-birth children."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from engine.errors import InvalidRequest, NotFound
from engine.queue.models import Job, JobSpec, JobStatus, QueueConfig
from engine.queue.scheduler import Registration

__all__ = ["CreationClock", "blocked_message", "new_jobs"]

BAD_PARENT = (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED)


def blocked_message(parent: Job) -> str:
    """Why a child of `parent` cannot run; a blocked parent already names the job that failed."""
    if parent.status is JobStatus.BLOCKED and parent.error:
        return parent.error
    return f"blocked: parent {parent.id} ({parent.kind}) failed: {parent.error or parent.status.value}"


class CreationClock:
    """Strictly increasing creation times: FIFO order survives a restart (jobs reload by `created_at`)."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)

    def next(self) -> datetime:
        self._last = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        return self._last

    def advance_to(self, moment: datetime) -> None:
        self._last = max(self._last, moment)


def new_jobs(
    specs: Sequence[JobSpec],
    registrations: dict[str, Registration],
    config: QueueConfig,
    lookup: Callable[[str], Job],
    used_ids: Callable[[list[str]], list[str]],
    clock: CreationClock,
) -> list[Job]:
    """Validate `specs` and build their jobs (not stored yet). `lookup` raises `NotFound` for unknown ids."""
    ids = [spec.id or uuid.uuid4().hex for spec in specs]
    if len(set(ids)) != len(ids):
        raise InvalidRequest("id", "two specs share an id; give each job its own id")
    taken = used_ids([spec.id for spec in specs if spec.id])
    if taken:
        raise InvalidRequest("id", f"job id {taken[0]!r} is already used; choose another or leave id unset")
    made: dict[str, Job] = {}
    for job_id, spec in zip(ids, specs):
        _check_spec(spec, registrations)
        parents = [_parent(pid, job_id, made, ids, lookup) for pid in spec.parents]
        bad = next((p for p in parents if p.status in BAD_PARENT), None)
        created = clock.next()
        made[job_id] = Job(
            id=job_id,
            kind=spec.kind,
            payload=spec.payload,
            priority=spec.priority,
            status=JobStatus.BLOCKED if bad else JobStatus.PENDING,
            parents=list(spec.parents),
            attempts=0,
            max_retries=config.default_retries if spec.max_retries is None else spec.max_retries,
            timeout_s=config.default_timeout_s if spec.timeout_s is None else spec.timeout_s,
            batch_key=spec.batch_key,
            required_device=spec.device,
            user_id=spec.user_id,
            error=blocked_message(bad) if bad else None,
            created_at=created,
            finished_at=created if bad else None,
        )
    return list(made.values())


def _check_spec(spec: JobSpec, registrations: dict[str, Registration]) -> None:
    registration = registrations.get(spec.kind)
    if registration is None:
        known = ", ".join(sorted(registrations)) or "none"
        raise InvalidRequest(
            "kind", f"no handler is registered for {spec.kind!r} (registered: {known}); "
            "call GenerationQueue.register first"
        )
    if spec.device is not None and spec.device not in registration.device_kinds:
        raise InvalidRequest(
            "device", f"{spec.kind!r} runs only on {sorted(registration.device_kinds)}, not {spec.device!r}"
        )
    try:
        json.dumps(spec.payload)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest("payload", f"must be JSON-serialisable: {exc}") from exc


def _parent(parent_id: str, job_id: str, made: dict[str, Job], ids: list[str],
            lookup: Callable[[str], Job]) -> Job:
    if parent_id == job_id:
        raise InvalidRequest("parents", f"job {job_id!r} cannot be its own parent")
    if parent_id in made:
        return made[parent_id]
    if parent_id in ids:
        raise InvalidRequest("parents", f"parent {parent_id!r} must come before its child in submit_many")
    try:
        return lookup(parent_id)
    except NotFound as exc:
        raise InvalidRequest("parents", f"unknown job id {parent_id!r}; submit the parent first") from exc
