"""Typed requests and results of the intent lab: what goes in, what comes out."""

from __future__ import annotations

import enum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from engine.intent.normalize import normalize_prompt

__all__ = [
    "ClassMetrics",
    "Classification",
    "ClassifyRequest",
    "EnhancedPrompt",
    "EvaluationReport",
    "LabelledExample",
    "Method",
    "ModelOption",
    "ModelSelection",
    "ProcessPlan",
    "ProcessResult",
    "Quality",
    "RunStatus",
    "Workflow",
]


class Workflow(str, enum.Enum):
    """The nine things a creative request can ask the studio to do."""

    IMAGE_GENERATION = "image_generation"
    IMAGE_EDITING = "image_editing"
    IMAGE_ENHANCEMENT = "image_enhancement"
    HAIR_STYLING = "hair_styling"
    REFERENCE_STYLING = "reference_styling"
    STYLE_TRANSFER = "style_transfer"
    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"
    VIDEO_GENERATION = "video_generation"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Method(str, enum.Enum):
    RULES = "rules"
    EMBEDDING = "embedding"
    LLM = "llm"


class Quality(str, enum.Enum):
    """What the user would rather have: a fast result, a balanced one, or the best one."""

    SPEED = "speed"
    BALANCED = "balanced"
    QUALITY = "quality"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClassifyRequest(_Frozen):
    """One free-text request. The prompt is normalised on construction (markup and control
    characters stripped, whitespace collapsed); an empty or over-long prompt raises
    `InvalidRequest` naming the field."""

    prompt: str
    has_image: bool = Field(False, description="The user has a working image selected.")
    user_id: str | None = None

    @field_validator("prompt", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> str:
        # InvalidRequest is not a ValueError, so pydantic lets it through unchanged.
        return normalize_prompt(value)


class Classification(_Frozen):
    workflow_type: Workflow
    confidence: float = Field(ge=0.0, le=1.0)
    reasoning: str
    requires_web_search: bool = False
    web_search_query: str | None = None
    enhancement_needed: bool = Field(False, description="The prompt is short or vague; enhance it first.")
    method: Method = Field(description="The classifier that was asked.")
    fallback_used: Method | None = Field(None, description="The classifier that answered instead, if any.")
    latency_ms: float = Field(ge=0.0)
    generation_id: str | None = Field(None, description="The record feedback on this answer rates: the routed LLM"
                                      " call that made it, or the intent lab's output record.")


class LabelledExample(_Frozen):
    """One line of assets/intent/*.jsonl, or a correction made by a person."""

    prompt: str = Field(min_length=1)
    has_image: bool = False
    workflow: Workflow = Field(validation_alias=AliasChoices("workflow", "label"), description="Also read as `label`.")

    def to_request(self) -> ClassifyRequest:
        return ClassifyRequest(prompt=self.prompt, has_image=self.has_image)


class ModelOption(_Frozen):
    """One catalogue entry: a model that can run a workflow."""

    model_id: str
    provider: str
    cost_usd: float = Field(ge=0.0, description="Per image, or per video second when unit is 'second'.")
    unit: str = Field(pattern="^(image|second)$")
    seconds: float = Field(gt=0.0, description="Typical wall time of one job.")
    quality: int = Field(ge=0, le=5, description="0 is a labelled stand-in, 5 the best available.")
    embedded: bool = False
    placeholder: bool = Field(False, description="Makes a labelled stand-in, not the real thing.")
    note: str = ""


class ModelSelection(_Frozen):
    workflow: Workflow
    quality: Quality
    primary: str
    provider: str
    fallbacks: tuple[ModelOption, ...]
    estimated_cost_usd: float
    estimated_seconds: float
    served_by_embedded: bool
    is_placeholder: bool
    reason: str


class ClassMetrics(_Frozen):
    precision: float
    recall: float
    support: int


class EvaluationReport(_Frozen):
    """A method's score on labelled requests. Accuracy, per-class figures, confusion and errors
    count only the requests the method answered itself; those a fallback answered are in
    `fallbacks` (and `fallback_rate`) alone. Latencies cover every request sent."""

    method: str
    examples: int = Field(description="Requests sent to the method.")
    answered: int = Field(description="Requests the method answered itself (no fallback).")
    accuracy: float = Field(description="Over the method's own answers.")
    accuracy_with_fallbacks: float = Field(description="Over every request, fallback answers included.")
    per_class: dict[str, ClassMetrics]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...] = Field(description="Rows: true label; columns: predicted.")
    latencies_ms: tuple[float, ...]
    p50_ms: float
    p95_ms: float
    fallbacks: int = Field(0, description="How many answers came from a fallback classifier.")
    errors: tuple[str, ...] = Field((), description="'prompt -> predicted (expected)' for each miss of its own.")

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.examples if self.examples else 0.0

    @property
    def self_answer_rate(self) -> float:
        return self.answered / self.examples if self.examples else 0.0


class EnhancedPrompt(_Frozen):
    original: str
    enhanced: str
    workflow: Workflow
    applied: bool = Field(description="False when the prompt was already specific enough.")
    additions: tuple[str, ...] = ()
    mentions: dict[str, str] = Field(default_factory=dict, description="@name -> media id, resolved.")
    missing_mentions: tuple[str, ...] = Field((), description="@names with no saved reference image.")


class ProcessPlan(_Frozen):
    """Classify → select → enhance: what `process` would run, on what, for how much."""

    classification: Classification
    has_image: bool
    selection: ModelSelection
    prompt: EnhancedPrompt
    runnable_here: bool = Field(description="A provider on hand can run it (the embedded one included).")
    message: str


class RunStatus(str, enum.Enum):
    DONE = "done"
    PLACEHOLDER = "placeholder"
    NEEDS_PROVIDER = "needs_provider"
    FAILED = "failed"


class ProcessResult(_Frozen):
    """What `process` did: the plan, then the output it made or what it needs to make one."""

    plan: ProcessPlan
    status: RunStatus
    message: str
    model: str | None = Field(None, description="The model that actually ran.")
    provider: str | None = None
    operations: tuple[str, ...] = Field((), description="Each step, as a person would say it.")
    output_kind: str | None = Field(None, pattern="^(image|video)$")
    output_sha256: str | None = None
    output_path: str | None = None
    actual_cost_usd: float | None = None
    actual_seconds: float | None = None
    needs: str | None = Field(None, description="The model and provider to configure, when not run.")
    labelled: bool = Field(False, description="A face was in the photo: the output carries the simulation label and signed provenance.")
    generation_id: str | None = Field(None, description="The run's output record: what feedback on the result rates.")
