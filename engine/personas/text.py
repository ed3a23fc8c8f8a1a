"""A persona post from the configured text model, with the profile as the system context.

`write_with_model` returns `(text, "")` when the model wrote a usable post, or `(None, why)`
when it failed, is off, or answered badly (empty, too short, a refusal, the prompt echoed,
a chat transcript); the service then lets the template engine answer and says so.
"""

from __future__ import annotations

import re

from engine.errors import StudioError
from engine.personas.cards import system_prompt
from engine.personas.models import PersonaProfile
from engine.providers.base import TextRequest
from engine.providers.gateway import CallContext, ModelGateway

__all__ = ["write_with_model", "clean_post", "MAX_POST_TOKENS"]

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


def write_with_model(
    models: ModelGateway, profile: PersonaProfile, prompt: str, *, seed: int | None, owner: str
) -> tuple[str | None, str]:
    system = system_prompt(profile)
    ask = prompt.strip() or "Write today's post."
    request = TextRequest.from_prompt(ask, system=system, max_new_tokens=MAX_POST_TOKENS, temperature=0.8,
                                      seed=seed)
    try:
        result = models.text.generate([request], CallContext(user_id=owner, owner=owner, kind="persona_text"))[0]
    except StudioError as exc:
        return None, f"the text model failed ({exc.user_message}); the templates wrote this"
    text = clean_post(result.text)
    problem = _problem(text, ask, system)
    if problem:
        return None, f"{problem}; the templates wrote this"
    return text, ""
