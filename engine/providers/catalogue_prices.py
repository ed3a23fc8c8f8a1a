"""What a model costs: the one reader of the prices in the Intent-lab catalogue.

assets/intent/catalogue.yaml is where prices live, for every model it lists: the Intent lab
estimates a selection's cost from it, and the adapters that run those models (Replicate,
OpenAI images, Gemini images) estimate their calls and work out what they actually cost
from the same entries, through this module. A model the catalogue lists twice (in two
workflows) must carry the same price in both; a `ConfigError` naming it says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import ConfigError

__all__ = ["CATALOGUE_PATH", "CataloguePrices", "Price", "catalogue_prices"]

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "assets" / "intent" / "catalogue.yaml"


class Price(BaseModel):
    """A model's list price: per output image, per second of video, per run, or per 1000 characters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cost_usd: float = Field(ge=0)
    unit: Literal["image", "second", "run", "kchar"] = Field(
        description="Per output image, per second of output video, per prediction, or per 1000 characters of text."
    )

    def estimate(self, request: Any, video_seconds: float) -> float:
        """What one request should cost before it runs (a video without `seconds`: `video_seconds` long)."""
        if self.unit == "second":
            seconds = getattr(request, "seconds", None)
            return self.cost_usd * float(video_seconds if seconds is None else seconds)
        if self.unit == "kchar":
            return self.cost_usd * len(str(getattr(request, "text", ""))) / 1000
        return self.cost_usd

    def actual(self, request: Any, outputs: int, duration_s: float | None) -> float:
        """What it cost, from what came back (images made, seconds of video)."""
        if self.unit == "image":
            return self.cost_usd * outputs
        if self.unit == "second" and duration_s is not None:
            return self.cost_usd * duration_s
        return self.estimate(request, duration_s or 0.0)


@dataclass(frozen=True)
class CataloguePrices:
    """The catalogue's price of each (provider, model id), and the video length estimates assume."""

    prices: dict[tuple[str, str], Price]
    video_seconds: float

    def price(self, provider: str, model_id: str) -> Price | None:
        return self.prices.get((provider, model_id))

    def of_provider(self, provider: str) -> dict[str, Price]:
        return {model_id: price for (name, model_id), price in self.prices.items() if name == provider}

    def image_estimate(self, provider: str, model_id: str) -> float:
        """The estimated cost of one picture of this model; for a model the catalogue does not list,
        the dearest picture the catalogue lists for the provider (cost limits stay on the safe side)."""
        price = self.price(provider, model_id)
        if price is not None:
            return round(price.estimate(None, self.video_seconds), 6)
        per_image = [p.cost_usd for p in self.of_provider(provider).values() if p.unit == "image"]
        return max(per_image, default=0.0)


@lru_cache(maxsize=8)
def catalogue_prices(path: Path = CATALOGUE_PATH) -> CataloguePrices:
    """Read the catalogue's prices once per path; a `ConfigError` naming the file when it is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        video_seconds = float(raw.get("video_seconds", 5.0))
        entries = [
            (str(option["provider"]), str(option["model_id"]), Price(cost_usd=option["cost_usd"], unit=option["unit"]))
            for workflow in raw["workflows"].values()
            for option in workflow["models"]
        ]
    except (OSError, KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(str(path), f"the model catalogue's prices cannot be read: {exc}".splitlines()[0]) from exc
    prices: dict[tuple[str, str], Price] = {}
    for provider, model_id, price in entries:
        known = prices.setdefault((provider, model_id), price)
        if known != price:
            raise ConfigError(
                str(path), f"{model_id} on {provider} is priced {known.cost_usd}/{known.unit} and "
                f"{price.cost_usd}/{price.unit} in two workflows; give it one price"
            )
    return CataloguePrices(prices, video_seconds)
