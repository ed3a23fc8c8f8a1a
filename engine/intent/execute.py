"""Run a planned request where an adapter on hand can (through the gateway: image edit,
image-to-video, text-to-image); otherwise say plainly which provider and model it needs."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.imaging import encode_png, fit_within, read_image, to_rgb
from engine.intent.catalogue import WORKFLOW_CAPABILITY, catalogue_providers, select_model
from engine.intent.labelling import SimulationLabel
from engine.intent.models import ModelSelection, ProcessPlan, ProcessResult, RunStatus
from engine.ownership import OPERATOR
from engine.providers.base import Capability, ImageRequest
from engine.providers.gateway import CallContext, Served
from engine.providers.generative import ImageEditRequest, ImageToVideoRequest

if TYPE_CHECKING:
    from engine.provenance import MediaSigner
    from engine.providers.gateway import ModelGateway
    from storage.media import MediaStore

__all__ = ["MAX_IMAGE_BYTES", "MAX_WORKING_SIDE", "PlanRunner", "working_image"]

MAX_WORKING_SIDE = 2048
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_WORKING_SIDE = 32


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


def _elsewhere_pick(plan: ProcessPlan, able: Collection[str]) -> ModelSelection:
    """The catalogue's pick among the providers that cannot run it here, for the same preference."""
    workflow = plan.classification.workflow_type
    elsewhere = catalogue_providers(workflow) - set(able)
    try:
        return select_model(workflow, plan.selection.quality, tuple(sorted(elsewhere)))
    except InvalidRequest:
        return plan.selection


