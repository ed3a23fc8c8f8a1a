"""The LLM classifier's constrained choice: which workflow makes the request most likely?

Each workflow gets a plain-text context, its description followed by a few labelled
requests from the training set (never the held-out set), ending where the next request
would start. A text model with the CHOOSE feature scores the request under all nine
contexts in one batched pass; the workflow with the highest log p(request | context)
wins, and the softmax of the scores is its confidence. The answer is always one of the
nine: nothing to parse, nothing to retry.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from engine.intent.models import ClassifyRequest, LabelledExample, Workflow
from engine.providers.base import ChoiceRequest, ChoiceResult

__all__ = ["DESCRIPTIONS", "LabelContexts", "ScoredAnswer"]

DESCRIPTIONS = {
    Workflow.IMAGE_GENERATION: "a new image from a text description",
    Workflow.IMAGE_EDITING: "change part of an existing image (remove, add, replace, recolour an object)",
    Workflow.IMAGE_ENHANCEMENT: "upscale, sharpen, denoise, restore or colourise an existing image",
    Workflow.HAIR_STYLING: "change hair colour, cut or style",
    Workflow.REFERENCE_STYLING: "celebrity, event or fashion looks and virtual try-on (put @name in, wear this)",
    Workflow.STYLE_TRANSFER: "apply an artistic style (anime, watercolour, Van Gogh) to an existing image",
    Workflow.TEXT_TO_VIDEO: "a silent video from a text description",
    Workflow.IMAGE_TO_VIDEO: "animate an existing image, no sound",
    Workflow.VIDEO_GENERATION: "a video with audio: music, speech, singing or sound effects",
}
_PHOTO_OPEN = "(photo open) "


def _line(prompt: str, has_image: bool) -> str:
    return f"{_PHOTO_OPEN if has_image else ''}{prompt}\n"


@dataclass(frozen=True)
class ScoredAnswer:
    workflow: Workflow
    confidence: float
    reasoning: str


@dataclass(frozen=True)
class LabelContexts:
    """One context per workflow, in `workflows` order."""

    workflows: tuple[Workflow, ...]
    contexts: tuple[str, ...]

    @classmethod
    def from_examples(cls, examples: Sequence[LabelledExample], shots: int = 8, seed: int = 7) -> LabelContexts:
        """`shots` requests per workflow, drawn with a fixed seed (the same contexts every start)."""
        rng = random.Random(seed)
        workflows = tuple(Workflow)
        contexts = []
        for workflow in workflows:
            pool = [example for example in examples if example.workflow is workflow]
            picked = rng.sample(pool, min(shots, len(pool)))
            lines = "".join(f"- {_line(example.prompt, example.has_image)}" for example in picked)
            contexts.append(f"Requests for {DESCRIPTIONS[workflow]}:\n{lines}- ")
        return cls(workflows, tuple(contexts))

    def request(self, request: ClassifyRequest) -> ChoiceRequest:
        return ChoiceRequest(contexts=self.contexts, text=_line(request.prompt, request.has_image))

    def answer(self, result: ChoiceResult) -> ScoredAnswer:
        scores = result.log_probs
        top = max(scores)
        weights = [math.exp(score - top) for score in scores]
        total = sum(weights)
        ranked = sorted(zip(self.workflows, weights, strict=True), key=lambda pair: -pair[1])
        runners = ", ".join(f"{workflow.value} {weight / total:.2f}" for workflow, weight in ranked[:3])
        best, weight = ranked[0]
        return ScoredAnswer(best, weight / total, f"most likely under the model: {runners}")
