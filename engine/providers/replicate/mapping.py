"""The Replicate models the adapter knows (models.yaml beside this file): which capabilities
each serves, how a studio request becomes its input, what its output is, and its price.

Prices come from the intent catalogue (assets/intent/catalogue.yaml, read by
`engine.providers.catalogue_prices`) for the models it lists;
`price` in models.yaml covers the others, and a model priced in both is refused at load.
"""

from __future__ import annotations

import io
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.errors import ConfigError, InvalidRequest
from engine.providers.base import Capability
from engine.providers.catalogue_prices import Price, catalogue_prices

__all__ = ["MODELS_PATH", "Price", "ReplicateModel", "ReplicateModels", "load_models"]

MODELS_PATH = Path(__file__).with_name("models.yaml")
_TRANSFORMS = ("png", "wav", "mask", "aspect", "nearest", "int", "voice", "speed")
_ESPEAK_VOICE = re.compile(r"[a-z]{2,3}(-[a-z0-9]+)*")
_DEFAULT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _png(array: Any, mode: str = "RGB") -> io.BytesIO:
    from PIL import Image

    data = np.asarray(array)
    if mode == "L":
        data = (data > 0).astype(np.uint8) * 255
    buffer = io.BytesIO()
    Image.fromarray(data.astype(np.uint8)).convert(mode).save(buffer, format="PNG")
    buffer.name = "mask.png" if mode == "L" else "image.png"
    buffer.seek(0)
    return buffer


def _wav(data: bytes) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = "audio.wav"
    return buffer


def _ratio(text: str) -> float:
    width, height = text.split(":")
    return float(width) / float(height)


class ReplicateModel(_Frozen):
    """One model: `input` maps the model's input names to request fields (see models.yaml)."""

    model_id: str
    capabilities: tuple[Capability, ...] = Field(min_length=1)
    input: dict[str, str]
    fixed: dict[str, Any] = Field(default_factory=dict)
    output: str = Field(pattern=r"^(image|video|audio|text:\w+)$")
    modes: tuple[Literal["instruction", "img2img", "inpaint"], ...] = ()
    aspect_ratios: tuple[str, ...] = _DEFAULT_RATIOS
    default_voice: str | None = None
    price: Price | None = None

    @field_validator("input")
    @classmethod
    def _known_transforms(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            _, _, transform = source.partition("|")
            if transform and transform.split(":")[0] not in _TRANSFORMS:
                raise ValueError(f"input {name!r}: unknown transform {transform!r}; known: {', '.join(_TRANSFORMS)}")
        return value

    def build_input(self, request: Any) -> dict[str, Any]:
        """The model's input for one studio request: mapped fields, then the fixed ones."""
        built: dict[str, Any] = {}
        for name, source in self.input.items():
            field, _, transform = source.partition("|")
            if field == "size":
                width, height = getattr(request, "width", None), getattr(request, "height", None)
                value = None if width is None or height is None else (width, height)
            else:
                value = getattr(request, field, None)
            if value is None:
                continue
            built[name] = self._transform(value, transform, field)
        return {**built, **self.fixed}

    def _transform(self, value: Any, transform: str, field: str) -> Any:
        kind, _, argument = transform.partition(":")
        if not kind:
            return value
        if kind == "png":
            return _png(value)
        if kind == "mask":
            return _png(value, "L")
        if kind == "wav":
            return _wav(value)
        if kind == "aspect":
            wanted = math.log(value[0] / value[1])
            return min(self.aspect_ratios, key=lambda r: abs(math.log(_ratio(r)) - wanted))
        if kind == "nearest":
            choices = [float(part) for part in argument.split(",")]
            best = min(choices, key=lambda c: abs(c - float(value)))
            return int(best) if best.is_integer() else best
        if kind == "int":
            return int(round(float(value)))
        if kind == "voice":
            return self.default_voice if self.default_voice and _ESPEAK_VOICE.fullmatch(str(value)) else value
        if kind == "speed":
            return round(min(2.0, max(0.5, float(value) / 175.0)), 2)
        raise InvalidRequest(field, f"no transform {kind!r}")  # unreachable: checked at load


class ReplicateModels:
    """Every model of models.yaml, and the default per capability."""

    def __init__(self, models: dict[str, ReplicateModel], defaults: dict[Capability, str],
                 prices: dict[str, Price], video_seconds: float) -> None:  # fmt: skip
        self.models = models
        self.defaults = defaults
        self._prices = prices
        self.video_seconds = video_seconds

    def serving(self, capability: Capability) -> list[ReplicateModel]:
        return [m for m in self.models.values() if capability in m.capabilities]

    def pick(self, capability: Capability, chosen: str | None, default: str | None = None,
             mode: str | None = None) -> ReplicateModel:  # fmt: skip
        """The model to run: `chosen` when it serves the capability (and the edit mode), else the
        default (`default` when given, else models.yaml's), else the first that does the mode."""
        candidates = [chosen, default or self.defaults.get(capability)]
        candidates += [m.model_id for m in self.serving(capability)]
        for model_id in candidates:
            model = self.models.get(model_id or "")
            if model is None or capability not in model.capabilities:
                continue
            if mode is not None and model.modes and mode not in model.modes:
                continue
            return model
        raise InvalidRequest("mode", f"no Replicate model here does {capability.label} in mode {mode!r}")

    def price(self, model_id: str) -> Price | None:
        return self._prices.get(model_id)


@lru_cache(maxsize=4)
def load_models(path: Path = MODELS_PATH) -> ReplicateModels:
    """Read and check models.yaml once per path; a `ConfigError` naming the file when it is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        models = {model_id: ReplicateModel(model_id=model_id, **entry) for model_id, entry in raw["models"].items()}
        defaults = {Capability(name): model_id for name, model_id in raw["defaults"].items()}
    except (OSError, KeyError, ValueError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(str(path), f"the Replicate model list cannot be read: {exc}".splitlines()[0]) from exc
    listed = catalogue_prices()
    catalogue, video_seconds = listed.of_provider("replicate"), listed.video_seconds
    prices = dict(catalogue)
    for model_id, model in models.items():
        if model.price is not None and model_id in catalogue:
            raise ConfigError(str(path), f"{model_id} is priced in the intent catalogue already; drop its price here")
        if model.price is not None:
            prices[model_id] = model.price
    for capability, model_id in defaults.items():
        if model_id not in models or capability not in models[model_id].capabilities:
            raise ConfigError(str(path), f"default {capability.value} model {model_id} is not listed for it")
    return ReplicateModels(models, defaults, prices, video_seconds)
