"""Cues every classifier shares: @mentions, celebrity or event references, vague prompts."""

from __future__ import annotations

import re

from engine.intent.models import Workflow

__all__ = ["VAGUE_WORD_LIMIT", "needs_enhancement", "parse_mentions", "web_search_query"]

VAGUE_WORD_LIMIT = 6
"""Prompts with this many words or fewer (after dropping filler) count as short."""

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})")
_EVENTS = re.compile(
    r"\b(met gala|oscars?|academy awards|grammys?|golden globes?|emmys?|baftas?|vmas?|cannes|coachella|"
    r"super ?bowl(?: halftime)?|fashion week|red carpet|premiere|eras tour|renaissance tour|coronation|"
    r"royal wedding|eurovision|world cup)\b",
    re.IGNORECASE,
)
# A run of capitalised words after a cue such as "like", "as", "wore": "dress me like Zendaya".
_NAME_AFTER_CUE = re.compile(
    r"\b(?:like|as|of|channel|copy|give me|wore|wearing|from)\s+"
    r"((?:[A-Z][\w.-]+)(?:\s+(?:[A-Z][\w.-]+|de|van|von)){0,3})"
)
_POSSESSIVE_NAME = re.compile(r"\b((?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+)['’]s\b")
_NOT_NAMES = frozenset(
    {
        "i", "a", "the", "this", "my", "me", "van", "studio", "pixar", "disney", "anime", "vogue", "ghibli",
        "monet", "picasso", "rembrandt", "klimt", "dali", "vermeer", "hokusai", "mucha", "lego", "simpsons",
        "renaissance", "friends", "christmas", "halloween", "instagram", "youtube", "tiktok", "paris", "milan",
    }
)
_FILLER = frozenset(
    ["a", "an", "the", "please", "pls", "plz", "can", "could", "you", "u", "me", "my", "i", "to", "of", "and", "with", "this", "that", "it", "make", "create", "generate", "want", "would", "like", "some", "just"]
)


def parse_mentions(text: str) -> list[str]:
    """The @names in `text`, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        seen.setdefault(match.group(1).rstrip(".-").lower(), None)
    return list(seen)


def _names(text: str) -> list[str]:
    found: list[str] = []
    for pattern in (_NAME_AFTER_CUE, _POSSESSIVE_NAME):
        for match in pattern.finditer(text):
            name = match.group(1).strip(" .-")
            if name.split()[0].lower() not in _NOT_NAMES and name not in found:
                found.append(name)
    return found


_SUFFIX = {
    Workflow.REFERENCE_STYLING: "outfit look photos",
    Workflow.HAIR_STYLING: "hairstyle photos",
}


def web_search_query(text: str, workflow: Workflow) -> str | None:
    """A search query when the prompt names a celebrity, a public event or a runway look, else None.

    A heuristic: capitalised names after cues ("like Zendaya", "Rihanna's") and known events
    ("Met Gala", "Grammys"). Artists named for a painting style are not people to look up.
    """
    events = [match.group(0) for match in _EVENTS.finditer(text)]
    names = [name for name in _names(text) if not _EVENTS.fullmatch(name)]
    if not events and not names:
        return None
    parts = names[:2] + events[:1]
    return " ".join([*parts, _SUFFIX.get(workflow, "photos")])


def needs_enhancement(text: str) -> bool:
    """True for short or vague prompts: few content words once filler is dropped."""
    words = re.findall(r"[\w']+", text.lower())
    content = [word for word in words if word not in _FILLER]
    return len(words) <= VAGUE_WORD_LIMIT or len(content) <= 3
