"""The learning loop's service: feedback on outputs, dashboard queries, the improvement report,
training-set export, and the router's calibration and decision log.

Ownership: a person rates only generations they own (an admin any); the dashboard, the report,
the decision log and the export cover everyone's data, so they are for admins (the CLI acts as
the operator, an admin) whenever auth is on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from engine.analytics.export import write_jsonl
from engine.analytics.models import ExportFormat, ExportResult, Feedback, Report
from engine.analytics.rollups import RollupMaintainer
from engine.errors import InvalidRequest, NotFound
from engine.ownership import Owner
from engine.routing.router import Calibration, HybridRouter, RouteDecision
from engine.settings import Settings
from storage.analytics import DASHBOARD_QUERIES, AnalyticsRepository
from storage.database import Database
from storage.feedback import FeedbackRepository, FeedbackRow
from storage.generations import GenerationLog
from storage.routing import DecisionRow, RouterLog

__all__ = ["CHARTS", "AnalyticsService"]

CHARTS: tuple[str, ...] = tuple(DASHBOARD_QUERIES)
MAX_COMMENT = 2000


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class AnalyticsService:
    def __init__(
        self, settings: Settings, db: Database, generations: GenerationLog, router_log: RouterLog, router: HybridRouter
    ) -> None:
        self._settings = settings
        self._generations = generations
        self._router_log = router_log
        self._router = router
        self._feedback = FeedbackRepository(db)
        self._repo = AnalyticsRepository(db)
        self._rollups = RollupMaintainer(self._repo.rollups_stale, self._repo.rebuild_rollups,
                                         settings.analytics_rollup_interval_s)
        self._rollups.start()

    def close(self) -> None:
        self._rollups.stop()
        self._router_log.close()

    def refresh_rollups(self, *, owner: Owner) -> float | None:
        """Rebuild the dashboards' closed-day rollups now if they miss a day; seconds, or None."""
        self._require_viewer(owner)
        self.flush()
        return self._rollups.run_once()

    # -- access -------------------------------------------------------------------
    def can_view(self, owner: Owner) -> bool:
        """Everyone's numbers are for admins once auth is on; without auth the studio is one person's."""
        return owner.admin or not self._settings.accounts

    def _require_viewer(self, owner: Owner) -> None:
        if not self.can_view(owner):
            raise InvalidRequest("owner", "the analytics are for admins; ask to be listed in STUDIO_ADMIN_USERS")

    def flush(self) -> None:
        """Write buffered model-call records and router decisions now (readers and deletion call this)."""
        self._generations.flush()
        self._router_log.flush()

    # -- feedback -----------------------------------------------------------------
    def feedback(self, generation_id: str, rating: int, comment: str | None = None, *, owner: Owner) -> Feedback:
        """Rate one output 1-5 (thumbs up = 5, down = 1) with an optional comment."""
        generation_id = (generation_id or "").strip()
        if not generation_id:
            raise InvalidRequest("generation_id", "give the id of the output to rate")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidRequest("rating", "give a whole number from 1 (bad) to 5 (great)")
        comment = (comment or "").strip() or None
        if comment and len(comment) > MAX_COMMENT:
            raise InvalidRequest("comment", f"keep the comment under {MAX_COMMENT} characters")
        self._generations.flush()
        exists, generation_owner = self._feedback.generation_owner(generation_id)
        if not exists or not (owner.admin or owner.owns(generation_owner)):
            raise NotFound(f"No output {generation_id} to rate.")
        row = self._feedback.add(FeedbackRow(owner=owner.id, generation_id=generation_id, rating=rating, comment=comment))
        return Feedback(**row.model_dump(exclude={"owner"}))

    def feedback_for(self, generation_id: str, *, owner: Owner) -> list[Feedback]:
        """The ratings of one output the caller owns (an admin: any)."""
        self._generations.flush()
        exists, generation_owner = self._feedback.generation_owner(generation_id)
        if not exists or not (owner.admin or owner.owns(generation_owner)):
            raise NotFound(f"No output {generation_id}.")
        return [Feedback(**r.model_dump(exclude={"owner"})) for r in self._feedback.for_generation(generation_id)]

    def delete_owner(self, owner_id: str) -> None:
        """Remove a person's feedback, ratings of their outputs, decisions and text samples."""
        self.flush()
        self._feedback.delete_owner(owner_id)
        self._router_log.delete_owner(owner_id)

    # -- dashboard ----------------------------------------------------------------
    def dashboard(
        self, start: date, end: date, workflow: str | None = None, *, owner: Owner, charts: tuple[str, ...] = CHARTS
    ) -> dict[str, pd.DataFrame]:
        """Each chart's numbers over [start, end] (days, inclusive), optionally one workflow."""
        self._require_viewer(owner)
        if end < start:
            raise InvalidRequest("end", "the last day must not be before the first day")
        unknown = [c for c in charts if c not in DASHBOARD_QUERIES]
        if unknown:
            raise InvalidRequest("charts", f"unknown chart {unknown[0]!r}; known: {', '.join(CHARTS)}")
        self.flush()
        workflow = (workflow or "").strip() or None
        return {name: self._repo.dashboard(name, start, end + timedelta(days=1), workflow) for name in charts}

    def workflows(self, start: date, end: date, *, owner: Owner) -> list[str]:
        self._require_viewer(owner)
        self._generations.flush()
        return self._repo.workflows(start, end + timedelta(days=1))

    def decisions(self, limit: int = 50, *, owner: Owner) -> list[DecisionRow]:
        self._require_viewer(owner)
        return self._router_log.recent_decisions(limit)

    # -- report -------------------------------------------------------------------
    def report(self, days: int = 30, *, owner: Owner) -> Report:
        """Performance summary and improvement report over the last `days` days."""
        self._require_viewer(owner)
        if not 1 <= days <= 3650:
            raise InvalidRequest("days", "give between 1 and 3650 days")
        self.flush()
        since = _now() - timedelta(days=days)
        return Report(
            days=days,
            since=since,
            overall=self._repo.overall(since),
            router_threshold=self._router.threshold,
            lowest_rated=self._repo.lowest_rated(since),
            frequent_errors=self._repo.frequent_errors(since),
            trends=self._repo.trends(since),
            bad_routing=self._repo.bad_routing(since),
        )

    # -- routing ------------------------------------------------------------------
    def route(self, prompt: str, *, kind: str = "playground", owner: Owner) -> RouteDecision:
        """What the router would choose for a prompt, and why (measurements read fresh; not logged)."""
        self.flush()
        self._router.performance(wait=True)
        return self._router.decide(prompt, kind=kind)

    def calibrate(self, share: float, last: int = 1000, *, owner: Owner) -> Calibration:
        self._require_viewer(owner)
        return self._router.calibrate(share, last)

    # -- export -------------------------------------------------------------------
    def export_training(
        self,
        output: Path,
        fmt: ExportFormat = ExportFormat.OPENAI,
        *,
        owner: Owner,
        since: date | None = None,
        min_rating: float | None = None,
        kind: str | None = None,
        split_by_kind: bool = False,
    ) -> ExportResult:
        """Write routed text samples (successful calls only) as JSONL; a deleted person's never appear."""
        self._require_viewer(owner)
        if min_rating is not None and not 1 <= min_rating <= 5:
            raise InvalidRequest("min_rating", "give a rating from 1 to 5")
        if output.exists() and output.is_dir():
            raise InvalidRequest("output", f"{output} is a folder; give a .jsonl file name")
        self.flush()
        start = datetime(since.year, since.month, since.day) if since else None
        kind = (kind or "").strip() or None
        rows = self._repo.training_rows(start, kind, min_rating)
        files = write_jsonl(rows, fmt, output, split_by_kind)
        filters: dict[str, Any] = {
            "format": fmt.value,
            "since": since.isoformat() if since else None,
            "min_rating": min_rating,
            "kind": kind,
            "split_by_kind": split_by_kind,
        }
        return ExportResult(count=sum(files.values()), files=files, filters=filters)
