"""Records the analytics service returns."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["DateRange", "ExportFormat", "ExportResult", "Feedback", "Report"]


class Feedback(BaseModel):
    id: str
    created_at: datetime
    generation_id: str
    rating: int = Field(ge=1, le=5)
    comment: str | None = None


class ExportFormat(str, Enum):
    OPENAI = "openai"
    PROMPT_COMPLETION = "prompt-completion"


class ExportResult(BaseModel):
    count: int
    files: dict[str, int]  # path -> lines written
    filters: dict[str, Any]


class DateRange(BaseModel):
    start: date
    end: date  # inclusive last day


class Report(BaseModel):
    days: int
    since: datetime
    overall: dict[str, Any]
    router_threshold: float
    lowest_rated: list[dict[str, Any]]
    frequent_errors: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    bad_routing: list[dict[str, Any]]
