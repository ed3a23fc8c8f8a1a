"""The onboarding tab's words: asset states, the course's making progress, what a deletion removed."""

from __future__ import annotations

from collections.abc import Sequence

from engine.deletion import DeletionReport
from engine.scenarios import AssetStatus

__all__ = ["making_stage", "plural", "removed_words", "status_rows"]

_KINDS = {"image": "scene", "video": "talking photo", "dub": "phone call"}
_DONE = ("completed", "failed", "blocked", "cancelled", "missing")

# What each table's rows are, for a person ("3 narrations"); tables not named here are bookkeeping.
_TABLE_WORDS: dict[str, tuple[str, str]] = {
    "scenario_users": ("course", "courses"),
    "scenario_assets": ("picture, video or call", "pictures, videos and calls"),
    "narration_cache": ("narration", "narrations"),
    "course_quiz_answers": ("quiz answer", "quiz answers"),
    "stories": ("story", "stories"),
    "story_events": ("story chapter or choice", "story chapters and choices"),
    "intent_classifications": ("intent-lab classification", "intent-lab classifications"),
    "intent_corrections": ("correction", "corrections"),
    "intent_references": ("saved reference", "saved references"),
    "intent_selections": ("model choice", "model choices"),
    "personas": ("persona", "personas"),
    "persona_images": ("persona image", "persona images"),
    "feedback": ("rating", "ratings"),
    "generations": ("record of a model call", "records of model calls"),
    "jobs": ("queue job", "queue jobs"),
}


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _state(status: AssetStatus) -> str:
    if status.status == "completed":
        return f"ready ({status.seconds:.1f} s)" if status.seconds else "ready"
    if status.status == "running":
        return f"making: {status.message or 'started'} ({status.progress:.0%})"
    if status.status == "pending":
        return "waiting"
    if status.status == "failed":
        return f"failed: {status.error or 'unknown error'}; it is made when you open its step"
    return status.status


def status_rows(statuses: Sequence[AssetStatus]) -> list[list[str]]:
    """Two columns that fit a phone: what it is, and its state in words."""
    return [[f"{s.title} ({_KINDS.get(s.kind, s.kind)})", _state(s)] for s in statuses]


def making_stage(statuses: Sequence[AssetStatus]) -> tuple[int, int, str]:
    """(ready, total, stage in words): e.g. 'Lottery winner talking photo: moving the mouth with the speech'."""
    ready = sum(s.status == "completed" for s in statuses)
    total = len(statuses)
    running = [s for s in statuses if s.status == "running"]
    if all(s.status in _DONE for s in statuses):
        failed = total - ready
        tail = f"; {plural(failed, 'item', 'items')} will be made when you open its step" if failed else ""
        return ready, total, f"Your course is ready: {ready} of {total} made{tail}."
    now = running[0] if running else next(s for s in statuses if s.status not in _DONE)
    doing = f"{now.title} {_KINDS.get(now.kind, now.kind)}"
    step = now.message if now.status == "running" and now.message else "waiting for a worker"
    return ready, total, f"Making your course: {ready} of {total} ready. Now: {doing} ({step})."


def removed_words(report: DeletionReport) -> str:
    """'Removed 14 files, 1 course, 11 pictures, videos and calls and 3 narrations.' in words."""
    parts = []
    if report.files_deleted:
        parts.append(plural(report.files_deleted, "file", "files"))
    for table, (one, many) in _TABLE_WORDS.items():
        if report.tables.get(table):
            parts.append(plural(report.tables[table], one, many))
    if report.copies_deleted:
        parts.append(plural(report.copies_deleted, "copy the web page had cached", "copies the web page had cached"))
    if not parts:
        return "There was nothing of yours to remove."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    stopped = f" Stopped {plural(report.jobs_cancelled, 'unfinished job', 'unfinished jobs')}." if report.jobs_cancelled else ""
    return f"Removed {listed}.{stopped} Nothing you made here is left."
