"""A persona post from the configured text model, with the profile as the system context.

The request goes through the hybrid router (kind `persona_post`, engine/routing), which picks
the local or the strong model and logs its decision with the generation it served.
`write_with_model` returns a `ModelPost`: its `text` when the model wrote a usable post, else
None and `why` it failed, is off, or answered badly (empty, too short, a refusal, the prompt
echoed, a chat transcript); the service then lets the template engine answer and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.errors import StudioError
from engine.ownership import Owner
from engine.personas.cards import system_prompt
from engine.personas.models import PersonaProfile
from engine.providers.base import TextRequest

if TYPE_CHECKING:
    from engine.routing import RoutedText

__all__ = ["MAX_POST_TOKENS", "POST_KIND", "ModelPost", "clean_post", "write_with_model"]

POST_KIND = "persona_post"  # the router's and the generations record's kind of a persona post

MAX_POST_TOKENS = 96
_MIN_WORDS = 5
_REFUSALS = ("i'm sorry", "i am sorry", "as an ai", "i cannot", "i can't", "i am unable", "i'm unable")
_ROLE_LINE = re.compile(r"^\s*(?:assistant|user|system)\s*:\s*", re.IGNORECASE | re.MULTILINE)
_MARKERS = re.compile(r"<\|[^|>]*\|>")


def clean_post(raw: str) -> str:
    """The post without chat markers, role prefixes, surrounding quotes or a trailing half sentence."""
    text = _MARKERS.sub("", raw)
    text = _ROLE_LINE.split(text)[0] if _ROLE_LINE.match(text) is None else _ROLE_LINE.sub("", text, count=1)
    text = text.split("\nUser:")[0].split("\nuser:")[0]
    text = " ".join(text.split()).strip().strip('"').strip()
    if len(text) > 40 and text[-1] not in ".!?…🤝" and any(p in text for p in ".!?"):
        text = text[: max(text.rfind(p) for p in ".!?") + 1]
    return text


def _problem(text: str, prompt: str, system: str) -> str:
    lowered = text.lower()
    if len(text.split()) < _MIN_WORDS:
        return "the model's answer was too short"
    if any(lowered.startswith(r) or r in lowered[:80] for r in _REFUSALS):
        return "the model refused"
    if prompt and lowered == prompt.lower().strip():
        return "the model echoed the prompt"
    if system[:60].lower() in lowered:
        return "the model repeated its instructions"
    return ""


@dataclass(frozen=True)
class ModelPost:
    """What the model wrote (None when unusable, with `why`), its generation and the router's choice."""

    text: str | None
    why: str = ""
    generation_id: str | None = None
    routed_to: str | None = None
    reasons: list[str] = field(default_factory=list)


def write_with_model(
    routed: RoutedText, profile: PersonaProfile, prompt: str, *, seed: int | None, owner: Owner
) -> ModelPost:
    system = system_prompt(profile)
    ask = prompt.strip() or "Write today's post."
    request = TextRequest.from_prompt(ask, system=system, max_new_tokens=MAX_POST_TOKENS, temperature=0.8,
                                      seed=seed)
    try:
        answer = routed.generate(request, kind=POST_KIND, owner=owner)
    except StudioError as exc:
        return ModelPost(None, f"the text model failed ({exc.user_message}); the templates wrote this")
    text = clean_post(answer.text)
    problem = _problem(text, ask, system)
    routed_to, reasons = answer.decision.chosen, list(answer.decision.reasons)
    if problem:
        return ModelPost(None, f"{problem}; the templates wrote this", routed_to=routed_to, reasons=reasons)
    return ModelPost(text, "", generation_id=answer.generation_id, routed_to=routed_to, reasons=reasons)
