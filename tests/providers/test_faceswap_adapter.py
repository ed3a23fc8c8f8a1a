"""The insightface face-swap adapter through tiny ONNX models with a real swapper's interface (CPU)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import Capability
from engine.providers.faceswap_adapter import InsightFaceSwapper
from engine.providers.gateway import ModelGateway
from engine.providers.generative import FaceSwapRequest
from engine.providers.onnx_runtime import execution_providers
from engine.providers.registry import ProviderRegistry
from engine.settings import Settings, load_settings
from storage.database import Database
from storage.generations import GenerationLog
from tests.support.tiny_faceswap import face_picture, write_face_models

SIDE = 320  # pictures are 320 px; the detector's 32 px cell is 16 px here


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_face_models(tmp_path_factory.mktemp("faceswap"))


@pytest.fixture(scope="module")
def swapper(models: tuple[Path, Path]) -> InsightFaceSwapper:
    return InsightFaceSwapper(models[0], models[1], "cpu")


def changed(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    return np.abs(after.astype(int) - before.astype(int)).sum(axis=2) > 0


def test_swap_changes_the_target_face_and_nothing_far_from_it(swapper: InsightFaceSwapper) -> None:
    face = face_picture(SIDE, (5, 5), (250, 220, 200))
    target = face_picture(SIDE, (9, 9), (230, 230, 230))
    [result] = swapper.swap([FaceSwapRequest(face=face, target=target)])
    assert result.image.shape == target.shape and result.image.dtype == np.uint8
    moved = changed(result.image, target)
    assert moved[152, 152]  # the middle of the target's face cell (144-160 px)
    ys, xs = np.nonzero(moved)
    assert ys.min() > 100 and xs.min() > 100 and ys.max() < 220 and xs.max() < 220  # only around that face
    assert "face swap into 1 face" in result.operations[0]


def test_the_source_identity_reaches_the_swapper(swapper: InsightFaceSwapper) -> None:
    target = face_picture(SIDE, (9, 9), (230, 230, 230))
    warm, cold = (swapper.swap([FaceSwapRequest(face=face_picture(SIDE, (5, 5), colour), target=target)])[0].image
                  for colour in ((250, 200, 150), (150, 200, 250)))
    assert not np.array_equal(warm[140:165, 140:165], cold[140:165, 140:165])


def test_every_face_in_the_target_is_swapped(swapper: InsightFaceSwapper) -> None:
    target = face_picture(SIDE, (3, 3), (230, 230, 230))
    target[144:160, 240:256] = 230  # a second face cell: row 9, column 15
    [result] = swapper.swap([FaceSwapRequest(face=face_picture(SIDE, (5, 5), (250, 220, 200)), target=target)])
    moved = changed(result.image, target)
    assert moved[56, 56] and moved[152, 248]
    assert "2 faces" in result.operations[0]


@pytest.mark.parametrize(("field", "face_cell", "target_cell"), [("face", None, (9, 9)), ("target", (5, 5), None)])
def test_a_picture_without_a_face_names_the_field(
    swapper: InsightFaceSwapper, field: str, face_cell: tuple[int, int] | None, target_cell: tuple[int, int] | None
) -> None:
    request = FaceSwapRequest(face=face_picture(SIDE, face_cell, (250, 220, 200)), target=face_picture(SIDE, target_cell, (230, 230, 230)))
    with pytest.raises(InvalidRequest, match=field):
        swapper.swap([request])


def test_a_picture_that_is_not_rgb_is_refused(swapper: InsightFaceSwapper) -> None:
    with pytest.raises(InvalidRequest, match="target"):
        swapper.swap([FaceSwapRequest(face=face_picture(SIDE, (5, 5), (250, 220, 200)), target=np.zeros((8, 8), np.uint8))])


def test_a_model_that_is_not_a_swapper_says_what_the_setting_needs(models: tuple[Path, Path]) -> None:
    recognizer = models[1] / "w_tiny.onnx"
    with pytest.raises(ProviderUnavailable, match="STUDIO_FACESWAP_MODEL must be an ONNX with inputs target"):
        InsightFaceSwapper(recognizer, models[1], "cpu")


def test_gpu_placement_asks_onnxruntime_for_cuda_only_where_it_has_it() -> None:
    with_cuda = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert execution_providers("cuda:1", with_cuda) == [("CUDAExecutionProvider", {"device_id": 1}), "CPUExecutionProvider"]
    assert execution_providers("cuda:1", ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert execution_providers("cpu", with_cuda) == ["CPUExecutionProvider"]


def test_status_names_the_missing_model_files(tmp_path: Path, models: tuple[Path, Path]) -> None:
    def reason(**settings: object) -> str:
        registry = ProviderRegistry(Settings(**settings))  # type: ignore[arg-type]
        registry.load_plugins()
        [status] = [s for s in registry.statuses() if s.capability is Capability.FACE_SWAP and s.provider == "insightface"]
        return status.reason

    assert "STUDIO_FACESWAP_MODEL" in reason(faceswap_model=None)
    assert "is not a file" in reason(faceswap_model=tmp_path / "missing.onnx")
    assert "STUDIO_FACESWAP_ANALYSIS_DIR" in reason(faceswap_model=models[0], faceswap_analysis_dir=None)
    assert "no .onnx" in reason(faceswap_model=models[0], faceswap_analysis_dir=tmp_path)
    assert reason(faceswap_model=models[0], faceswap_analysis_dir=models[1]) == "ready"


@pytest.fixture
def gateway(data_dir: Path, db: Database, models: tuple[Path, Path]) -> Iterator[ModelGateway]:
    settings = load_settings(
        data_dir=data_dir, face_swap_provider="insightface", faceswap_model=models[0],
        faceswap_analysis_dir=models[1], use_cuda=False, _env_file=None,
    )
    registry = ProviderRegistry(settings)
    registry.load_plugins()
    log = GenerationLog(db)
    yield ModelGateway(registry, log)
    log.close()
    registry.close()


def test_the_gateway_serves_a_swap_and_records_it(gateway: ModelGateway) -> None:
    request = FaceSwapRequest(face=face_picture(SIDE, (5, 5), (250, 220, 200)), target=face_picture(SIDE, (9, 9), (230, 230, 230)))
    [result] = gateway.face_swap.swap([request])
    assert changed(result.image, request.target)[152, 152]
    assert gateway.registry.loaded_devices(Capability.FACE_SWAP, "insightface") == ["cpu"]
    [record] = gateway.log.recent(1)
    assert (record.capability, record.provider, record.model, record.outcome) == ("face_swap", "insightface", "swapper_tiny.onnx", "ok")


@pytest.mark.gpu
def test_on_a_gpu_the_swapper_runs_on_cuda(models: tuple[Path, Path]) -> None:
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has no CUDA provider (install onnxruntime-gpu on a CUDA machine)")
    swapper = InsightFaceSwapper(models[0], models[1], "cuda:0")
    assert swapper.device == "cuda:0"
    [result] = swapper.swap([FaceSwapRequest(face=face_picture(SIDE, (5, 5), (250, 220, 200)), target=face_picture(SIDE, (9, 9), (230, 230, 230)))])
    assert changed(result.image, face_picture(SIDE, (9, 9), (230, 230, 230)))[152, 152]
