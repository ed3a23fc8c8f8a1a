"""The Wav2Lip talking-head adapter through a tiny ONNX with a Wav2Lip export's interface (CPU)."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import Capability
from engine.providers.generative import TalkingHeadRequest
from engine.providers.media_codec import pcm16_to_wav
from engine.providers.registry import ProviderRegistry
from engine.providers.talking_head_adapter import Wav2LipTalkingHead, speech_mel
from engine.settings import Settings
from tests.support.tiny_faceswap import write_face_models
from tests.support.tiny_talking_head import write_wav2lip

SAMPLES = Path(__file__).parents[2] / "assets" / "samples"
FACE = np.asarray(Image.open(SAMPLES / "face.jpg").convert("RGB"))
LOWER_FACE = (slice(125, 165), slice(190, 260))  # below the nose of the sample face (its box: x 177-272, y 66-170)


def speech(seconds: float, rate: int = 22050, loud: bool = True) -> bytes:
    """Broadband noise (every mel band hears it) at 22.05 kHz, so the adapter also resamples."""
    noise = np.random.default_rng(0).standard_normal(int(seconds * rate)) * (6000 if loud else 0)
    return pcm16_to_wav(noise.astype("<i2").tobytes(), rate)


def decoded(mp4: bytes, tmp_path: Path) -> tuple[dict, list[np.ndarray]]:
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    return meta, [np.frombuffer(frame, np.uint8).reshape(height, width, 3) for frame in reader]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wav2lip")
    write_wav2lip(folder)
    return folder


@pytest.fixture(scope="module")
def talking_head(model_dir: Path) -> Wav2LipTalkingHead:
    return Wav2LipTalkingHead(model_dir, "cpu")


def test_speech_moves_the_mouth_into_an_mp4_with_the_audio(talking_head: Wav2LipTalkingHead, tmp_path: Path) -> None:
    [clip] = talking_head.animate([TalkingHeadRequest(image=FACE, audio_wav=speech(0.8), fps=25)])
    assert (clip.width, clip.height, clip.duration_s) == (512, 512, 0.8)
    meta, frames = decoded(clip.mp4, tmp_path)
    assert (meta["codec"], meta["audio_codec"], len(frames)) == ("h264", "aac", 20)
    before = FACE[LOWER_FACE].astype(float).mean()
    assert all(frame[LOWER_FACE].astype(float).mean() > before + 10 for frame in frames)
    assert abs(frames[10][20:60, 20:60].astype(float).mean() - FACE[20:60, 20:60].astype(float).mean()) < 4  # away from the face
    assert "lip sync of 20 frames" in clip.operations[0]


def test_silence_leaves_the_mouth_still(talking_head: Wav2LipTalkingHead, tmp_path: Path) -> None:
    [clip] = talking_head.animate([TalkingHeadRequest(image=FACE, audio_wav=speech(0.4, loud=False), fps=10)])
    _, frames = decoded(clip.mp4, tmp_path)
    assert len(frames) == 4
    assert abs(frames[2][LOWER_FACE].astype(float).mean() - FACE[LOWER_FACE].astype(float).mean()) < 4


def test_the_mel_spectrogram_has_wav2lips_rate_and_range() -> None:
    t = np.arange(16000) / 16000
    mel = speech_mel((np.sin(2 * np.pi * 440 * t) * 0.5).astype(np.float32))
    assert mel.shape[0] == 80 and abs(mel.shape[1] - 80) <= 1
    assert mel.min() >= -4 and mel.max() <= 4 and mel.max() > 0
    assert (speech_mel(np.zeros(16000, np.float32)) == -4).all()


def test_a_model_with_a_fixed_batch_of_one_runs_frame_by_frame(tmp_path: Path) -> None:
    folder = tmp_path / "fixed"
    write_wav2lip(folder, batch=1)
    [clip] = Wav2LipTalkingHead(folder, "cpu").animate([TalkingHeadRequest(image=FACE, audio_wav=speech(0.2), fps=25)])
    assert clip.duration_s == 0.2


def test_a_picture_without_a_face_names_the_field(talking_head: Wav2LipTalkingHead) -> None:
    no_face = np.asarray(Image.open(SAMPLES / "no_face.jpg").convert("RGB"))
    with pytest.raises(InvalidRequest, match="image"):
        talking_head.animate([TalkingHeadRequest(image=no_face, audio_wav=speech(0.2))])


def test_audio_that_is_not_wav_names_the_field(talking_head: Wav2LipTalkingHead) -> None:
    with pytest.raises(InvalidRequest, match="audio_wav"):
        talking_head.animate([TalkingHeadRequest(image=FACE, audio_wav=b"ID3 not a wav")])


def test_a_folder_without_a_wav2lip_onnx_says_what_it_needs(tmp_path: Path) -> None:
    _, analysis = write_face_models(tmp_path)
    with pytest.raises(ProviderUnavailable, match="STUDIO_TALKING_HEAD_MODEL.*no Wav2Lip ONNX"):
        Wav2LipTalkingHead(analysis, "cpu")


def test_status_names_what_is_missing(tmp_path: Path, model_dir: Path) -> None:
    def reason(folder: Path | None) -> str:
        registry = ProviderRegistry(Settings(talking_head_model=folder))
        registry.load_plugins()
        [status] = [s for s in registry.statuses() if s.capability is Capability.TALKING_HEAD and s.provider == "wav2lip"]
        return status.reason

    assert "set STUDIO_TALKING_HEAD_MODEL" in reason(None)
    assert "is not a folder" in reason(tmp_path / "missing")
    assert "holds no .onnx" in reason(tmp_path)
    assert reason(model_dir) == "ready"
