"""A tiny ONNX with the interface of a Wav2Lip lip-sync export, built with `onnx.helper`.

Inputs `source` (N, 1, 80, 16), a mel window in [-4, 4], and `target` (N, 6, 96, 96), the
blanked and whole face crops in [0, 1]; output (N, 3, 96, 96). It returns the whole crop
with its lower half lightened by the loudness of the window, so that speech visibly moves
"the mouth" and silence leaves it as it was.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["write_wav2lip"]


def write_wav2lip(folder: Path, batch: int | str = "batch") -> Path:
    lower_half = np.zeros((1, 1, 96, 96), np.float32)
    lower_half[..., 48:, :] = 1.0
    nodes = [
        helper.make_node("Slice", ["target", "starts", "ends", "axes"], ["face"]),
        helper.make_node("ReduceMean", ["source"], ["loudness"], axes=[1, 2, 3], keepdims=1),
        # Silence normalises to -4; shift so that it adds nothing and speech adds light.
        helper.make_node("Add", ["loudness", "four"], ["shifted"]),
        helper.make_node("Mul", ["shifted", "gain"], ["light"]),
        helper.make_node("Mul", ["light", "lower_half"], ["mouth"]),
        helper.make_node("Add", ["face", "mouth"], ["lit"]),
        helper.make_node("Clip", ["lit", "lo", "hi"], ["output"]),
    ]
    inits = [
        numpy_helper.from_array(np.array([3], np.int64), "starts"),
        numpy_helper.from_array(np.array([6], np.int64), "ends"),
        numpy_helper.from_array(np.array([1], np.int64), "axes"),
        numpy_helper.from_array(np.array(4.0, np.float32), "four"),
        numpy_helper.from_array(np.array(0.1, np.float32), "gain"),
        numpy_helper.from_array(lower_half, "lower_half"),
        numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
        numpy_helper.from_array(np.array(1.0, np.float32), "hi"),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_wav2lip",
        [
            helper.make_tensor_value_info("source", TensorProto.FLOAT, [batch, 1, 80, 16]),
            helper.make_tensor_value_info("target", TensorProto.FLOAT, [batch, 6, 96, 96]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, 3, 96, 96])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "wav2lip_tiny.onnx"
    onnx.save(model, str(path))
    return path
