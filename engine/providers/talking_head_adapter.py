"""Talking head (image + audio → video) from a local model folder: registered, and honest that it cannot run yet.

Talking-head models (SadTalker, LivePortrait, Wav2Lip, Hallo) ship as research
repositories with PyTorch checkpoints and their own pre-processing (face crops, mel
spectrograms, 3DMM fitting), not in one runnable format a small adapter could load from
a folder, the way a face swapper ships as one inswapper ONNX. So `local` is listed with
what it needs and never claims to run: talking photos keep today's labelled embedded
path (the scenarios say which path made each clip), or use a remote adapter.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import ProviderUnavailable
from engine.providers.base import Capability
from engine.providers.generative import ClipResult, TalkingHeadModel, TalkingHeadRequest
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = ["LocalTalkingHead", "register"]

PROVIDER = "local"
_NO_FORMAT = (
    "no talking-head model format runs locally yet (SadTalker, LivePortrait and Wav2Lip ship as PyTorch "
    "research code, not one loadable file); talking photos use the labelled embedded path or a remote adapter"
)


def _check(settings: Settings) -> str | None:
    folder = settings.talking_head_model
    if folder is None:
        return f"set STUDIO_TALKING_HEAD_MODEL to a model folder — but {_NO_FORMAT}"
    if not folder.is_dir():
        return f"STUDIO_TALKING_HEAD_MODEL={folder} is not a folder"
    return f"STUDIO_TALKING_HEAD_MODEL={folder}: {_NO_FORMAT}"


class LocalTalkingHead(TalkingHeadModel):
    provider = PROVIDER

    def __init__(self, settings: Settings) -> None:
        raise ProviderUnavailable(f"local talking head: {_check(settings)}")

    @property
    def model_name(self) -> str:  # pragma: no cover - never built
        return "local"

    def animate(self, requests: Sequence[TalkingHeadRequest]) -> list[ClipResult]:  # pragma: no cover
        raise ProviderUnavailable(_NO_FORMAT)


def register(registry: ProviderRegistry) -> None:
    registry.register(
        AdapterSpec(
            provider=PROVIDER,
            capability=Capability.TALKING_HEAD,
            description="Talking head from a local model folder (STUDIO_TALKING_HEAD_MODEL); says what it needs",
            check=_check,
            factory=lambda s, device: LocalTalkingHead(s),
        )
    )
