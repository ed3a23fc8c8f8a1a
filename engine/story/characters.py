"""Character visuals: who appears in the story and how they look, for consistent images.

A heuristic reader, not a model call: it runs in a background queue job after every
chapter and must be cheap. It finds names the chapter uses and the phrase that
describes each one ("Jonas, an old sailor with a grey beard", "Lina wore a red scarf").
"""

from __future__ import annotations

import re

from engine.story.cleaning import proper_names, split_sentences
from engine.story.models import World

__all__ = ["MAX_CHARACTERS", "describe_characters", "merge_characters"]

MAX_CHARACTERS = 8
_APPOSITION = r"{name}\s*,\s*((?:a|an|the)\s+[^,.;!?]{{3,80}})"
_WEARING = r"{name}\s+(?:wore|was wearing|had|carried|with)\s+([^,.;!?]{{3,80}})"


def _look_of(name: str, text: str) -> str | None:
    escaped = re.escape(name)
    for pattern in (_APPOSITION, _WEARING):
        match = re.search(pattern.format(name=escaped), text)
        if match:
            look = match.group(1).strip()
            return look if pattern is _APPOSITION else f"someone with {look}"
    return None


def describe_characters(text: str, world: World, known: dict[str, str]) -> dict[str, str]:
    """New or better descriptions of the characters named in `text` (the hero keeps the world's look)."""
    hero = world.protagonist.name
    places = " ".join(world.places).lower() + " " + world.name.lower()
    found: dict[str, str] = {}
    flat = " ".join(split_sentences(text.replace("\n", " ")))
    for name in proper_names(flat, exclude=[hero]):
        if name.lower() in places:
            continue
        look = _look_of(name, flat)
        if look:
            found[name] = look
        elif name not in known and flat.count(name) >= 2:
            found[name] = f"a resident of {world.name}"
    return found


def merge_characters(world: World, known: dict[str, str], found: dict[str, str]) -> dict[str, str]:
    """The hero first, then known characters updated with better looks, then new ones, at most MAX_CHARACTERS."""
    merged = {world.protagonist.name: world.protagonist.appearance}
    for name, look in known.items():
        if name != world.protagonist.name:
            merged[name] = look
    for name, look in found.items():
        if name in merged and look.startswith("a resident of"):
            continue
        merged[name] = look
    return dict(list(merged.items())[:MAX_CHARACTERS])
