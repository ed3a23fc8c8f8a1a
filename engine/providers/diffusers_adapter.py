"""The `diffusers` provider: Stable Diffusion pipelines on a local GPU (or the CPU).

Text-to-image, img2img and inpaint from one pipeline per device, loaded once (shared by
the three: img2img and inpaint reuse its components). `STUDIO_DIFFUSERS_MODEL` names a
local folder or a hub id; dtype, steps, guidance, size, scheduler, `torch.compile` and
attention slicing have their own settings. Requests that share their parameters run as
ONE pipeline call (a list of prompts); the batch is split only when `STUDIO_QUEUE_MAX_BATCH` or
the device's free memory says it must be (an injectable probe,
`DiffusersPipelines(settings, free_memory=...)`; by default CUDA's free memory). Attention runs through
PyTorch's SDPA; CUDA uses float16 (or bfloat16) weights.

diffusers and torch are imported inside, with an install hint.
"""

from __future__ import annotations

import importlib.util
import random
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable
from engine.providers.base import Adapter, Capability, ImageModel, ImageRequest, ImageResult
from engine.providers.generative import ImageEditor, ImageEditRequest, ImageEditResult
from engine.providers.progress import report
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = [
    "PROVIDER",
    "DiffusersImageEditor",
    "DiffusersImageModel",
    "DiffusersPipelines",
    "FreeMemoryProbe",
    "batch_limit",
    "cuda_free_memory",
    "register",
]

PROVIDER = "diffusers"
INSTALL_HINT = "package diffusers is not installed: pip install diffusers==0.42.1 (and torch)"
# Rough peak activation memory of one 512² image in a float16 SD-1.5 UNet + VAE decode step.
_BYTES_PER_IMAGE_512 = 1.2e9
_SCHEDULERS = {
    "ddim": "DDIMScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_a": "EulerAncestralDiscreteScheduler",
    "dpm": "DPMSolverMultistepScheduler",
    "pndm": "PNDMScheduler",
}


class _Loaded:
    """One device's pipeline and the img2img/inpaint views of the same components."""

    def __init__(self, text2img: Any, device: str) -> None:
        from diffusers import AutoPipelineForImage2Image, AutoPipelineForInpainting

        self.text2img = text2img
        self.img2img = AutoPipelineForImage2Image.from_pipe(text2img)
        self.inpaint = AutoPipelineForInpainting.from_pipe(text2img)
        self.device = device
        self.lock = threading.Lock()  # a pipeline's scheduler holds per-call state
        self.calls = 0


FreeMemoryProbe = Callable[[str], int | None]
"""Free memory in bytes on a device ("cuda:0", "cpu"), or None where nothing bounds a batch."""


def cuda_free_memory(device: str) -> int | None:
    """The default probe: free bytes on a CUDA device (`torch.cuda.mem_get_info`); None on the CPU."""
    if not device.startswith("cuda"):
        return None
    import torch

    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return int(free)


