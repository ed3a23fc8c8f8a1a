"""How each synthetic asset of a person is made, labelled, stored and recorded.

Used by the queue handlers (background pre-generation) and by the real-time fallback
alike, so both produce the same thing.
"""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.analytics.outputs import new_output_id, record_output
from engine.errors import NotFound
from engine.imaging import decode_image
from engine.providers.base import SpeechRequest, VideoRequest
from engine.providers.gateway import CallContext, Served
from engine.scenarios import generative, provenance
from engine.scenarios.assets_plan import PlannedAsset, Scripts, render_text
from engine.scenarios.models import VoiceProfile
from engine.scenarios.scenes import compose_scene
from engine.scenarios.talking import FPS, talking_frames
from engine.scenarios.validation import wav_bytes
from storage.scenarios import AssetRow, ScenarioAssetRepository, ScenarioUserRepository, UserRow, utcnow

if TYPE_CHECKING:
    from engine.provenance import MediaSigner
    from engine.providers.gateway import ModelGateway
    from engine.settings import Settings
    from storage.generations import GenerationLog
    from storage.media import MediaStore

__all__ = ["AssetMaker", "speech_request"]

Report = Callable[[float, str], None]

# The workflow each kind of asset is rated under (its output record's kind).
OUTPUT_KINDS = {"image": "scenario_image", "video": "talking_photo", "dub": "scam_call"}
# The `kind` of the model calls that make each kind of asset (kept apart from the output kinds, so
# that the requests dashboard counts calls and the ratings dashboard counts outputs).
CALL_KINDS = {"image": "scenario_face_swap", "video": "scenario_video", "dub": "scenario_call"}


def _no_report(progress: float, message: str) -> None:
    return None


def speech_request(profile: VoiceProfile, text: str) -> SpeechRequest:
    """The profile's speech parameters for `text` (a cloned voice id, when present, is the voice)."""
    return SpeechRequest(
        text=text, voice=profile.cloned_voice_id or profile.voice, variant=None if profile.cloned_voice_id else profile.variant,
        pitch=profile.pitch, pitch_range=profile.pitch_range, rate=profile.rate,
    )  # fmt: skip


def _samples(wav: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav)) as w:
        rate, raw = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0, rate


def _spoken_by(served: Served[Any]) -> dict[str, str]:
    """Which speech adapter spoke, and the one it stood in for when the configured one failed."""
    spoken = {"speech_by": f"{served.model} on {served.provider}", "speech_provider": served.provider}
    return spoken if served.fallback_from is None else {**spoken, "speech_fallback_from": served.fallback_from}


