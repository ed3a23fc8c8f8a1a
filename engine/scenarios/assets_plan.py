"""The bundled scripts, and the ten pre-generated assets of a person as queue jobs with dependencies.

4 scenario images (no parents) -> 4 talking-photo videos (each after its image);
2 voice dubs (no parents). Job ids are derived from the user id, so a restart, a
status query and the real-time fallback all find the same jobs.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.queue import JobSpec, Priority
from engine.scenarios.models import CourseModule, CourseStep

__all__ = [
    "ASSETS_DIR",
    "DUB_JOB",
    "IMAGE_JOB",
    "NARRATION_JOB",
    "VIDEO_JOB",
    "PlannedAsset",
    "Scripts",
    "job_id",
    "job_specs",
    "load_scripts",
    "plan",
    "render_text",
]  # fmt: skip

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets" / "scenarios"
IMAGE_JOB, VIDEO_JOB, DUB_JOB, NARRATION_JOB = "scenario.image", "scenario.video", "scenario.dub", "scenario.narration"


@dataclass(frozen=True)
class PlannedAsset:
    name: str  # e.g. lottery_image
    kind: str  # image | video | dub
    scenario: str  # lottery ... or the dub's id
    title: str
    job_kind: str
    parent: str | None = None  # the asset name it waits for


@dataclass(frozen=True)
class Scripts:
    disclosure: str
    scenarios: dict[str, dict[str, Any]]
    dubs: dict[str, dict[str, Any]]
    course_title: str
    modules: list[CourseModule]

    def steps(self) -> list[CourseStep]:
        return [step for module in self.modules for step in module.steps]

    def step(self, step_id: str) -> CourseStep | None:
        return next((s for s in self.steps() if s.id == step_id), None)

    def next_step(self, step_id: str) -> CourseStep | None:
        steps = self.steps()
        for i, step in enumerate(steps):
            if step.id == step_id:
                return steps[i + 1] if i + 1 < len(steps) else None
        return None


@functools.lru_cache(maxsize=4)
def load_scripts(folder: Path = ASSETS_DIR) -> Scripts:
    """Scenario scripts and course modules from `assets/scenarios/*.json`."""
    try:
        scenarios = json.loads((folder / "scenarios.json").read_text(encoding="utf-8"))
        course = json.loads((folder / "course.json").read_text(encoding="utf-8"))
        modules = [CourseModule.model_validate(m) for m in course["modules"]]
        return Scripts(
            disclosure=scenarios["disclosure"],
            scenarios={s["id"]: s for s in scenarios["scenarios"]},
            dubs={d["id"]: d for d in scenarios["dubs"]},
            course_title=course["title"],
            modules=modules,
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError("assets/scenarios", f"the bundled scripts could not be read ({exc}); reinstall Studio") from exc


def render_text(template: str, name: str, age: int) -> str:
    return template.replace("{name}", name).replace("{age}", str(age))


def plan(scripts: Scripts | None = None) -> list[PlannedAsset]:
    """The ten assets, images first (their videos wait for them), then dubs."""
    scripts = scripts or load_scripts()
    assets = [PlannedAsset(f"{sid}_image", "image", sid, s["title"], IMAGE_JOB) for sid, s in scripts.scenarios.items()]
    assets += [
        PlannedAsset(f"{sid}_video", "video", sid, s["title"], VIDEO_JOB, parent=f"{sid}_image")
        for sid, s in scripts.scenarios.items()
    ]
    assets += [PlannedAsset(did, "dub", did, d["title"], DUB_JOB) for did, d in scripts.dubs.items()]
    return assets


def job_id(job_key: str, asset: str) -> str:
    """A person's asset job: `scn-<job_key>-<asset>`, where the key is random and never the person's id."""
    return f"scn-{job_key}-{asset}"


def job_specs(user_id: str, job_key: str, owner: str, assets: list[PlannedAsset]) -> list[JobSpec]:
    """One job per asset, owned by `owner`; retries and timeout are the queue's defaults (2 and 600 s)."""
    return [
        JobSpec(
            id=job_id(job_key, a.name),
            kind=a.job_kind,
            payload={"user_id": user_id, "asset": a.name},
            priority=Priority.BACKGROUND,
            parents=[job_id(job_key, a.parent)] if a.parent else [],
            user_id=owner,
        )
        for a in assets
    ]
