"""Tiny ONNX models with the interfaces of a real face-swap set-up, built with `onnx.helper`.

- a detector with SCRFD's nine outputs (scores, boxes, five key points at strides 8/16/32):
  it "sees a face" where the picture is bright, one anchor cell of stride 32 per face;
- a recognizer with ArcFace's interface (1, 3, 112, 112) → (1, 512): the identity is the
  crop's mean colour, projected;
- a swapper with inswapper's interface: inputs `target` (1, 3, 128, 128) and `source`
  (1, 512), output (1, 3, 128, 128), and the 512 x 512 `emap` as the last initializer:
  it blends the target crop half-way towards a colour computed from the source latent.

Real models are large and licensed; these run the same insightface code paths on CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["ARCFACE_TEMPLATE", "FACE_CELL", "face_picture", "write_face_models"]

OPSET = [helper.make_opsetid("", 13)]
FACE_CELL = 32  # the detector's face cell, in pixels of its 640 x 640 input
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]], np.float32
)


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=OPSET)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _detector(path: Path) -> Path:
    nodes, inits, outputs = [], [], {"score": [], "bbox": [], "kps": []}
    # In stride units, from the anchor (the cell's top-left corner): a 3-cell box around the cell,
    # and the five ArcFace key points laid over that box.
    box = np.array([1.0, 1.0, 2.0, 2.0], np.float32)
    kps = ((ARCFACE_TEMPLATE / 112.0) * 3.0 - 1.0).reshape(-1).astype(np.float32)
    for stride in (8, 16, 32):
        s = str(stride)
        nodes += [
            helper.make_node("AveragePool", ["input.1"], [f"pool{s}"], kernel_shape=[stride, stride], strides=[stride, stride]),
            helper.make_node("ReduceMean", [f"pool{s}"], [f"mean{s}"], axes=[1], keepdims=1),
            helper.make_node("Mul", [f"mean{s}", f"gain{s}"], [f"scaled{s}"]),
            helper.make_node("Add", [f"scaled{s}", f"bias{s}"], [f"logit{s}"]),
            helper.make_node("Sigmoid", [f"logit{s}"], [f"prob{s}"]),
            helper.make_node("Concat", [f"prob{s}", f"prob{s}"], [f"anchors{s}"], axis=1),
            helper.make_node("Transpose", [f"anchors{s}"], [f"nhwc{s}"], perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", [f"nhwc{s}", "col1"], [f"score_{s}"]),
            helper.make_node("Mul", [f"nhwc{s}", "zero"], [f"zeros{s}"]),
            helper.make_node("Reshape", [f"zeros{s}", "col1"], [f"flat{s}"]),
            helper.make_node("Add", [f"flat{s}", "box"], [f"bbox_{s}"]),
            helper.make_node("Add", [f"flat{s}", "kps"], [f"kps_{s}"]),
        ]
        # Only stride 32 fires, so that one bright cell is one face.
        gain, bias = (40.0, -20.0) if stride == 32 else (0.0, -30.0)
        inits += [numpy_helper.from_array(np.array(gain, np.float32), f"gain{s}"), numpy_helper.from_array(np.array(bias, np.float32), f"bias{s}")]
        outputs["score"].append(helper.make_tensor_value_info(f"score_{s}", TensorProto.FLOAT, [None, 1]))
        outputs["bbox"].append(helper.make_tensor_value_info(f"bbox_{s}", TensorProto.FLOAT, [None, 4]))
        outputs["kps"].append(helper.make_tensor_value_info(f"kps_{s}", TensorProto.FLOAT, [None, 10]))
    inits += [
        numpy_helper.from_array(np.array([-1, 1], np.int64), "col1"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        numpy_helper.from_array(box.reshape(1, 4), "box"),
        numpy_helper.from_array(kps.reshape(1, 10), "kps"),
    ]
    image = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, "height", "width"])
    graph = helper.make_graph(nodes, "tiny_scrfd", [image], outputs["score"] + outputs["bbox"] + outputs["kps"], inits)
    return _save(graph, path)


def _recognizer(path: Path) -> Path:
    rng = np.random.default_rng(0)
    projection = rng.standard_normal((3, 512)).astype(np.float32)
    nodes = [
        helper.make_node("GlobalAveragePool", ["data"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["colour"]),
        helper.make_node("MatMul", ["colour", "projection"], ["fc1"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_arcface",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 112, 112])],
        [helper.make_tensor_value_info("fc1", TensorProto.FLOAT, [1, 512])],
        [numpy_helper.from_array(projection, "projection")],
    )
    return _save(graph, path)


def _swapper(path: Path) -> Path:
    rng = np.random.default_rng(1)
    to_colour = (rng.standard_normal((512, 3)) * 4.0).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["source", "to_colour"], ["logits"]),
        helper.make_node("Sigmoid", ["logits"], ["colour"]),
        helper.make_node("Reshape", ["colour", "nchw"], ["colour_map"]),
        helper.make_node("Mul", ["target", "half"], ["kept"]),
        helper.make_node("Mul", ["colour_map", "half"], ["added"]),
        helper.make_node("Add", ["kept", "added"], ["output"]),
    ]
    inits = [
        numpy_helper.from_array(to_colour, "to_colour"),
        numpy_helper.from_array(np.array([1, 3, 1, 1], np.int64), "nchw"),
        numpy_helper.from_array(np.array(0.5, np.float32), "half"),
        numpy_helper.from_array(np.eye(512, dtype=np.float32), "emap"),  # last: insightface reads it as the latent map
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_inswapper",
        [
            helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 128, 128]),
            helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 512]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 128, 128])],
        inits,
    )
    return _save(graph, path)


def write_face_models(folder: Path) -> tuple[Path, Path]:
    """Write the swapper and an analysis folder (detector + recognizer); return (swapper, analysis_dir)."""
    analysis = folder / "analysis"
    analysis.mkdir(parents=True, exist_ok=True)
    _detector(analysis / "det_tiny.onnx")
    _recognizer(analysis / "w_tiny.onnx")
    return _swapper(folder / "swapper_tiny.onnx"), analysis


def face_picture(side: int, cell: tuple[int, int] | None, colour: tuple[int, int, int], background: int = 10) -> np.ndarray:
    """An RGB square picture, dark but for one bright 'face' cell (row, column of the detector's grid)."""
    picture = np.full((side, side, 3), background, np.uint8)
    if cell is not None:
        size = side * FACE_CELL // 640
        row, column = cell
        picture[row * size : (row + 1) * size, column * size : (column + 1) * size] = colour
    return picture
