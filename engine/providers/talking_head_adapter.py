"""Talking head (face picture + speech → video) from a local model folder: a Wav2Lip ONNX on onnxruntime.

`wav2lip` runs the one talking-head format that ships as a single runnable file: a Wav2Lip
lip-sync model exported to ONNX, as distributed for FaceFusion (`wav2lip_96.onnx`,
`wav2lip_gan_96.onnx`): inputs `source` (1, 1, 80, 16), a mel-spectrogram window of the
speech, and `target` (1, 6, 96, 96), the face crop with its lower half blanked beside the
whole crop (BGR, 0..1); output (1, 3, 96, 96), the crop with the mouth speaking.
`STUDIO_TALKING_HEAD_MODEL` names the folder holding it. The face is found with OpenCV's
bundled Haar cascade; the frames and the speech become an H.264/AAC MP4 with the ffmpeg
of imageio-ffmpeg. Only the mouth moves: head motion (SadTalker, LivePortrait) needs
PyTorch research code that no single file carries; those stay out, and talking photos
without this model keep the labelled embedded path.
"""

from __future__ import annotations

import importlib.util
import io
import math
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers import ffmpeg_io
from engine.providers.base import Capability
from engine.providers.generative import ClipResult, TalkingHeadModel, TalkingHeadRequest
from engine.providers.onnx_runtime import execution_providers
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

__all__ = ["Wav2LipTalkingHead", "register", "speech_mel"]

PROVIDER = "wav2lip"
_INTERFACE = "inputs source (1, 1, 80, 16) and target (1, 6, 96, 96), output (1, 3, 96, 96)"
_SAMPLE_RATE = 16_000
_MEL_PER_SECOND = 80  # hop of 200 samples at 16 kHz
_MEL_WINDOW = 16
_CROP = 96
_BATCH = 16


