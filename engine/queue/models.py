"""What the queue takes and gives back: specs, jobs, events, statuses, its config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from storage.jobs import JobRecord

if TYPE_CHECKING:
    from engine.settings import Settings

__all__ = ["Job", "JobEvent", "JobSpec", "JobStatus", "Priority", "QueueConfig"]


class Priority(IntEnum):
    """Lower runs first."""

    INTERACTIVE = 0
    PREFETCH = 1
    BACKGROUND = 2


class JobStatus(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"

    @property
    def is_terminal(self) -> bool:
        """True once the job will never run again."""
        return self not in (JobStatus.PENDING, JobStatus.RUNNING)


class JobSpec(BaseModel):
    """A job as a caller submits it."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, description="Registered handler name.")
    payload: dict[str, Any] = Field(default_factory=dict, description="JSON-serialisable handler input.")
    priority: Priority = Priority.BACKGROUND
    parents: list[str] = Field(default_factory=list, description="Jobs that must complete first.")
    max_retries: int | None = Field(None, ge=0, description="None: the queue's default.")
    timeout_s: float | None = Field(None, gt=0, description="None: the queue's default.")
    user_id: str | None = None
    batch_key: str | None = Field(None, description="Jobs of one kind with equal keys may run as one batch.")
    device: Literal["cpu", "cuda"] | None = Field(None, description="Required device kind; None: any.")
    id: str | None = Field(
        None, min_length=1, max_length=128, description="Pre-assigned id, to wire parents in one submit_many."
    )


class Job(BaseModel):
    """A snapshot of one job."""

    id: str
    kind: str
    payload: dict[str, Any]
    priority: Priority
    status: JobStatus
    parents: list[str]
    attempts: int = Field(description="How many times a handler started it.")
    max_retries: int
    timeout_s: float
    batch_key: str | None = None
    device: str | None = Field(None, description="Device it runs or last ran on, e.g. 'cuda:0'.")
    required_device: str | None = Field(None, description="Device kind it asked for ('cpu'/'cuda').")
    user_id: str | None = None
    progress: float = 0.0
    message: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def from_record(cls, record: JobRecord) -> Job:
        return cls(
            id=record.id,
            kind=record.kind,
            payload=record.payload,
            priority=Priority(record.priority),
            status=JobStatus(record.status),
            parents=record.parents,
            attempts=record.attempts,
            max_retries=record.max_retries,
            timeout_s=record.timeout_s,
            batch_key=record.batch_key,
            device=record.device,
            required_device=record.required_device,
            user_id=record.user_id,
            progress=record.progress,
            message=record.message,
            result=record.result,
            error=record.error,
            created_at=record.created_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
        )

    def to_record(self, not_before: datetime | None = None) -> JobRecord:
        return JobRecord(
            id=self.id,
            kind=self.kind,
            payload=self.payload,
            priority=int(self.priority),
            status=self.status.value,
            parents=self.parents,
            attempts=self.attempts,
            max_retries=self.max_retries,
            timeout_s=self.timeout_s,
            batch_key=self.batch_key,
            device=self.device,
            required_device=self.required_device,
            user_id=self.user_id,
            progress=self.progress,
            message=self.message,
            result=self.result,
            error=self.error,
            not_before=not_before,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
        )


class JobEvent(BaseModel):
    """One change of a job: status, progress or message."""

    job_id: str
    status: JobStatus
    progress: float
    message: str | None = None
    at: datetime


@dataclass(frozen=True)
class QueueConfig:
    """Limits and defaults of a `GenerationQueue`."""

    max_pending: int = 1000
    max_batch: int = 8
    batch_window_ms: int = 20
    default_timeout_s: float = 600.0
    default_retries: int = 2
    retry_initial_s: float = 1.0
    retry_max_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueConfig:
        return cls(
            max_pending=settings.queue_max_pending,
            max_batch=settings.queue_max_batch,
            batch_window_ms=settings.queue_batch_window_ms,
            default_timeout_s=settings.job_timeout_s,
            default_retries=settings.job_retries,
        )
