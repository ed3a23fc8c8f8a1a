"""Run a planned request where a provider on hand can: the embedded OpenCV/ffmpeg operations,
or the configured image model; otherwise say plainly which provider and model it needs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from engine.editing import EDITABLE_WORKFLOWS, plan_edit, run_edit
from engine.errors import InvalidRequest
from engine.imaging import encode_png, fit_within, read_image, to_rgb
from engine.intent.catalogue import select_model
from engine.intent.models import ModelSelection, ProcessPlan, ProcessResult, RunStatus, Workflow
from engine.providers.base import Capability, ImageRequest, VideoRequest
from engine.providers.gateway import CallContext
from engine.resilience import BreakerBoard

if TYPE_CHECKING:
    from engine.engine import Engine

__all__ = ["PlanRunner", "working_image", "REMOTE_PROVIDERS", "MAX_WORKING_SIDE", "MAX_IMAGE_BYTES"]

REMOTE_PROVIDERS = ("replicate", "openai", "gemini")
MAX_WORKING_SIDE = 2048
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_WORKING_SIDE = 32
T = TypeVar("T")


def working_image(image: np.ndarray | bytes | Any | None, *, max_pixels: int | None = None) -> np.ndarray | None:
    """The user's working image as RGB uint8, scaled down to at most `MAX_WORKING_SIDE` a side;
    `InvalidRequest` for something that is not an image, is too small, or is too large (bytes are
    refused from their header above `max_pixels`, before decoding)."""
    if image is None:
        return None
    if isinstance(image, bytes | bytearray):
        if len(image) > MAX_IMAGE_BYTES:
            raise InvalidRequest("image", f"the image is {len(image) / 1e6:.1f} MB; use one of at most 20 MB")
        decoded = read_image(bytes(image), max_pixels=max_pixels, max_side=MAX_WORKING_SIDE)
        height, width = decoded.height, decoded.width
        rgb = decoded.rgb
    else:
        rgb = to_rgb(image)
        height, width = rgb.shape[:2]
    if min(height, width) < MIN_WORKING_SIDE:
        raise InvalidRequest("image", f"the image is only {width}x{height} pixels; use one of at least 32 a side")
    return np.ascontiguousarray(fit_within(rgb, MAX_WORKING_SIDE))


def _remote_pick(plan: ProcessPlan) -> ModelSelection:
    """The catalogue's pick among the remote providers, for the same workflow and preference."""
    try:
        return select_model(plan.classification.workflow_type, plan.selection.quality, REMOTE_PROVIDERS)
    except InvalidRequest:
        return plan.selection


class PlanRunner:
    """Carries out a `ProcessPlan`. Remote calls go through the provider's circuit breaker."""

    def __init__(self, engine: Engine, breakers: BreakerBoard) -> None:
        self._engine = engine
        self._breakers = breakers

    def run(self, plan: ProcessPlan, image: np.ndarray | None, context: CallContext) -> ProcessResult:
        workflow = plan.classification.workflow_type
        selection = plan.selection
        if not plan.runnable_here:
            return self.needs_provider(plan, f"No provider here can run {workflow.label}.")
        if workflow.value in EDITABLE_WORKFLOWS and selection.served_by_embedded:
            return self._edit(plan, image, context)
        if workflow is Workflow.IMAGE_GENERATION:
            return self._generate_image(plan, context)
        return self.needs_provider(plan, f"{selection.primary} has no adapter here to run it.")

    def needs_provider(self, plan: ProcessPlan, why: str) -> ProcessResult:
        """Not run: the plan, the model and provider it needs, and what that would cost."""
        remote = _remote_pick(plan)
        needs = f"{remote.primary} on {remote.provider}"
        message = (
            f"{why} Needs provider {remote.provider} ({remote.primary}), which is not configured here: "
            f"about ${remote.estimated_cost_usd:.3f} and {remote.estimated_seconds:.0f} s per run."
        )
        return ProcessResult(plan=plan, status=RunStatus.NEEDS_PROVIDER, message=message, needs=needs)

    # -- the embedded operations ---------------------------------------------------------

    def _edit(self, plan: ProcessPlan, image: np.ndarray | None, context: CallContext) -> ProcessResult:
        workflow = plan.classification.workflow_type
        if image is None:
            raise InvalidRequest(
                "image", f"{workflow.label} works on an existing image: add a working image and try again"
            )
        edit = plan_edit(workflow.value, plan.prompt.original)
        if not edit.supported:
            return self.needs_provider(plan, edit.reason)
        started = time.perf_counter()
        faces: Sequence[Any] = ()
        if edit.needs_faces:
            faces = self._engine.models.vision.detect_faces([image], context)[0]
        output = run_edit(edit, image, faces)
        if output.kind == "video":
            assert output.frames is not None
            video = self._engine.models.video.render([VideoRequest(frames=output.frames, fps=output.fps)], context)[0]
            stored = self._engine.media.put(video.mp4, "mp4")
        else:
            stored = self._engine.media.put(encode_png(output.image), "png")
        elapsed = time.perf_counter() - started
        steps = tuple(operation.description for operation in output.operations)
        return ProcessResult(
            plan=plan,
            status=RunStatus.DONE,
            message=f"Made on the embedded provider in {elapsed:.1f} s: {'; '.join(steps)}.",
            model=plan.selection.primary,
            provider="embedded",
            operations=steps,
            output_kind=output.kind,
            output_sha256=stored.sha256,
            output_path=str(stored.path),
            actual_cost_usd=0.0,
            actual_seconds=round(elapsed, 3),
        )

    # -- the configured image model ----------------------------------------------------------

    def _generate_image(self, plan: ProcessPlan, context: CallContext) -> ProcessResult:
        provider = self._engine.registry.chain(Capability.IMAGE)[0]
        adapter = self._engine.registry.get(Capability.IMAGE, provider)
        request = ImageRequest(prompt=plan.prompt.enhanced[:4000], title=plan.classification.workflow_type.label)
        started = time.perf_counter()
        result = self._guarded(provider, self._engine.models.image.generate, [request], context)[0]
        elapsed = time.perf_counter() - started
        stored = self._engine.media.put(encode_png(result.image), "png")
        status = RunStatus.PLACEHOLDER if result.is_placeholder else RunStatus.DONE
        message = f"Made by {adapter.model_name} on {provider} in {elapsed:.1f} s."
        if result.is_placeholder:
            remote = _remote_pick(plan)
            message = (
                f"No image model is configured, so this is a labelled stand-in ({adapter.model_name}), "
                f"not a generated image. A real one needs {remote.primary} on {remote.provider} "
                f"(about ${remote.estimated_cost_usd:.3f})."
            )
        return ProcessResult(
            plan=plan,
            status=status,
            message=message,
            model=adapter.model_name,
            provider=provider,
            operations=("text to image",),
            output_kind="image",
            output_sha256=stored.sha256,
            output_path=str(stored.path),
            actual_cost_usd=adapter.estimate_cost(1.0),
            actual_seconds=round(elapsed, 3),
        )

    def _guarded(self, provider: str, call: Callable[..., T], *args: Any) -> T:
        if provider == "embedded":  # in-process: nothing remote to trip a circuit over
            return call(*args)
        return self._breakers.call(provider, call, *args)
