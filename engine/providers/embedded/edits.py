"""The embedded image-edit and image-to-video adapters: the OpenCV operations of `editing`.

Instruction edits only (no img2img or inpaint: those need a generative model); the prompt
is read into a plan of operations, and a request nothing offline can do is refused with
`ProviderUnavailable` saying why, so the gateway tries the next adapter of the chain.
Image-to-video is a camera move over the still, encoded with the embedded ffmpeg.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from engine.errors import ProviderUnavailable
from engine.providers.base import FaceDetection, VideoRequest
from engine.providers.embedded.editing import EditPlan, plan_edit, run_edit
from engine.providers.generative import (
    ClipResult,
    ImageEditor,
    ImageEditRequest,
    ImageEditResult,
    ImageToVideoModel,
    ImageToVideoRequest,
)
from engine.settings import Settings

__all__ = ["EmbeddedImageEditor", "EmbeddedImageToVideo"]

_IMAGE_WORKFLOWS = ("image_editing", "image_enhancement", "style_transfer", "hair_styling")


class _Faces:
    """The embedded face mesh, built on the first edit that needs landmarks."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: Any = None
        self._lock = threading.Lock()

    def detect(self, image: Any, plan: EditPlan) -> Sequence[FaceDetection]:
        if not plan.needs_faces:
            return ()
        with self._lock:
            if self._model is None:
                from engine.providers.embedded.vision import EmbeddedVisionModel

                self._model = EmbeddedVisionModel(self._settings)
        return self._model.detect_faces([image])[0]


def _plan(workflow: str, prompt: str) -> EditPlan:
    plan = plan_edit(workflow, prompt)
    if not plan.supported:
        raise ProviderUnavailable(plan.reason)
    return plan


class EmbeddedImageEditor(ImageEditor):
    provider = "embedded"
    features = frozenset({"instruction"})

    def __init__(self, settings: Settings) -> None:
        self._faces = _Faces(settings)

    @property
    def model_name(self) -> str:
        return "embedded/opencv-edit"

    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        return [self._edit(request) for request in requests]

    def _edit(self, request: ImageEditRequest) -> ImageEditResult:
        if request.mode != "instruction":
            raise ProviderUnavailable(f"the embedded editor has no {request.mode}: it needs a generative model")
        workflow = request.workflow if request.workflow in _IMAGE_WORKFLOWS else "image_editing"
        plan = _plan(workflow, request.prompt)
        output = run_edit(plan, request.image, self._faces.detect(request.image, plan))
        return ImageEditResult(
            image=output.image, operations=tuple(o.description for o in output.operations), note=plan.reason
        )


class EmbeddedImageToVideo(ImageToVideoModel):
    provider = "embedded"
    features = frozenset({"camera-move"})

    def __init__(self, settings: Settings) -> None:
        from engine.providers.embedded.video import EmbeddedVideoModel

        self._encoder = EmbeddedVideoModel(settings)
        self._faces = _Faces(settings)

    @property
    def model_name(self) -> str:
        return "embedded/camera-move"

    def animate(self, requests: Sequence[ImageToVideoRequest]) -> list[ClipResult]:
        return [self._animate(request) for request in requests]

    def _animate(self, request: ImageToVideoRequest) -> ClipResult:
        plan = _plan("image_to_video", request.prompt)
        output = run_edit(plan, request.image, self._faces.detect(request.image, plan))
        assert output.frames is not None
        video = self._encoder.render([VideoRequest(frames=output.frames, fps=output.fps)])[0]
        return ClipResult(
            mp4=video.mp4, duration_s=video.duration_s, width=video.width, height=video.height,
            operations=tuple(o.description for o in output.operations),
            note="a pan-and-zoom camera move over the still; nothing in it moves",
        )
