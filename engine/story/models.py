"""What the story service takes and gives back: content, adventure state, events, summaries."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Adventure",
    "Chapter",
    "ChapterEvent",
    "ChapterImage",
    "ChapterRecap",
    "ChapterType",
    "Character",
    "LessonAnswer",
    "LessonResult",
    "Question",
    "StoryConfig",
    "StorySummary",
    "Topic",
    "World",
    "utcnow",
]

MIN_CHAPTERS = 3
MAX_CHAPTERS = 12
DEFAULT_CHAPTERS = 8


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class _Content(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChapterType(str, enum.Enum):
    STORY = "story"
    LESSON = "lesson"
    REFLECTION = "reflection"
    CONCLUSION = "conclusion"


# --- content (assets/story) ------------------------------------------------------------


class Character(_Content):
    name: str = Field(min_length=1)
    appearance: str = Field(min_length=1)


class World(_Content):
    id: str = Field(min_length=1)
    name: str
    setting: str
    tone: str
    protagonist: Character
    places: tuple[str, ...] = ()


class Question(_Content):
    id: str = Field(min_length=1)
    question: str
    options: tuple[str, ...] = Field(min_length=3, max_length=3)
    answer: str
    explanation: str

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> Question:
        if self.answer not in self.options:
            raise ValueError(f"question {self.id!r}: the answer must be one of its options")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.id!r}: options must differ")
        return self

    @property
    def answer_index(self) -> int:
        return self.options.index(self.answer)


class Topic(_Content):
    id: str = Field(min_length=1)
    name: str
    description: str
    hooks: tuple[str, ...] = Field(min_length=1)
    actions: tuple[str, ...] = Field(min_length=3)
    questions: tuple[Question, ...] = Field(min_length=1)


# --- configuration --------------------------------------------------------------------------


class StoryConfig(BaseModel):
    """Tuning of the story service; the defaults fit the embedded 135M model on two CPU cores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chapter_tokens: int = Field(110, ge=8, le=2048, description="Token budget of one chapter's prose.")
    choice_tokens: int = Field(56, ge=8, le=512, description="Token budget of one choices call.")
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    history_chars: int = Field(700, ge=100, description="Longer histories are summarised in the prompt.")
    images: bool = Field(True, description="Submit chapter images to the queue.")
    image_size: int = Field(384, ge=64, le=2048)
    image_timeout_s: float = Field(60.0, gt=0, description="An image not ready by then is shown as unavailable.")
    generation_wait_s: float = Field(300.0, gt=0, description="How long a second tab waits for a chapter being written.")


# --- adventure state -----------------------------------------------------------------------


class ChapterImage(BaseModel):
    job_id: str
    kind: Literal["choice", "scene"]
    choice_index: int | None = None
    prompt: str
    status: Literal["pending", "ready", "failed", "timeout", "off"] = "pending"
    path: str | None = None
    is_placeholder: bool = False
    note: str = ""
    elapsed_ms: float | None = None
    made_by: str | None = None  # "MODEL on PROVIDER": the adapter that drew it (after any fallback)
    generation_id: str | None = None  # the picture's generations record (to rate it), once it is ready


class Chapter(BaseModel):
    index: int = Field(ge=0)
    type: ChapterType
    text: str
    choices: list[str] = Field(default_factory=list)
    choice_made: int | None = None
    choices_source: Literal["model", "regenerated", "fallback", "options", "none"] = "model"
    question: Question | None = None
    feedback: str | None = Field(None, description="Right-or-wrong reaction to the previous lesson answer.")
    images: list[ChapterImage] = Field(default_factory=list)
    tokens: int = 0
    ttft_ms: float | None = None
    total_ms: float = 0.0
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime = Field(default_factory=utcnow)
    chosen_at: datetime | None = None
    generation_id: str | None = Field(None, description="The generations record of the chapter text, to rate it.")
    routed_to: str | None = Field(None, description="The text model the hybrid router chose for the chapter.")

    @property
    def is_last(self) -> bool:
        return self.type is ChapterType.CONCLUSION


class LessonAnswer(BaseModel):
    chapter_index: int
    question_id: str
    question: str
    chosen: str
    correct_answer: str
    correct: bool
    explanation: str
    answered_at: datetime = Field(default_factory=utcnow)


class Adventure(BaseModel):
    id: str
    user_id: str | None = None
    owner: str | None = Field(default=None, description="Who made it (engine.ownership); kept in `stories.owner`.")
    world_id: str
    topic_id: str
    plan: list[ChapterType]
    chapters: list[Chapter] = Field(default_factory=list)
    characters: dict[str, str] = Field(default_factory=dict, description="Name -> appearance, for image prompts.")
    answers: list[LessonAnswer] = Field(default_factory=list)
    question_ids: list[str] = Field(default_factory=list, description="The lesson questions, in plan order.")
    metadata: dict[str, Any] = Field(default_factory=dict)
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def finished(self) -> bool:
        return len(self.chapters) == len(self.plan)

    @property
    def current(self) -> Chapter | None:
        return self.chapters[-1] if self.chapters else None

    @property
    def waiting_for_choice(self) -> bool:
        current = self.current
        return current is not None and not current.is_last and current.choice_made is None


class ChapterEvent(BaseModel):
    """One step of a streamed chapter: text so far (cleaned) and, at the end, the chapter."""

    adventure_id: str
    chapter_index: int
    kind: Literal["delta", "done"]
    delta: str = ""
    text: str = ""
    chapter: Chapter | None = None
    replayed: bool = Field(False, description="The chapter was already written; this is a replay.")


# --- summary ------------------------------------------------------------------------------


class ChapterRecap(BaseModel):
    index: int
    type: ChapterType
    recap: str
    choice: str | None = None


class LessonResult(BaseModel):
    answers: list[LessonAnswer]
    correct: int
    total: int


class StorySummary(BaseModel):
    adventure_id: str
    world: str
    topic: str
    finished: bool
    recaps: list[ChapterRecap]
    lessons: LessonResult
    choices: list[str]
    fallbacks: int = Field(description="Chapters whose choices came from the fallback.")

    def as_markdown(self) -> str:
        lines = [f"## {self.world} — {self.topic}", ""]
        for recap in self.recaps:
            chosen = f" → *{recap.choice}*" if recap.choice else ""
            lines.append(f"{recap.index + 1}. **{recap.type.value}**: {recap.recap}{chosen}")
        lines += ["", f"**Lesson score: {self.lessons.correct}/{self.lessons.total}**", ""]
        for answer in self.lessons.answers:
            mark = "**Right:**" if answer.correct else "**Not quite:**"  # words, not emoji: every font shows them
            lines.append(f"- {mark} {answer.question} — you chose *{answer.chosen}*. {answer.explanation}")
        if not self.finished:
            lines += ["", "_The adventure is not finished yet._"]
        return "\n".join(lines)