class PlanRunner:
    """Carries out a `ProcessPlan` through the gateway: the adapter of the workflow's capability
    (image edit, image-to-video, text-to-image) with its fallbacks and circuit breakers."""

    def __init__(self, models: ModelGateway, media: MediaStore, signer: MediaSigner) -> None:
        self._models = models
        self._media = media
        self._signer = signer

    def run(self, plan: ProcessPlan, image: np.ndarray | None, context: CallContext) -> ProcessResult:
        workflow = plan.classification.workflow_type
        if not plan.runnable_here:
            return self.needs_provider(plan, f"No provider here can run {workflow.label}.")
        capability = WORKFLOW_CAPABILITY[workflow]
        context = replace(context, model=plan.selection.primary)  # the adapter that knows the pick runs it
        if capability is Capability.TEXT_TO_IMAGE:
            return self._generate_image(plan, context)
        if image is None:
            raise InvalidRequest(
                "image", f"{workflow.label} works on an existing image: add a working image and try again"
            )
        try:
            if capability is Capability.IMAGE_EDIT:
                return self._edit(plan, image, context)
            if capability is Capability.IMAGE_TO_VIDEO:
                return self._animate(plan, image, context)
        except ProviderUnavailable as exc:
            return self.needs_provider(plan, exc.user_message)
        return self.needs_provider(plan, f"No {capability.label} adapter here runs {workflow.label}.")

    def needs_provider(self, plan: ProcessPlan, why: str) -> ProcessResult:
        """Not run: the plan, the model and provider it needs, and what that would cost."""
        able = self._models.runnable(WORKFLOW_CAPABILITY[plan.classification.workflow_type])
        other = _elsewhere_pick(plan, able)
        needs = f"{other.primary} on {other.provider}"
        message = (
            f"{why} Needs provider {other.provider} ({other.primary}), which is not configured here: "
            f"about ${other.estimated_cost_usd:.3f} and {other.estimated_seconds:.0f} s per run."
        )
        return ProcessResult(plan=plan, status=RunStatus.NEEDS_PROVIDER, message=message, needs=needs)

    # -- through the gateway ------------------------------------------------------------------

    def _label(self, plan: ProcessPlan, image: np.ndarray, kind: str, context: CallContext) -> SimulationLabel | None:
        """A face in the photo: the output is labelled and signed like the onboarding outputs."""
        faces = self._models.vision.detect_faces([image], context)[0]
        workflow = plan.classification.workflow_type.value
        return SimulationLabel.for_edit(
            self._signer, faces, image, kind=kind, workflow=workflow, operations=(workflow,),
            models={"vision": "gateway", "edit": plan.selection.primary}, user_id=context.user_id,
        )

    def _edit(self, plan: ProcessPlan, image: np.ndarray, context: CallContext) -> ProcessResult:
        request = ImageEditRequest(
            image=image, prompt=plan.prompt.original[:4000], workflow=plan.classification.workflow_type.value
        )
        started = time.perf_counter()
        served = self._models.image_edit.edit_served([request], context)
        result = served.value[0]
        label = self._label(plan, image, "image", context)
        if label is None:
            stored = self._media.put(encode_png(result.image), "png", owner=_owner_id(context))
        else:
            stored = self._media.put(label.png(label.burn_image(result.image)), "png", owner=_owner_id(context))
        return self._done(plan, served, result.operations, "image", stored, started, label)

    def _animate(self, plan: ProcessPlan, image: np.ndarray, context: CallContext) -> ProcessResult:
        started = time.perf_counter()
        label = self._label(plan, image, "video", context)
        still = label.burn_image(image) if label else image  # the band is in every frame of the clip
        request = ImageToVideoRequest(image=still, prompt=plan.prompt.original[:4000])
        served = self._models.image_to_video.animate_served([request], context)
        clip = served.value[0]
        stored = self._media.put(label.mp4(clip.mp4) if label else clip.mp4, "mp4", owner=_owner_id(context))
        return self._done(plan, served, clip.operations, "video", stored, started, label)

    def _done(
        self, plan: ProcessPlan, served: Served[Any], operations: tuple[str, ...], kind: str, stored: Any,
        started: float, label: SimulationLabel | None,
    ) -> ProcessResult:
        elapsed = time.perf_counter() - started
        steps = "; ".join(operations) or kind
        message = f"Made by {served.model} on {served.provider} in {elapsed:.1f} s: {steps}."
        if label is not None:
            message += " A face is in the photo, so the result is labelled as a simulation and signed (C2PA)."
        return ProcessResult(
            plan=plan,
            status=RunStatus.DONE,
            message=message,
            model=served.model,
            provider=served.provider,
            operations=operations,
            output_kind=kind,
            output_sha256=stored.sha256,
            output_path=str(stored.path),
            actual_cost_usd=served.cost_usd,
            actual_seconds=round(elapsed, 3),
            labelled=label is not None,
        )

    def _generate_image(self, plan: ProcessPlan, context: CallContext) -> ProcessResult:
        request = ImageRequest(prompt=plan.prompt.enhanced[:4000], title=plan.classification.workflow_type.label)
        started = time.perf_counter()
        served = self._models.image.generate_served([request], context)
        result = served.value[0]
        elapsed = time.perf_counter() - started
        stored = self._media.put(encode_png(result.image), "png", owner=_owner_id(context))
        status = RunStatus.PLACEHOLDER if result.is_placeholder else RunStatus.DONE
        message = f"Made by {served.model} on {served.provider} in {elapsed:.1f} s."
        if result.is_placeholder:
            other = _elsewhere_pick(plan, self._models.runnable(Capability.TEXT_TO_IMAGE))
            message = (
                f"No image model is configured, so this is a labelled stand-in ({served.model}), "
                f"not a generated image. A real one needs {other.primary} on {other.provider} "
                f"(about ${other.estimated_cost_usd:.3f})."
            )
        return ProcessResult(
            plan=plan,
            status=status,
            message=message,
            model=served.model,
            provider=served.provider,
            operations=("text to image",),
            output_kind="image",
            output_sha256=stored.sha256,
            output_path=str(stored.path),
            actual_cost_usd=served.cost_usd,
            actual_seconds=round(elapsed, 3),
        )


def _owner_id(context: CallContext) -> str:
    """Who a stored output belongs to: the caller's owner, else the operator (local work)."""
    return context.owner or OPERATOR.id
