"""Character Card V2 import and export (the JSON format character-chat tools exchange).

```
{"spec": "chara_card_v2", "spec_version": "2.0",
 "data": {name, description, personality, scenario, first_mes, mes_example, creator_notes,
          system_prompt, post_history_instructions, alternate_greetings, character_book,
          tags, creator, character_version, extensions}}
```

Studio's own fields live under `data.extensions.studio`; card fields Studio does not edit
(scenario, greetings, character_book, other tools' extensions) are kept in
`PersonaProfile.card_extras`, so a card imported and exported again keeps them. A card
without Studio's extension (made by another tool) is read from `description` and
`personality`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from engine.errors import InvalidRequest
from engine.personas.models import PersonaProfile

__all__ = ["SPEC", "SPEC_VERSION", "from_card", "parse_card", "system_prompt", "to_card"]

SPEC = "chara_card_v2"
SPEC_VERSION = "2.0"
_CREATOR_NOTES = "Exported from Studio's persona templates."
# Card fields Studio does not edit, with the value it writes when a profile has none.
_DEFAULTS: dict[str, Any] = {
    "scenario": "", "first_mes": "", "mes_example": "", "creator_notes": _CREATOR_NOTES,
    "post_history_instructions": "", "alternate_greetings": [], "creator": "", "character_version": "1.0",
}
_MAX_CARD_BYTES = 2_000_000


def system_prompt(profile: PersonaProfile) -> str:
    """The persona as a model's system context."""
    parts = [f"You are {profile.name}, a persona who writes short social media posts in the first person."]
    if profile.personality_traits:
        parts.append("Personality: " + ", ".join(profile.personality_traits) + ".")
    if profile.aesthetic:
        parts.append(f"Aesthetic: {profile.aesthetic}.")
    if profile.voice_style:
        parts.append(f"Voice: {profile.voice_style}.")
    if profile.tone_preference:
        parts.append(f"Tone: {profile.tone_preference}.")
    if profile.themes:
        parts.append("Favourite themes: " + ", ".join(profile.themes) + ".")
    parts.append(
        {"sfw": "Keep everything safe for work.",
         "moderate": "Mild language is fine; nothing explicit.",
         "mature": "Mature themes are allowed; nothing illegal."}[profile.content_rating]
    )
    parts.append("Answer with the post only: one to three sentences, no hashtags, no preamble.")
    return " ".join(parts)


def to_card(profile: PersonaProfile) -> dict[str, Any]:
    """The profile as a Character Card V2 dict."""
    extras = dict(profile.card_extras)
    extensions = dict(extras.pop("extensions", {}) or {})
    extensions["studio"] = {
        "personality_traits": list(profile.personality_traits),
        "aesthetic": profile.aesthetic,
        "voice_style": profile.voice_style,
        "tone_preference": profile.tone_preference,
        "themes": list(profile.themes),
        "content_rating": profile.content_rating,
        "appearance_description": profile.appearance_description,
    }
    data: dict[str, Any] = {
        "name": profile.name,
        "description": profile.appearance_description,
        "personality": ", ".join(profile.personality_traits),
        "scenario": extras.pop("scenario", ""),
        "first_mes": extras.pop("first_mes", ""),
        "mes_example": extras.pop("mes_example", ""),
        "creator_notes": extras.pop("creator_notes", _CREATOR_NOTES),
        "system_prompt": extras.pop("system_prompt", system_prompt(profile)),
        "post_history_instructions": extras.pop("post_history_instructions", ""),
        "alternate_greetings": list(extras.pop("alternate_greetings", [])),
        "tags": list(profile.tags),
        "creator": extras.pop("creator", ""),
        "character_version": extras.pop("character_version", "1.0"),
        "extensions": extensions,
    }
    if "character_book" in extras:
        data["character_book"] = extras.pop("character_book")
    data.update(extras)  # any other field a foreign card carried
    return {"spec": SPEC, "spec_version": SPEC_VERSION, "data": data}


def parse_card(raw: bytes | str) -> dict[str, Any]:
    """JSON text of a card file as a dict; `InvalidRequest` if it is not JSON."""
    if isinstance(raw, bytes):
        if len(raw) > _MAX_CARD_BYTES:
            raise InvalidRequest("card", f"the card is {len(raw) / 1e6:.1f} MB; a Character Card V2 JSON is far smaller")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidRequest("card", "the file is not UTF-8 text; give a Character Card V2 .json file") from exc
    try:
        card = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidRequest("card", f"the file is not JSON ({exc.msg} at line {exc.lineno}); give a Character Card V2 .json file") from exc
    if not isinstance(card, dict):
        raise InvalidRequest("card", "a Character Card V2 is a JSON object with spec, spec_version and data")
    return card


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def from_card(card: dict[str, Any]) -> PersonaProfile:
    """A profile from a Character Card V2 dict; `InvalidRequest` naming what is wrong."""
    if card.get("spec") != SPEC:
        raise InvalidRequest("card", f"spec is {card.get('spec')!r}, not {SPEC!r}; export the card as Character Card V2")
    data = card.get("data")
    if not isinstance(data, dict):
        raise InvalidRequest("card", "the card has no 'data' object")
    data = dict(data)
    name = data.pop("name", None)
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequest("card", "data.name is missing; a card needs the character's name")
    extensions = dict(data.pop("extensions", None) or {})
    studio = extensions.pop("studio", None)
    description = data.pop("description", "")
    personality = data.pop("personality", "")
    tags = data.pop("tags", []) or []
    prompt = data.pop("system_prompt", None)
    extras: dict[str, Any] = {}
    for key, default in _DEFAULTS.items():
        value = data.pop(key, default)
        if value != default:
            extras[key] = value
    extras.update(data)  # character_book and any field of another tool
    if extensions:
        extras["extensions"] = extensions
    try:
        if isinstance(studio, dict):
            profile = PersonaProfile(name=name, tags=list(tags), card_extras=extras, **studio)
        else:
            profile = PersonaProfile(
                name=name,
                personality_traits=_split(str(personality)),
                appearance_description=str(description),
                tags=[str(t) for t in tags],
                card_extras=extras,
            )
    except (ValidationError, TypeError) as exc:
        raise InvalidRequest("card", f"the card's fields do not make a persona: {exc}") from exc
    if prompt is not None and prompt != system_prompt(profile):
        profile.card_extras["system_prompt"] = prompt
    return profile
