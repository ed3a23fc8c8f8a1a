"""What the persona flow takes and gives back: profiles, personas, transitions, texts, batch images."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

__all__ = [
    "RATING_ORDER",
    "BaseImageStatus",
    "BatchImage",
    "ContentRating",
    "Persona",
    "PersonaProfile",
    "PersonaText",
    "Transition",
    "utcnow",
]


def utcnow() -> datetime:
    """The one clock of the flow: aware UTC."""
    return datetime.now(UTC)


class BaseImageStatus(str, Enum):
    PENDING_UPLOAD = "pending_upload"
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


ContentRating = Literal["sfw", "moderate", "mature"]
RATING_ORDER: dict[str, int] = {"sfw": 0, "moderate": 1, "mature": 2}


def _clean_list(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        item = " ".join(str(value).split())
        if item and item not in out:
            out.append(item)
    return out


class PersonaProfile(BaseModel):
    """Who the persona is; everything a person edits in the profile editor."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    personality_traits: list[str] = Field(default_factory=list, max_length=20)
    aesthetic: str = Field("", max_length=500)
    voice_style: str = Field("", max_length=500)
    tone_preference: str = Field("", max_length=200)
    themes: list[str] = Field(default_factory=list, max_length=20)
    content_rating: ContentRating = "sfw"
    appearance_description: str = Field("", max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=30)
    card_extras: dict[str, Any] = Field(
        default_factory=dict,
        description="Character Card V2 fields Studio does not edit (scenario, first_mes, character_book, ...), kept for export.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("give the persona a name")
        return value

    @field_validator("personality_traits", "themes", "tags")
    @classmethod
    def _lists(cls, value: list[str]) -> list[str]:
        return _clean_list(value)

    @field_validator("aesthetic", "voice_style", "tone_preference", "appearance_description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class Persona(BaseModel):
    """A stored persona with its base-image state."""

    id: str
    owner: str
    profile: PersonaProfile
    style: str
    base_image_status: BaseImageStatus = BaseImageStatus.PENDING_UPLOAD
    base_image_media: str | None = None
    base_image_path: str | None = None
    appearance_locked: bool = False
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.profile.name


class Transition(BaseModel):
    """One stored step of the base-image state machine."""

    persona_id: str
    owner: str
    from_status: BaseImageStatus | None
    to_status: BaseImageStatus
    reason: str
    media: str | None = None
    created_at: datetime


class PersonaText(BaseModel):
    """A post in the persona's voice and who wrote it."""

    persona_id: str
    style: str
    voice_modifiers: list[str]
    source: Literal["model", "template"]
    text: str
    template_id: str | None = None
    seed: int | None = None
    note: str = Field("", description="Why the template answered when a model was asked for.")
    generation_id: str | None = Field(None, description="The model's generation record, to rate the post (model only).")
    routed_to: str | None = Field(None, description="The text model the router chose (model only).")
    route_reasons: list[str] = Field(default_factory=list, description="Why the router chose it.")


class BatchImage(BaseModel):
    """One image of a persona batch: where it ran, who made it, how it compares with the base image."""

    batch_id: str
    index: int
    prompt: str
    job_id: str | None = None
    device: str | None = None
    status: Literal["completed", "failed"]
    provider: str | None = None
    media: str | None = None
    path: str | None = None
    is_placeholder: bool = False
    note: str = ""
    face_distance: float | None = Field(None, description="Landmark-geometry distance to the approved base image.")
    flagged: bool = Field(False, description="True when the face is far off the approved base image.")
    comparison: str = Field("", description="What the comparison found, e.g. 'no face to compare'.")
    generation_id: str | None = Field(None, description="The image's generation record, to rate it (None: failed).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """`<batch_id>-<index>`: what `PersonaService.use_batch_image` takes to make it the base image."""
        return f"{self.batch_id}-{self.index}"
