"""Face swap from local model files: `insightface` running a face-swapper ONNX on onnxruntime.

`insightface` (the face_swap adapter) needs two things on disk, neither shipped with the
studio (their licences are non-commercial and they are large):
- `STUDIO_FACESWAP_MODEL`: the swapper, an ONNX with the inswapper interface — inputs
  `target` (1, 3, 128, 128) float in [0, 1] and `source` (1, 512) identity latent, output
  (1, 3, 128, 128); e.g. `inswapper_128.onnx` as distributed for insightface.
- `STUDIO_FACESWAP_ANALYSIS_DIR`: an insightface face-analysis pack, i.e. a folder with a
  detection ONNX (SCRFD, e.g. `det_10g.onnx`) and a recognition ONNX (ArcFace, e.g.
  `w600k_r50.onnx`), such as the unzipped `buffalo_l` pack.
The models run on the device the queue placed the work on: onnxruntime's
CUDAExecutionProvider for `cuda:N` when the installed onnxruntime has it (the
`onnxruntime-gpu` build), else the CPU.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import Capability
from engine.providers.generative import FaceSwapper, FaceSwapRequest, ImageEditResult
from engine.providers.onnx_runtime import execution_providers
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = ["InsightFaceSwapper", "register"]

PROVIDER = "insightface"
_INSTALL_HINT = "insightface and onnxruntime are not installed: run make install"
_DETECTION_SIZE = (640, 640)


def _bgr(image: Any, field: str) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise InvalidRequest(field, f"give an RGB uint8 picture of shape (H, W, 3), not {array.dtype} {array.shape}")
    return np.ascontiguousarray(array[..., ::-1])


def _area(face: Any) -> float:
    x1, y1, x2, y2 = face.bbox[:4]
    return float((x2 - x1) * (y2 - y1))


class InsightFaceSwapper(FaceSwapper):
    """Puts the largest face of `face` into every face found in `target`."""

    provider = PROVIDER
    local = True
    features = frozenset({"all_faces"})

    def __init__(self, swapper_file: Path, analysis_dir: Path, device: str) -> None:
        try:
            from insightface.app import FaceAnalysis
            from insightface.model_zoo import get_model
            from insightface.model_zoo.inswapper import INSwapper
        except ImportError as exc:  # pragma: no cover - pinned dependencies
            raise ProviderUnavailable(_INSTALL_HINT) from exc
        self._device = device
        self._providers = execution_providers(device)
        with contextlib.redirect_stdout(sys.stderr):  # insightface prints model shapes while loading
            swapper = get_model(str(swapper_file), providers=self._providers)
            if not isinstance(swapper, INSwapper):
                raise ProviderUnavailable(
                    f"{swapper_file} is not a face swapper: STUDIO_FACESWAP_MODEL must be an ONNX with inputs "
                    "target (1, 3, 128, 128) and source (1, 512) and one (1, 3, 128, 128) output, e.g. inswapper_128.onnx."
                )
            analysis = FaceAnalysis(
                name=str(analysis_dir), allowed_modules=["detection", "recognition"], providers=self._providers
            )
        missing = {"detection", "recognition"} - set(analysis.models)
        if missing:
            raise ProviderUnavailable(
                f"STUDIO_FACESWAP_ANALYSIS_DIR={analysis_dir} has no {' or '.join(sorted(missing))} ONNX "
                "(an insightface pack such as buffalo_l: det_10g.onnx and w600k_r50.onnx)."
            )
        analysis.prepare(ctx_id=0 if self._providers[0] != "CPUExecutionProvider" else -1, det_size=_DETECTION_SIZE)
        self._swapper = swapper
        self._analysis = analysis
        self._model = Path(swapper_file).name

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def device(self) -> str:
        """Where the swapper runs: the studio device name when onnxruntime placed it there, else cpu."""
        on_gpu = "CUDAExecutionProvider" in self._swapper.session.get_providers()
        return self._device if on_gpu else "cpu"

    def swap(self, requests: Sequence[FaceSwapRequest]) -> list[ImageEditResult]:
        results = []
        for request in requests:
            face_bgr, target_bgr = _bgr(request.face, "face"), _bgr(request.target, "target")
            sources = self._analysis.get(face_bgr)
            if not sources:
                raise InvalidRequest("face", "no face was found in the face picture; use a clear, front-facing photo")
            targets = self._analysis.get(target_bgr)
            if not targets:
                raise InvalidRequest("target", "no face was found in the target picture to swap into")
            source = max(sources, key=_area)
            swapped = target_bgr
            for target in targets:
                swapped = self._swapper.get(swapped, target, source, paste_back=True)
            results.append(
                ImageEditResult(
                    image=np.ascontiguousarray(swapped[..., ::-1]),
                    operations=(f"face swap into {len(targets)} face{'s' if len(targets) != 1 else ''} ({self._model})",),
                )
            )
        return results


def _check(settings: Settings) -> str | None:
    if importlib.util.find_spec("insightface") is None or importlib.util.find_spec("onnxruntime") is None:
        return _INSTALL_HINT
    if settings.faceswap_model is None:
        return "set STUDIO_FACESWAP_MODEL to a face-swapper ONNX file (e.g. inswapper_128.onnx)"
    if not settings.faceswap_model.is_file():
        return f"STUDIO_FACESWAP_MODEL={settings.faceswap_model} is not a file"
    if settings.faceswap_analysis_dir is None:
        return "set STUDIO_FACESWAP_ANALYSIS_DIR to an insightface face-analysis folder (e.g. buffalo_l)"
    if not any(settings.faceswap_analysis_dir.glob("*.onnx")):
        return f"STUDIO_FACESWAP_ANALYSIS_DIR={settings.faceswap_analysis_dir} holds no .onnx files"
    return None


def register(registry: ProviderRegistry) -> None:
    registry.register(
        AdapterSpec(
            provider=PROVIDER,
            capability=Capability.FACE_SWAP,
            description="Face swap with a local swapper ONNX (STUDIO_FACESWAP_MODEL) on insightface + onnxruntime, GPU when present",
            check=_check,
            per_device=True,
            local=True,
            factory=lambda s, device: InsightFaceSwapper(s.faceswap_model, s.faceswap_analysis_dir, device),  # type: ignore[arg-type]
        )
    )
