"""What an offline edit is: a plan of operations from the prompt, and its result."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EditOutput", "EditPlan", "Operation"]


class Operation(BaseModel):
    """One step of an edit, e.g. `brightness` with `{"amount": 0.25}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Machine name, e.g. 'brightness', 'hair_colour', 'camera_move'.")
    params: dict[str, float | str | bool] = Field(default_factory=dict)
    description: str = Field(description="What it does, for a person: 'brightness +25 %'.")


class EditPlan(BaseModel):
    """What `run_edit` will do for one prompt, or why it cannot be done offline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workflow: str
    operations: tuple[Operation, ...] = ()
    supported: bool
    reason: str = Field(description="Why it is unsupported, or a one-line summary of what will be done.")
    needs_faces: bool = Field(
        default=False, description="run_edit needs face landmarks (hair colour, zoom on a face)."
    )
    output: Literal["image", "video"] = "image"


class EditOutput(BaseModel):
    """An edited image, or the frames of a camera move over it (not yet encoded)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    kind: Literal["image", "video"]
    image: np.ndarray | None = Field(default=None, description="RGB uint8 (H, W, 3), for kind='image'.")
    frames: list[np.ndarray] | None = Field(
        default=None, description="RGB uint8 frames of one even size, for kind='video'."
    )
    fps: float = 24.0
    operations: tuple[Operation, ...]
    elapsed_ms: float
