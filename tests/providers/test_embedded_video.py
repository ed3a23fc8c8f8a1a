"""ffmpeg MP4s, checked by reading them back with the same ffmpeg binary."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import SpeechModel, SpeechRequest, VideoModel, VideoRequest
from engine.providers.embedded.video import ffmpeg_exe


def probe(mp4: bytes, tmp_path: Path) -> tuple[str, int]:
    """ffmpeg's stream description of the file, and how many video frames decode."""
    path = tmp_path / "out.mp4"
    path.write_bytes(mp4)
    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    decoded = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v", "-f", "null", "-"],
        capture_output=True,
        text=True,
    ).stderr
    frames = int(re.findall(r"frame=\s*(\d+)", decoded)[-1])
    return info, frames


def gradient_frames(count: int, width: int = 96, height: int = 64) -> list[np.ndarray]:
    return [
        np.full((height, width, 3), (i * 10 % 256, 128, 255 - i * 10 % 256), dtype=np.uint8)
        for i in range(count)
    ]


def test_frames_and_speech_make_an_h264_aac_mp4(
    video_model: VideoModel, speech_model: SpeechModel, tmp_path: Path
) -> None:
    [speech] = speech_model.synthesize([SpeechRequest(text="One two three.")])
    [result] = video_model.render([VideoRequest(frames=gradient_frames(24), fps=12, audio_wav=speech.wav)])
    info, frames = probe(result.mp4, tmp_path)
    assert "Video: h264" in info and "yuv420p" in info and "96x64" in info
    assert "Audio: aac" in info
    duration = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info)
    assert duration is not None
    seconds = int(duration[1]) * 3600 + int(duration[2]) * 60 + float(duration[3])
    assert seconds == pytest.approx(max(2.0, speech.duration_s), abs=0.15)
    assert frames == 24  # the last frame is kept
    assert (result.width, result.height) == (96, 64)


def test_silent_video_has_no_audio_stream(video_model: VideoModel, tmp_path: Path) -> None:
    [result] = video_model.render([VideoRequest(frames=gradient_frames(10), fps=10)])
    info, frames = probe(result.mp4, tmp_path)
    assert "Video: h264" in info and "Audio:" not in info
    assert frames == 10 and result.duration_s == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ([], "at least one frame"),
        ([np.zeros((64, 64, 3), np.uint8), np.zeros((32, 64, 3), np.uint8)], "differs"),
        ([np.zeros((63, 64, 3), np.uint8)], "even"),
        ([np.zeros((64, 64), np.uint8)], "RGB"),
    ],
)
def test_bad_frames_are_refused(video_model: VideoModel, frames: list[np.ndarray], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        video_model.render([VideoRequest(frames=frames)])


def test_bad_audio_is_refused(video_model: VideoModel) -> None:
    with pytest.raises(InvalidRequest, match="audio_wav"):
        video_model.render([VideoRequest(frames=gradient_frames(2), audio_wav=b"not a wav")])
