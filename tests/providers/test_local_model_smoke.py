"""`studio models` smoke-tests a configured face swap and talking head on the bundled sample face."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.engine import build_engine
from engine.providers.base import Capability
from engine.settings import Settings
from tests.support.tiny_faceswap import write_face_models
from tests.support.tiny_talking_head import write_wav2lip

pytestmark = pytest.mark.slow


def test_smoke_test_runs_the_configured_local_models(engine_settings: Settings, tmp_path: Path) -> None:
    swapper, analysis = write_face_models(tmp_path / "faceswap")
    wav2lip = tmp_path / "wav2lip"
    write_wav2lip(wav2lip)
    settings = engine_settings.model_copy(
        update={
            "face_swap_provider": "insightface", "faceswap_model": swapper, "faceswap_analysis_dir": analysis,
            "talking_head_provider": "wav2lip", "talking_head_model": wav2lip, "use_cuda": False,
        }
    )
    with build_engine(settings) as engine:
        results = {r.capability: r for r in engine.system.smoke_test([Capability.FACE_SWAP, Capability.TALKING_HEAD])}
    assert results["face_swap"].provider == "insightface" and results["face_swap"].ok, results["face_swap"].detail
    assert "face swap into" in results["face_swap"].detail
    assert results["talking_head"].provider == "wav2lip" and results["talking_head"].ok, results["talking_head"].detail
    assert "bytes of MP4, 0.52 s" in results["talking_head"].detail  # 0.5 s of speech at 25 fps: 13 frames


def test_without_them_configured_nothing_is_smoke_tested(engine_settings: Settings) -> None:
    with build_engine(engine_settings) as engine:
        assert engine.system.smoke_test([Capability.FACE_SWAP, Capability.TALKING_HEAD]) == []