class AssetMaker:
    def __init__(self, *, settings: Settings, models: ModelGateway, media: MediaStore, signer: MediaSigner,
                 users: ScenarioUserRepository, assets: ScenarioAssetRepository, scripts: Scripts,
                 outputs: GenerationLog) -> None:  # fmt: skip
        self._settings = settings
        self._outputs = outputs
        self._gateway = models
        self._media = media
        self._signer = signer
        self._users = users
        self._assets = assets
        self._scripts = scripts

    # -- shared pieces ---------------------------------------------------------------------------

    def speak(self, user: UserRow, text: str, context: CallContext) -> tuple[bytes, dict[str, str]]:
        """`text` in the person's voice profile, and who spoke it (for the asset's record)."""
        profile = VoiceProfile.model_validate(user.voice_profile)
        served = self._gateway.speech.synthesize_served([speech_request(profile, text)], context)
        return served.value[0].wav, _spoken_by(served)

    def _models(self) -> dict[str, str]:
        settings = self._settings
        return {"vision": settings.vision_provider, "speech": settings.speech_provider, "video": settings.video_provider}

    def _photo(self, user: UserRow) -> tuple[np.ndarray, np.ndarray]:
        return decode_image(self._media.read(user.photo_media)), np.asarray(user.landmarks, np.float32)

    def _save(self, user: UserRow, asset: PlannedAsset, media: str, started: float, job_id: str | None,
              realtime: bool, record: dict[str, Any], extra: dict[str, Any] | None = None) -> AssetRow:  # fmt: skip
        if not self._users.exists(user.id) or self._media.tombstones.is_deleted(user.owner):
            # deleted while this ran: leave nothing behind
            raise NotFound(f"The person was deleted while {asset.name} was being made.")
        seconds = round(time.perf_counter() - started, 3)
        made_by = str((extra or {}).get("made_by") or f"{self._settings.speech_provider} speech")
        row = AssetRow(user.id, asset.name, asset.kind, job_id, media, seconds, realtime, extra, record, utcnow(),
                       user.owner, new_output_id())  # fmt: skip
        self._assets.upsert(row)
        record_output(self._outputs, kind=OUTPUT_KINDS[asset.kind], owner=user.owner, made_by=made_by, summary=asset.name,
                      seconds=seconds, user_id=user.id, job_id=job_id, generation_id=row.generation_id)  # fmt: skip
        return row

    # -- the three kinds ---------------------------------------------------------------------------

    def make(self, user_id: str, asset: PlannedAsset, *, job_id: str | None = None, realtime: bool = False,
             report: Report = _no_report) -> AssetRow:  # fmt: skip
        user = self._users.get(user_id)
        maker = {"image": self.make_image, "video": self.make_video, "dub": self.make_dub}[asset.kind]
        return maker(user, asset, job_id=job_id, realtime=realtime, report=report)

    def make_image(self, user: UserRow, asset: PlannedAsset, *, job_id: str | None, realtime: bool,
                   report: Report) -> AssetRow:  # fmt: skip
        started = time.perf_counter()
        scenario = self._scripts.scenarios[asset.scenario]
        photo, landmarks = self._photo(user)
        report(0.3, "placing the face into the scene")
        text = {k: render_text(scenario[k], user.name, user.age) for k in ("headline", "ticker")}
        placed = compose_scene(scenario["scene"], photo, landmarks, text)
        steps = ["face landmarks (478)", f"scene '{scenario['scene']}' rendered", "similarity alignment",
                 "colour transfer", "seamless clone (Poisson)", "simulation banner"]  # fmt: skip
        context = CallContext(user_id=user.id, job_id=job_id, owner=user.owner, kind=CALL_KINDS["image"])
        made = generative.swap_into_scene(self._gateway, photo, placed.image, context)
        image = made.image if isinstance(made, generative.Generated) and made.image is not None else placed.image
        if isinstance(made, generative.Generated):
            steps += [f"face swap ({made.made_by})", "simulation banner burned in again"]
        who = generative.made_by(made, "embedded OpenCV placement")
        record = provenance.manifest(
            asset=asset.name, kind="image", user_id=user.id, sources={"photo": user.photo_media},
            steps=steps, models=self._models(), extra=who,
        )  # fmt: skip
        report(0.8, "labelling and storing")
        png = provenance.png_with_manifest(image, record)
        ref = self._media.put(self._signer.sign_media(png, "image/png", record), "png", owner=user.owner)
        extra = {"landmarks": np.round(placed.landmarks, 1).tolist(), **who}
        return self._save(user, asset, ref.sha256, started, job_id, realtime, record, extra)

    def make_video(self, user: UserRow, asset: PlannedAsset, *, job_id: str | None, realtime: bool,
                   report: Report) -> AssetRow:  # fmt: skip
        started = time.perf_counter()
        assert asset.parent is not None
        image_row = self._assets.get(user.id, asset.parent)
        if image_row is None or image_row.media is None or not image_row.extra:
            if not realtime:
                raise NotFound(f"The scenario image {asset.parent} is missing; it must be made first.")
            from engine.scenarios.assets_plan import plan

            parent = next(a for a in plan(self._scripts) if a.name == asset.parent)
            image_row = self.make_image(user, parent, job_id=None, realtime=True, report=_no_report)
        assert image_row.media is not None and image_row.extra is not None
        context = CallContext(user_id=user.id, job_id=job_id, owner=user.owner, kind=CALL_KINDS["video"])
        script = render_text(self._scripts.scenarios[asset.scenario]["script"], user.name, user.age)
        report(0.1, "speaking the script in the person's voice profile")
        wav, voice = self.speak(user, script, context)
        report(0.3, "moving the mouth with the speech")
        image = decode_image(self._media.read(image_row.media))
        made = generative.talking_clip(self._gateway, image, wav, FPS, context)
        if isinstance(made, generative.Generated) and made.frames:
            frames, fps, motion = made.frames, made.fps, f"talking head ({made.made_by})"
        else:
            landmarks = np.asarray(image_row.extra["landmarks"], np.float32)
            frames, fps, motion = talking_frames(image, landmarks, wav, FPS), FPS, "envelope + phoneme-class mouth motion"
        report(0.5, f"encoding {len(frames)} frames")
        video = self._gateway.video.render([VideoRequest(frames=frames, fps=fps, audio_wav=wav)], context)[0]
        who = generative.made_by(made, "embedded mouth warp")
        record = provenance.manifest(
            asset=asset.name, kind="video", user_id=user.id,
            sources={"photo": user.photo_media, "voice": user.voice_media, "scenario_image": image_row.media},
            steps=["speech from the voice profile", motion, "H.264/AAC", "simulation banner in every frame"],
            models=self._models(), extra={"script": script, **who, **voice},
        )  # fmt: skip
        report(0.9, "labelling and storing")
        from engine.providers.embedded.video import ffmpeg_exe

        mp4 = provenance.mp4_with_manifest(video.mp4, record, ffmpeg_exe())
        ref = self._media.put(self._signer.sign_media(mp4, "video/mp4", record), "mp4", owner=user.owner)
        return self._save(user, asset, ref.sha256, started, job_id, realtime, record,
                          {"duration_s": round(video.duration_s, 2), "frames": len(frames), **who, **voice})  # fmt: skip

    def make_dub(self, user: UserRow, asset: PlannedAsset, *, job_id: str | None, realtime: bool,
                 report: Report) -> AssetRow:  # fmt: skip
        started = time.perf_counter()
        context = CallContext(user_id=user.id, job_id=job_id, owner=user.owner, kind=CALL_KINDS["dub"])
        script = render_text(self._scripts.dubs[asset.scenario]["script"], user.name, user.age)
        report(0.2, "speaking the scam call in the person's voice profile")
        narrator = SpeechRequest(text=self._scripts.disclosure, voice="en-gb-x-rp")
        disclosure_wav = self._gateway.speech.synthesize([narrator], context)[0].wav
        call_wav, voice = self.speak(user, script, context)
        who = {"made_by": voice["speech_by"], "provider": voice["speech_provider"]}
        disclosure, rate = _samples(disclosure_wav)
        call, call_rate = _samples(call_wav)
        if call_rate != rate:  # a cloud voice at another rate: bring the disclosure to its rate
            from scipy.signal import resample_poly

            disclosure, rate = resample_poly(disclosure, call_rate, rate).astype(np.float32), call_rate
        gap = np.zeros(int(0.25 * rate), np.float32)
        audio = np.concatenate([provenance.disclosure_tone(rate), gap, disclosure, gap, call])
        record = provenance.manifest(
            asset=asset.name, kind="dub", user_id=user.id, sources={"voice": user.voice_media},
            steps=["tone + spoken disclosure", f"speech from the voice profile ({who['made_by']})"], models=self._models(),
            extra={"script": script, "disclosure": self._scripts.disclosure, **who, **voice},
        )  # fmt: skip
        wav = provenance.wav_with_manifest(wav_bytes(audio, rate), record)
        ref = self._media.put(self._signer.sign_media(wav, "audio/wav", record), "wav", owner=user.owner)
        return self._save(user, asset, ref.sha256, started, job_id, realtime, record,
                          {"duration_s": round(len(audio) / rate, 2), **who, **voice})  # fmt: skip
