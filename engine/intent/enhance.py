"""Quick, rule-based prompt enhancement (no model call) and @mention resolution."""

from __future__ import annotations

from collections.abc import Mapping

from engine.intent.models import EnhancedPrompt, Workflow
from engine.intent.normalize import normalize_prompt
from engine.intent.signals import needs_enhancement, parse_mentions

__all__ = ["ADDITIONS", "enhance_prompt", "resolve_mentions"]

ADDITIONS: dict[Workflow, tuple[str, ...]] = {
    Workflow.IMAGE_GENERATION: ("highly detailed", "natural lighting", "sharp focus", "balanced composition"),
    Workflow.IMAGE_EDITING: ("change only what is asked", "keep the rest of the image unchanged",
                             "match the original lighting and perspective"),
    Workflow.IMAGE_ENHANCEMENT: ("preserve the original content and faces", "remove noise and compression artifacts",
                                 "natural sharpness, no oversharpening"),
    Workflow.HAIR_STYLING: ("keep the face, expression and background unchanged", "realistic hair texture",
                            "natural hairline and lighting"),
    Workflow.REFERENCE_STYLING: ("keep the person's face and body shape", "realistic fabric and fit",
                                 "consistent lighting"),
    Workflow.STYLE_TRANSFER: ("keep the composition and subjects recognisable", "apply the style consistently"),
    Workflow.TEXT_TO_VIDEO: ("cinematic", "smooth natural motion", "stable camera", "5 seconds"),
    Workflow.IMAGE_TO_VIDEO: ("subtle natural motion", "keep the subject's identity", "stable background"),
    Workflow.VIDEO_GENERATION: ("cinematic", "clear audio in sync with the picture", "5 seconds"),
}


def resolve_mentions(prompt: str, references: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Map each @name in `prompt` to a saved reference's media id (case-insensitive, '@' optional
    in the keys); return (resolved, missing)."""
    saved = {name.lstrip("@").lower(): media_id for name, media_id in references.items()}
    resolved: dict[str, str] = {}
    missing: list[str] = []
    for name in parse_mentions(prompt):
        if name in saved:
            resolved[name] = saved[name]
        else:
            missing.append(name)
    return resolved, tuple(missing)


def enhance_prompt(
    prompt: str,
    workflow: Workflow | str,
    references: Mapping[str, str] | None = None,
    force: bool = False,
) -> EnhancedPrompt:
    """Add workflow-specific detail to a short or vague prompt; resolve @mentions.

    Specific prompts (and `force=False`) are left as written: a person's words beat a template.
    """
    text = normalize_prompt(prompt)
    workflow = Workflow(workflow)
    resolved, missing = resolve_mentions(text, references or {})
    apply = force or needs_enhancement(text)
    lowered = text.lower()
    additions = tuple(item for item in ADDITIONS[workflow] if item.lower() not in lowered) if apply else ()
    enhanced = f"{text.rstrip(' .,;')}, {', '.join(additions)}" if additions else text
    return EnhancedPrompt(
        original=text,
        enhanced=enhanced,
        workflow=workflow,
        applied=bool(additions),
        additions=additions,
        mentions=resolved,
        missing_mentions=missing,
    )
