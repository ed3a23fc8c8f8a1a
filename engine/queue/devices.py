"""Where jobs run: the CPU pool and each CUDA device, and least-loaded placement."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import InvalidRequest

__all__ = ["Device", "detect_devices", "least_loaded"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Device:
    """A place to run jobs with `slots` concurrent workers."""

    name: str  # "cpu", "cuda:0"
    kind: str  # "cpu" | "cuda"
    slots: int = 1

    def __post_init__(self) -> None:
        if self.kind not in ("cpu", "cuda"):
            raise InvalidRequest("kind", f"device kind must be 'cpu' or 'cuda', got {self.kind!r}")
        if self.slots < 1:
            raise InvalidRequest("slots", f"a device needs at least one slot, got {self.slots}")


def detect_devices(use_cuda: bool, cpu_workers: int) -> list[Device]:
    """One device per visible CUDA GPU (one slot each) when torch sees CUDA, plus the CPU pool."""
    devices: list[Device] = []
    if use_cuda:
        try:
            import torch  # heavy, optional: only here
        except ImportError:
            logger.info("torch is not installed; running on the CPU only (pip install torch for CUDA).")
        else:
            if torch.cuda.is_available():
                devices.extend(Device(f"cuda:{i}", "cuda", 1) for i in range(torch.cuda.device_count()))
    devices.append(Device("cpu", "cpu", cpu_workers))
    return devices


def least_loaded(
    loads: Iterable[tuple[Device, int]], kinds: frozenset[str], required: str | None
) -> Device | None:
    """The device with a free slot and the lowest running/slots among the allowed ones; ties: first listed."""
    best: Device | None = None
    best_load = 2.0
    for device, running in loads:
        if device.kind not in kinds or (required is not None and device.kind != required):
            continue
        if running >= device.slots:
            continue
        load = running / device.slots
        if load < best_load:
            best, best_load = device, load
    return best
