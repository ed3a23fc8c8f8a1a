"""Pick a model for a workflow: the catalogue, a quality preference and the providers on hand."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import ConfigError, InvalidRequest
from engine.intent.examples import CATALOGUE_PATH
from engine.intent.models import ModelOption, ModelSelection, Quality, Workflow
from engine.providers.base import Capability
from engine.providers.catalogue_prices import Price

if TYPE_CHECKING:
    from engine.providers.registry import ProviderRegistry

__all__ = [
    "WORKFLOW_CAPABILITY",
    "Catalogue",
    "CatalogueGap",
    "WorkflowModels",
    "catalogue_gaps",
    "catalogue_providers",
    "load_catalogue",
    "select_model",
]

# The adapter capability that runs each workflow.
WORKFLOW_CAPABILITY: dict[Workflow, Capability] = {
    Workflow.IMAGE_GENERATION: Capability.TEXT_TO_IMAGE,
    Workflow.IMAGE_EDITING: Capability.IMAGE_EDIT,
    Workflow.IMAGE_ENHANCEMENT: Capability.IMAGE_EDIT,
    Workflow.HAIR_STYLING: Capability.IMAGE_EDIT,
    Workflow.REFERENCE_STYLING: Capability.IMAGE_EDIT,
    Workflow.STYLE_TRANSFER: Capability.IMAGE_EDIT,
    Workflow.TEXT_TO_VIDEO: Capability.TEXT_TO_VIDEO,
    Workflow.IMAGE_TO_VIDEO: Capability.IMAGE_TO_VIDEO,
    Workflow.VIDEO_GENERATION: Capability.TEXT_TO_VIDEO,
}


@dataclass(frozen=True)
class CatalogueGap:
    """A catalogue entry that no registered adapter can serve here, and why."""

    workflow: Workflow
    model_id: str
    provider: str
    capability: Capability
    reason: str

    def line(self) -> str:
        return f"{self.workflow.value}: {self.model_id} on {self.provider} — {self.reason}"


def catalogue_gaps(registry: ProviderRegistry, catalogue: Catalogue | None = None) -> list[CatalogueGap]:
    """Check the catalogue against the registered adapters: entries whose provider has no
    adapter for the workflow's capability (or one that cannot run here), each with why."""
    catalogue = catalogue or load_catalogue()
    runnable = {capability: set(registry.runnable(capability)) for capability in set(WORKFLOW_CAPABILITY.values())}
    gaps = []
    for workflow, entry in catalogue.workflows.items():
        capability = WORKFLOW_CAPABILITY[workflow]
        for option in entry.models:
            if option.provider in runnable[capability]:
                continue
            spec = registry.spec(capability, option.provider)
            if spec is None:
                reason = f"no {option.provider} adapter for {capability.label} is registered"
            else:
                reason = f"the {option.provider} {capability.label} adapter cannot run: {spec.check(registry.settings)}"
            gaps.append(CatalogueGap(workflow, option.model_id, option.provider, capability, reason))
    return gaps


def catalogue_providers(workflow: Workflow, catalogue: Catalogue | None = None) -> set[str]:
    entry = (catalogue or load_catalogue()).workflows.get(workflow)
    return {option.provider for option in entry.models} if entry else set()


class WorkflowModels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    primary: str
    models: tuple[ModelOption, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _primary_listed(self) -> WorkflowModels:
        if self.primary not in {option.model_id for option in self.models}:
            raise ValueError(f"primary {self.primary!r} is not among its models")
        return self


class Catalogue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    video_seconds: float = Field(5.0, gt=0)
    workflows: dict[Workflow, WorkflowModels]

    def cost(self, option: ModelOption) -> float:
        """The estimated cost of one run, as the adapter that runs the model estimates it."""
        price = Price(cost_usd=option.cost_usd, unit=option.unit)  # type: ignore[arg-type]
        return round(price.estimate(None, self.video_seconds), 4)


@lru_cache(maxsize=8)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and validate the YAML catalogue (cached per path)."""
    try:
        return Catalogue.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(str(path), f"the model catalogue cannot be read: {exc}".splitlines()[0]) from exc


def _ordered(options: list[ModelOption], primary: str, quality: Quality) -> list[ModelOption]:
    """Candidates best-first for the preference; labelled stand-ins always last."""
    listed = {option.model_id: rank for rank, option in enumerate(options)}
    if quality is Quality.SPEED:
        key = lambda o: (o.placeholder, o.quality < 2, o.seconds, o.cost_usd)
    elif quality is Quality.QUALITY:
        key = lambda o: (o.placeholder, -o.quality, listed[o.model_id])
    else:
        key = lambda o: (o.placeholder, o.model_id != primary, listed[o.model_id])
    return sorted(options, key=key)


def select_model(
    workflow: Workflow | str,
    quality: Quality | str = Quality.BALANCED,
    available_providers: Collection[str] = ("embedded",),
    catalogue: Catalogue | None = None,
) -> ModelSelection:
    """The model to run `workflow` with, its fallbacks, and what it will cost and take.

    `speed` takes the fastest usable model, `quality` the best, `balanced` the catalogue's
    primary (or the first listed that is available).
    """
    try:
        workflow, quality = Workflow(workflow), Quality(quality)
    except ValueError as exc:
        raise InvalidRequest("workflow/quality", f"{exc}; quality is one of speed, balanced, quality") from exc
    catalogue = catalogue or load_catalogue()
    entry = catalogue.workflows.get(workflow)
    if entry is None:
        raise ConfigError("assets/intent/catalogue.yaml", f"lists no models for {workflow.value}")
    providers = {name.strip().lower() for name in available_providers}
    usable = [option for option in entry.models if option.provider in providers]
    if not usable:
        offered = sorted({option.provider for option in entry.models})
        raise InvalidRequest(
            "available_providers",
            f"none of {sorted(providers)} can run {workflow.label}; configure one of {offered}",
        )
    ranked = _ordered(usable, entry.primary, quality)
    choice = ranked[0]
    skipped = [option.model_id for option in entry.models if option.provider not in providers]
    why = {
        Quality.SPEED: f"fastest available (~{choice.seconds:g} s)",
        Quality.QUALITY: f"best available (quality {choice.quality}/5)",
        Quality.BALANCED: "the catalogue's primary" if choice.model_id == entry.primary else "first available",
    }[quality]
    reason = f"{quality.value}: {choice.model_id} on {choice.provider}, {why}"
    if choice.placeholder:
        reason += f"; a labelled stand-in: {choice.note}"
    elif choice.embedded and choice.note:
        reason += f"; embedded limits: {choice.note}"
    if skipped:
        reason += f"; not available here: {', '.join(skipped[:3])}{'…' if len(skipped) > 3 else ''}"
    return ModelSelection(
        workflow=workflow,
        quality=quality,
        primary=choice.model_id,
        provider=choice.provider,
        fallbacks=tuple(ranked[1:]),
        estimated_cost_usd=catalogue.cost(choice),
        estimated_seconds=choice.seconds,
        served_by_embedded=choice.embedded,
        is_placeholder=choice.placeholder,
        reason=reason,
    )
