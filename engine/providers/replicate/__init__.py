"""The `replicate` provider: hosted models through the official `replicate` SDK.

Text-to-image, image edit, face swap, talking head, image-to-video, text-to-video, speech
and voice cloning, each through the models listed in models.yaml (catalogue model ids,
with a per-model input mapping). Needs `STUDIO_REPLICATE_API_TOKEN`; `STUDIO_REPLICATE_*`
tune polling, timeouts and retries. Registered like every other plugin (`register`, and
the `studio.providers` entry point).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from engine.providers.base import Adapter, Capability
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = ["PROVIDER", "check", "register"]

PROVIDER = "replicate"

_CAPABILITIES: dict[Capability, tuple[str, str]] = {
    Capability.IMAGE: ("ReplicateImageModel", "Replicate text-to-image (STUDIO_REPLICATE_IMAGE_MODEL or a catalogue pick)"),
    Capability.IMAGE_EDIT: ("ReplicateImageEditor", "Replicate image edits: instruction (FLUX Kontext), inpaint, upscale"),
    Capability.FACE_SWAP: ("ReplicateFaceSwapper", "Replicate face swap"),
    Capability.TALKING_HEAD: ("ReplicateTalkingHead", "Replicate talking head (image + speech → video)"),
    Capability.IMAGE_TO_VIDEO: ("ReplicateImageToVideo", "Replicate image-to-video (Kling, MiniMax, LTX, Veo)"),
    Capability.TEXT_TO_VIDEO: ("ReplicateTextToVideo", "Replicate text-to-video (MiniMax, Kling, LTX, Veo)"),
    Capability.SPEECH: ("ReplicateSpeech", "Replicate speech (MiniMax), speaking cloned voices too"),
    Capability.VOICE_CLONE: ("ReplicateVoiceCloner", "Replicate voice cloning (MiniMax)"),
}


def check(settings: Settings) -> str | None:
    """Why the Replicate adapters cannot run here, or None."""
    if importlib.util.find_spec("replicate") is None:
        from engine.providers.replicate.predictions import INSTALL_HINT

        return INSTALL_HINT
    token = settings.replicate_api_token
    if token is None or not token.get_secret_value().strip():
        return "set STUDIO_REPLICATE_API_TOKEN to use it"
    return None


def register(registry: ProviderRegistry) -> None:
    """One adapter per capability, all over one SDK client (built when the first is)."""
    shared: dict[str, object] = {}

    def parts(settings: Settings) -> tuple[object, object]:
        from engine.providers.replicate.mapping import load_models
        from engine.providers.replicate.predictions import PredictionRunner

        if "runner" not in shared:
            token = settings.replicate_api_token.get_secret_value() if settings.replicate_api_token else ""
            shared["models"] = load_models()
            shared["runner"] = PredictionRunner(
                token=token, base_url=settings.replicate_base_url, request_timeout_s=settings.provider_timeout_s,
                poll_s=settings.replicate_poll_s, timeout_s=settings.replicate_timeout_s,
                attempts=settings.replicate_retries,
            )  # fmt: skip
        return shared["runner"], shared["models"]

    def factory(capability: Capability, class_name: str) -> Callable[[Settings, str], Adapter]:
        def build(settings: Settings, device: str) -> Adapter:
            from engine.providers.replicate import adapters

            runner, models = parts(settings)
            default = settings.replicate_image_model if capability is Capability.IMAGE else None
            return getattr(adapters, class_name)(runner, models, default)  # type: ignore[no-any-return]

        return build

    for capability, (class_name, description) in _CAPABILITIES.items():
        registry.register(
            AdapterSpec(provider=PROVIDER, capability=capability, factory=factory(capability, class_name),
                        description=description, check=check, local=False)  # fmt: skip
        )
