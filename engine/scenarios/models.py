"""What the scenarios flow takes and gives back: requests, the voice profile, assets, narration, stats."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ASSET_STATUSES",
    "AssetStatus",
    "CacheStats",
    "CallView",
    "CourseModule",
    "CourseStep",
    "DeletionReport",
    "LessonScore",
    "Narration",
    "OnboardRequest",
    "OnboardResult",
    "QuestionResult",
    "QuizQuestion",
    "QuizScore",
    "ScenarioView",
    "StepView",
    "UserProfile",
    "VoiceProfile",
]

ASSET_STATUSES = ("pending", "running", "completed", "failed", "blocked", "cancelled")
AssetKind = Literal["image", "video", "dub"]


class OnboardRequest(BaseModel):
    """A person's onboarding form: who they are, their photo and voice, and their consent."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="How the course addresses the person.")
    age: int = Field(description="Age in years (13-120).")
    gender: str = Field(description="'female', 'male' or 'other'; picks the speech voice family.")
    photo: bytes = Field(repr=False, description="A face photo: PNG, JPEG or WebP, at most 10 MB.")
    photo_name: str = Field("photo.jpg", description="Original file name (its extension is a hint only).")
    voice: bytes = Field(repr=False, description="A voice sample, 3-60 s: WAV, or MP3/OGG/WebM/M4A/FLAC.")
    voice_name: str = Field("voice.wav", description="Original file name (its extension is a hint only).")
    consent: bool = Field(False, description="The person agreed to have their likeness and voice simulated.")


class VoiceProfile(BaseModel):
    """Measured from the voice sample, mapped to speech-engine parameters."""

    f0_hz: float = Field(description="Median fundamental frequency of voiced frames.")
    f0_spread: float = Field(description="Inter-quartile range of F0 in semitones.")
    syllables_per_s: float
    brightness: float = Field(description="Spectral centroid of the voiced frames, Hz.")
    loudness_db: float = Field(description="RMS level of the sample, dBFS.")
    voice: str = "en-us"
    variant: str | None = None
    pitch: int = Field(50, ge=0, le=99)
    pitch_range: int = Field(50, ge=0, le=99)
    rate: int = Field(175, ge=80, le=450)
    cloned_voice_id: str | None = Field(None, description="A cloud provider's cloned voice, when one is configured.")
    engine: str = Field("embedded", description="The speech provider the parameters are for.")

    def fingerprint(self) -> str:
        """Stable text of the parameters that change the audio (part of the narration cache key)."""
        return f"{self.voice}|{self.variant}|{self.pitch}|{self.pitch_range}|{self.rate}|{self.cloned_voice_id}"


class UserProfile(BaseModel):
    id: str
    name: str
    age: int
    gender: str
    photo_media: str
    voice_media: str
    caricature_media: str | None
    voice_profile: VoiceProfile
    created_at: datetime


class AssetStatus(BaseModel):
    """One pre-generated asset of a person, as the status view shows it."""

    name: str = Field(description="e.g. 'lottery_image', 'lottery_video', 'investment_call'.")
    kind: AssetKind
    scenario: str
    title: str
    job_id: str
    status: str = Field(description="pending | running | completed | failed | blocked | cancelled")
    progress: float = 0.0
    message: str | None = None
    error: str | None = None
    path: Path | None = None
    media: str | None = None
    seconds: float | None = Field(None, description="Time the job's last attempt took.")
    attempts: int = 0
    realtime: bool = Field(False, description="Made on demand because the background job was not ready.")
    generation_id: str | None = Field(None, description="The finished asset's output record: what feedback rates.")


class OnboardResult(BaseModel):
    user_id: str
    caricature_path: Path
    caricature_generation_id: str | None = Field(None, description="What feedback on the caricature rates.")
    voice_profile: VoiceProfile
    assets: list[AssetStatus]
    seconds: float = Field(description="Time from request to caricature.")


class ScenarioView(BaseModel):
    scenario: str
    title: str
    image_path: Path
    video_path: Path
    realtime: bool = Field(description="True when it had to be generated now.")
    seconds: float
    image_generation_id: str | None = Field(None, description="What feedback on the scene rates.")
    video_generation_id: str | None = Field(None, description="What feedback on the talking photo rates.")


class CallView(BaseModel):
    """A scam-call dub of a person, ready to play."""

    dub: str
    title: str
    path: Path
    realtime: bool = Field(description="True when it had to be made now.")
    generation_id: str | None = Field(None, description="What feedback on the call rates.")


class CourseStep(BaseModel):
    id: str
    title: str
    script: str
    scenario: str | None = Field(None, description="A scenario whose image and talking photo this step shows.")
    dub: str | None = Field(None, description="A scam-call dub this step plays.")


class QuizQuestion(BaseModel):
    """One spot-the-fake question of a lesson; `answer` indexes `choices`."""

    id: str
    question: str
    choices: list[str] = Field(min_length=2)
    answer: int
    explain: str


class CourseModule(BaseModel):
    id: str
    title: str
    steps: list[CourseStep]
    quiz: list[QuizQuestion] = Field(default_factory=list)


class StepView(BaseModel):
    """One step of the guided course for a person, with the media it shows."""

    index: int = Field(description="0-based position in the whole course.")
    total: int
    module_title: str
    step: CourseStep
    text: str = Field(description="The step's script for this person.")
    image_path: Path | None = None
    video_path: Path | None = None
    call_path: Path | None = Field(None, description="The scam-call dub's audio.")
    call_title: str | None = None
    realtime: bool = Field(False, description="Some media had to be made now.")
    seconds: float = 0.0
    image_generation_id: str | None = Field(None, description="What feedback on the scene rates.")
    video_generation_id: str | None = Field(None, description="What feedback on the talking photo rates.")
    call_generation_id: str | None = Field(None, description="What feedback on the call rates.")


class QuestionResult(BaseModel):
    question_id: str
    chosen: int | None
    right: bool
    correct_choice: str
    explain: str


class LessonScore(BaseModel):
    module_id: str
    title: str
    correct: int
    total: int
    results: list[QuestionResult]


class QuizScore(BaseModel):
    """A person's latest answers, lesson by lesson."""

    user_id: str
    lessons: list[LessonScore]
    correct: int
    total: int


class Narration(BaseModel):
    user_id: str
    step_id: str
    text: str
    path: Path
    media: str
    duration_s: float
    hit: bool = Field(description="Served from the cache.")
    preloaded: bool = Field(False, description="The cache entry was made ahead of time by a preload.")
    seconds: float = Field(description="Time to serve this request.")
    next_step_id: str | None = None
    generation_id: str | None = Field(None, description="The narration's output record (shared by every serving of"
                                      " the same cached audio): what feedback rates.")


class CacheStats(BaseModel):
    user_id: str
    entries: int
    live_entries: int
    expired_entries: int
    bytes: int
    hits: int
    misses: int
    preloads: int
    hit_rate: float
    total_accesses: int
    last_access: datetime | None


class DeletionReport(BaseModel):
    user_id: str
    rows_deleted: int
    files_deleted: int
    jobs_cancelled: int