class DiffusersPipelines:
    """Pipelines by device, each loaded once, shared by the text-to-image and edit adapters.

    `free_memory` says how much memory a device has free; it bounds how many images one call holds.
    """

    def __init__(self, settings: Settings, free_memory: FreeMemoryProbe = cuda_free_memory) -> None:
        self._settings = settings
        self.free_memory = free_memory
        self._loaded: dict[str, _Loaded] = {}
        self._guard = threading.Lock()
        self.loads = 0

    def devices(self) -> list[str]:
        return sorted(self._loaded)

    def get(self, device: str) -> _Loaded:
        with self._guard:
            found = self._loaded.get(device)
            if found is None:
                found = self._loaded[device] = _Loaded(self._load(device), device)
                self.loads += 1
            return found

    def _load(self, device: str) -> Any:
        try:
            import diffusers
            import torch
            from diffusers.models.attention_processor import AttnProcessor2_0
        except ImportError as exc:
            raise ProviderUnavailable(INSTALL_HINT) from exc
        settings = self._settings
        on_cuda = device.startswith("cuda")
        if on_cuda and not torch.cuda.is_available():
            raise ProviderUnavailable(f"{device} was asked for but torch sees no CUDA device")
        dtype = {
            "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
            "auto": torch.float16 if on_cuda else torch.float32,
        }[settings.diffusers_dtype]
        model = str(settings.diffusers_model)
        try:
            pipe = diffusers.StableDiffusionPipeline.from_pretrained(
                model, dtype=dtype, safety_checker=None, requires_safety_checker=False,
                local_files_only=Path(model).is_dir(),
            )
        except (OSError, ValueError) as exc:
            raise ProviderUnavailable(f"could not load the diffusers pipeline {model!r}: {exc}".splitlines()[0]) from exc
        if settings.diffusers_scheduler != "default":
            scheduler = getattr(diffusers, _SCHEDULERS[settings.diffusers_scheduler])
            pipe.scheduler = scheduler.from_config(pipe.scheduler.config)
        pipe = pipe.to(device)
        pipe.unet.set_attn_processor(AttnProcessor2_0())  # PyTorch SDPA
        if on_cuda:
            pipe.unet.to(memory_format=torch.channels_last)
        if settings.diffusers_attention_slicing:
            pipe.enable_attention_slicing()
        if settings.diffusers_compile:
            pipe.unet = torch.compile(pipe.unet)
        pipe.set_progress_bar_config(disable=True)
        return pipe


def _model_label(settings: Settings) -> str:
    return Path(str(settings.diffusers_model)).name or str(settings.diffusers_model)


def batch_limit(settings: Settings, free_bytes: int | None, width: int, height: int) -> int:
    """How many images one pipeline call may hold: the queue's max batch, and no more than 80 % of
    `free_bytes` (when the device reports it) holds at about 1.2 GB per 512² image."""
    limit = settings.queue_max_batch
    if free_bytes is not None:
        per_image = _BYTES_PER_IMAGE_512 * (width * height) / (512 * 512)
        limit = min(limit, int(0.8 * free_bytes / per_image))
    return max(1, limit)


