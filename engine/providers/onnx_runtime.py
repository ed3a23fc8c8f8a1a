"""Where an ONNX model runs: onnxruntime execution providers for a studio device name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["execution_providers"]


def execution_providers(device: str, available: Sequence[str] | None = None) -> list[Any]:
    """For "cuda:N": CUDA on GPU N when this onnxruntime has it (the onnxruntime-gpu build), then the CPU."""
    if available is None:
        import onnxruntime

        available = onnxruntime.get_available_providers()
    if device.startswith("cuda") and "CUDAExecutionProvider" in available:
        index = int(device.partition(":")[2] or 0)
        return [("CUDAExecutionProvider", {"device_id": index}), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]