def _read_wav(data: bytes) -> np.ndarray:
    """Mono float32 samples at 16 kHz."""
    from scipy.signal import resample_poly

    try:
        with wave.open(io.BytesIO(data)) as reader:
            rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
            pcm = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise InvalidRequest("audio_wav", "give the speech as a WAV file (16-bit PCM)") from exc
    if width != 2:
        raise InvalidRequest("audio_wav", f"give 16-bit PCM WAV, not {8 * width}-bit")
    samples = np.frombuffer(pcm, "<i2").astype(np.float32).reshape(-1, channels).mean(axis=1) / 32768.0
    if samples.size == 0:
        raise InvalidRequest("audio_wav", "the speech is empty")
    if rate != _SAMPLE_RATE:
        divisor = math.gcd(rate, _SAMPLE_RATE)
        samples = resample_poly(samples, _SAMPLE_RATE // divisor, rate // divisor).astype(np.float32)
    return samples


def speech_mel(samples: np.ndarray) -> np.ndarray:
    """Wav2Lip's mel spectrogram (80 bands, 80 frames a second), normalised to [-4, 4]."""
    from transformers.audio_utils import mel_filter_bank, spectrogram, window_function

    filters = mel_filter_bank(
        num_frequency_bins=401, num_mel_filters=80, min_frequency=55.0, max_frequency=7600.0,
        sampling_rate=_SAMPLE_RATE, norm="slaney", mel_scale="slaney",
    )
    magnitude = spectrogram(
        samples, window_function(800, "hann"), frame_length=800, hop_length=200, power=1.0,
        mel_filters=filters, preemphasis=0.97, center=True,
    )
    decibels = 20.0 * np.log10(np.maximum(magnitude, 1e-5)) - 20.0
    return np.clip(8.0 * (decibels + 100.0) / 100.0 - 4.0, -4.0, 4.0).astype(np.float32)


def _face_box(bgr: np.ndarray) -> tuple[int, int, int, int]:
    """x1, y1, x2, y2 of the largest face, with Wav2Lip's extra 10 % below the chin."""
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    faces = cascade.detectMultiScale(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), 1.1, 5, minSize=(48, 48))
    if len(faces) == 0:
        raise InvalidRequest("image", "no face was found in the picture; use a clear, front-facing photo")
    x, y, w, h = max(faces, key=lambda box: box[2] * box[3])
    return int(x), int(y), int(x + w), int(min(bgr.shape[0], y + h + h // 10))


def _encode_mp4(frames: list[np.ndarray], fps: float, audio_wav: bytes) -> bytes:
    imageio_ffmpeg = ffmpeg_io.imageio_ffmpeg()

    height, width = frames[0].shape[:2]
    with tempfile.TemporaryDirectory(prefix="studio-talking-") as folder:
        audio, video = Path(folder) / "speech.wav", Path(folder) / "clip.mp4"
        audio.write_bytes(audio_wav)
        writer = imageio_ffmpeg.write_frames(
            str(video), (width, height), fps=fps, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=2,
            audio_path=str(audio), audio_codec="aac", ffmpeg_log_level="error",
            output_params=["-shortest", "-movflags", "+faststart"],
        )
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        return video.read_bytes()


class Wav2LipTalkingHead(TalkingHeadModel):
    """The face in the picture speaking the audio: Wav2Lip redraws the mouth, frame by frame."""

    provider = PROVIDER
    local = True
    features = frozenset({"lip_sync"})

    def __init__(self, folder: Path, device: str) -> None:
        try:
            import onnxruntime
        except ImportError as exc:  # pragma: no cover - a pinned dependency
            raise ProviderUnavailable("onnxruntime is not installed: run make install") from exc
        self._file, self._session = None, None
        for candidate in sorted(Path(folder).glob("*.onnx")):
            session = onnxruntime.InferenceSession(str(candidate), providers=execution_providers(device))
            shapes = {i.name: list(i.shape) for i in session.get_inputs()}
            if shapes.get("source", [])[1:] == [1, 80, 16] and shapes.get("target", [])[1:] == [6, 96, 96]:
                self._file, self._session = candidate, session
                break
        if self._session is None:
            raise ProviderUnavailable(
                f"STUDIO_TALKING_HEAD_MODEL={folder} holds no Wav2Lip ONNX ({_INTERFACE}), e.g. wav2lip_gan_96.onnx."
            )
        self._batched = not isinstance(self._session.get_inputs()[0].shape[0], int)

    @property
    def model_name(self) -> str:
        return self._file.name if self._file else "wav2lip"

    def animate(self, requests: Sequence[TalkingHeadRequest]) -> list[ClipResult]:
        return [self._animate(request) for request in requests]

    def _animate(self, request: TalkingHeadRequest) -> ClipResult:
        import cv2

        image = np.asarray(request.image)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InvalidRequest("image", f"give an RGB uint8 picture of shape (H, W, 3), not {image.dtype} {image.shape}")
        bgr = np.ascontiguousarray(image[: image.shape[0] // 2 * 2, : image.shape[1] // 2 * 2, ::-1])
        samples = _read_wav(request.audio_wav)
        x1, y1, x2, y2 = _face_box(bgr)
        crop = cv2.resize(bgr[y1:y2, x1:x2], (_CROP, _CROP)).astype(np.float32) / 255.0
        blanked = crop.copy()
        blanked[_CROP // 2 :] = 0.0
        target = np.concatenate([blanked, crop], axis=2).transpose(2, 0, 1)[None]
        mel = speech_mel(samples)
        seconds = samples.size / _SAMPLE_RATE
        count = max(1, math.ceil(seconds * request.fps))
        padded = np.pad(mel, ((0, 0), (0, _MEL_WINDOW)), mode="edge")
        windows = np.stack(
            [padded[:, int(_MEL_PER_SECOND * i / request.fps) :][:, :_MEL_WINDOW] for i in range(count)]
        )[:, None]
        mouths = self._run(windows, target)
        frames = []
        for mouth in mouths:
            frame = bgr.copy()
            face = np.clip(mouth.transpose(1, 2, 0) * 255.0, 0, 255).astype(np.uint8)
            frame[y1:y2, x1:x2] = cv2.resize(face, (x2 - x1, y2 - y1))
            frames.append(frame[..., ::-1])
        height, width = frames[0].shape[:2]
        return ClipResult(
            mp4=_encode_mp4(frames, request.fps, request.audio_wav), duration_s=count / request.fps,
            width=width, height=height, operations=(f"lip sync of {count} frames ({self.model_name})",),
        )

    def _run(self, windows: np.ndarray, target: np.ndarray) -> list[np.ndarray]:
        assert self._session is not None
        step = _BATCH if self._batched else 1
        outputs = []
        for start in range(0, len(windows), step):
            chunk = windows[start : start + step]
            targets = np.repeat(target, len(chunk), axis=0).astype(np.float32)
            outputs.extend(self._session.run(None, {"source": chunk.astype(np.float32), "target": targets})[0])
        return outputs


def _check(settings: Settings) -> str | None:
    folder = settings.talking_head_model
    if importlib.util.find_spec("onnxruntime") is None:
        return "onnxruntime is not installed: run make install"
    if folder is None:
        return f"set STUDIO_TALKING_HEAD_MODEL to a folder with a Wav2Lip ONNX ({_INTERFACE}, e.g. wav2lip_gan_96.onnx)"
    if not folder.is_dir():
        return f"STUDIO_TALKING_HEAD_MODEL={folder} is not a folder"
    if not any(folder.glob("*.onnx")):
        return f"STUDIO_TALKING_HEAD_MODEL={folder} holds no .onnx file (a Wav2Lip ONNX: {_INTERFACE})"
    return None


def register(registry: ProviderRegistry) -> None:
    registry.register(
        AdapterSpec(
            provider=PROVIDER,
            capability=Capability.TALKING_HEAD,
            description="Talking head: a local Wav2Lip ONNX (STUDIO_TALKING_HEAD_MODEL) moves the mouth to the speech",
            check=_check,
            per_device=True,
            local=True,
            factory=lambda s, device: Wav2LipTalkingHead(s.talking_head_model, device),  # type: ignore[arg-type]
        )
    )