class _Base(Adapter):
    provider = PROVIDER

    def __init__(self, settings: Settings, device: str, pipelines: DiffusersPipelines) -> None:
        self._settings = settings
        self._device = device
        self._pipelines = pipelines

    @property
    def model_name(self) -> str:
        return _model_label(self._settings)

    @property
    def device(self) -> str:
        return self._device

    def _size(self, width: int | None, height: int | None) -> tuple[int, int]:
        side = self._settings.diffusers_size
        return (width or side) // 8 * 8, (height or side) // 8 * 8

    def _generators(self, seeds: Sequence[int | None]) -> list[Any]:
        import torch

        device = self._device if self._device.startswith("cuda") else "cpu"
        return [torch.Generator(device).manual_seed(s if s is not None else random.randrange(2**31)) for s in seeds]

    def _run(self, kind: str, indices: list[int], **arguments: Any) -> list[Any]:
        """One pipeline call for the items `indices` of the adapter's batch; progress per item each step."""
        loaded = self._pipelines.get(self._device)
        pipe = getattr(loaded, kind)
        steps = int(arguments["num_inference_steps"])

        def on_step(_pipe: Any, step: int, _timestep: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
            for index in indices:
                report(index, 0.95 * (step + 1) / steps, f"step {step + 1}/{steps}")
            return kwargs

        try:
            with loaded.lock:
                loaded.calls += 1
                images = pipe(callback_on_step_end=on_step, output_type="pil", **arguments).images
        except (RuntimeError, ValueError) as exc:  # out of memory, bad shapes
            raise ProviderError(f"diffusers {kind} failed on {self._device}: {exc}".splitlines()[0]) from exc
        for index in indices:
            report(index, 1.0, "decoded")
        return list(images)


class DiffusersImageModel(_Base, ImageModel):
    features = frozenset({"batch", "seed", "negative_prompt"})

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        results: list[ImageResult | None] = [None] * len(requests)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault((r.width, r.height, r.steps, r.guidance, r.negative_prompt), []).append(i)
        for (width, height, steps, guidance, negative), members in groups.items():
            w, h = self._size(width, height)
            size = batch_limit(self._settings, self._pipelines.free_memory(self._device), w, h)
            for start in range(0, len(members), size):
                chunk = members[start : start + size]
                images = self._run(
                    "text2img", chunk,
                    prompt=[requests[i].prompt for i in chunk],
                    negative_prompt=[negative] * len(chunk) if negative else None,
                    width=w, height=h,
                    num_inference_steps=steps or self._settings.diffusers_steps,
                    guidance_scale=self._settings.diffusers_guidance if guidance is None else guidance,
                    generator=self._generators([requests[i].seed for i in chunk]),
                )
                for i, image in zip(chunk, images, strict=True):
                    results[i] = ImageResult(image=image.convert("RGB"))
        return [r for r in results if r is not None]


class DiffusersImageEditor(_Base, ImageEditor):
    features = frozenset({"img2img", "inpaint"})

    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        from PIL import Image

        results = []
        for index, request in enumerate(requests):
            if request.mode == "instruction":
                raise ProviderUnavailable("diffusers does img2img and inpaint; instruction edits need another adapter")
            image = np.asarray(request.image)
            height, width = image.shape[:2]
            scale = min(1.0, self._settings.diffusers_size / max(width, height))
            w, h = self._size(max(8, int(width * scale)), max(8, int(height * scale)))
            picture = Image.fromarray(image.astype(np.uint8)).convert("RGB").resize((w, h))
            arguments: dict[str, Any] = {
                "prompt": [request.prompt], "image": picture, "strength": request.strength,
                "num_inference_steps": request.steps or self._settings.diffusers_steps,
                "guidance_scale": self._settings.diffusers_guidance if request.guidance is None else request.guidance,
                "negative_prompt": [request.negative_prompt] if request.negative_prompt else None,
                "generator": self._generators([request.seed]),
            }
            if request.mode == "inpaint":
                if request.mask is None:
                    raise InvalidRequest("mask", "inpaint needs a mask: non-zero where to repaint")
                mask = (np.asarray(request.mask) > 0).astype(np.uint8) * 255
                arguments.update(mask_image=Image.fromarray(mask).convert("L").resize((w, h)), width=w, height=h)
            [made] = self._run("inpaint" if request.mode == "inpaint" else "img2img", [index], **arguments)
            results.append(ImageEditResult(image=np.asarray(made.convert("RGB")), operations=(f"{request.mode} ({self.model_name})",)))
        return results


def _check(settings: Settings) -> str | None:
    for module in ("diffusers", "torch"):
        if importlib.util.find_spec(module) is None:
            return INSTALL_HINT
    if not settings.diffusers_model:
        return "set STUDIO_DIFFUSERS_MODEL to a local pipeline folder or a hub id"
    return None


def register(registry: ProviderRegistry) -> None:
    """Text-to-image and image edit, built per device over one shared set of pipelines."""
    shared: dict[str, DiffusersPipelines] = {}

    def pipelines(settings: Settings) -> DiffusersPipelines:
        return shared.setdefault("pipelines", DiffusersPipelines(settings))

    def image(settings: Settings, device: str) -> Adapter:
        return DiffusersImageModel(settings, device, pipelines(settings))

    def edit(settings: Settings, device: str) -> Adapter:
        return DiffusersImageEditor(settings, device, pipelines(settings))

    for capability, factory, description in (
        (Capability.TEXT_TO_IMAGE, image, "Stable Diffusion text-to-image (STUDIO_DIFFUSERS_MODEL), batched, one pipeline per device"),
        (Capability.IMAGE_EDIT, edit, "Stable Diffusion img2img and inpaint on the same pipelines"),
    ):
        registry.register(
            AdapterSpec(provider=PROVIDER, capability=capability, factory=factory, description=description,
                        check=_check, per_device=True)  # fmt: skip
        )
