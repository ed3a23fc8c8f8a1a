"""Persona-voiced text without a model: a deterministic template engine over assets/personas/templates.yaml.

```python
library = TemplateLibrary.load()
post = library.write(profile, "share your thoughts on the future of design", seed=7, locked=True)
post.text, post.style, post.voice_modifiers
```

- **Style** from weighted keyword scoring: personality traits ×3, aesthetic ×2, voice style ×1,
  over the keyword sets of `creative`, `professional`, `tech` and `casual`. A tie for the top
  score, or an empty profile, resolves to `DEFAULT_STYLE` (`casual`).
- **Voice modifiers** (`warm`, `confident`, `passionate`, `analytical`) from the tone preference
  and the personality traits; a template's variant for the first detected modifier replaces its text.
- **Selection**: templates at or below the persona's content rating, weight 1, doubled when the
  prompt has a keyword of the template's tag (analysis/research → analytical, future/trends →
  forward-looking, community/social → engagement).
- **Customisation**: future keywords turn "today" into "for the future", analysis keywords turn
  "thoughts" into "analysis", community keywords add 🤝; a locked appearance adds the style's
  appearance context, e.g. "(staying true to my professional image)".
- Deterministic under a seed (`random.Random(seed)`), varied without one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ConfigError
from engine.personas.models import RATING_ORDER, PersonaProfile

__all__ = ["DEFAULT_STYLE", "STYLES", "TEMPLATES_FILE", "VOICE_MODIFIERS", "TemplateLibrary", "TemplatePost"]

TEMPLATES_FILE = Path(__file__).resolve().parents[2] / "assets" / "personas" / "templates.yaml"
STYLES = ("creative", "professional", "tech", "casual")
VOICE_MODIFIERS = ("warm", "confident", "passionate", "analytical")
DEFAULT_STYLE = "casual"
_WEIGHTS = (("personality_traits", 3), ("aesthetic", 2), ("voice_style", 1))
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TODAY = re.compile(r"\b([Tt])oday\b")
_THOUGHTS = re.compile(r"\b([Tt])houghts\b")


@dataclass(frozen=True)
class Template:
    id: str
    style: str
    text: str
    tags: frozenset[str]
    rating: int
    voices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplatePost:
    text: str
    style: str
    voice_modifiers: list[str]
    template_id: str
    seed: int | None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _hits(text: str, keywords: frozenset[str]) -> int:
    """Keyword hits in `text`: single words by token, multi-word keywords by substring."""
    lowered = text.lower()
    tokens = _words(lowered)
    count = sum(1 for token in tokens if token in keywords)
    count += sum(1 for keyword in keywords if " " in keyword and keyword in lowered)
    return count


class TemplateLibrary:
    def __init__(self, data: dict[str, Any]) -> None:
        try:
            self.default_style: str = data.get("default_style", DEFAULT_STYLE)
            self.default_theme: str = data.get("default_theme", "everyday life")
            self.style_keywords = {s: frozenset(data["styles"][s]["keywords"]) for s in STYLES}
            self.templates: dict[str, list[Template]] = {
                style: [
                    Template(
                        id=t["id"], style=style, text=t["text"], tags=frozenset(t.get("tags", [])),
                        rating=RATING_ORDER[t.get("rating", "sfw")], voices=dict(t.get("voices") or {}),
                    )
                    for t in data["styles"][style]["templates"]
                ]
                for style in STYLES
            }
            self.voice_keywords = {m: frozenset(data["voice_modifiers"][m]) for m in VOICE_MODIFIERS}
            self.prompt_keywords = {tag: frozenset(words) for tag, words in data["prompt_keywords"].items()}
            self.appearance_context: dict[str, str] = dict(data["appearance_context"])
        except (KeyError, TypeError) as exc:
            raise ConfigError(str(TEMPLATES_FILE), f"the template library is incomplete: {exc!r}") from exc
        for style, templates in self.templates.items():
            if not 3 <= len(templates) <= 5 or not any(t.rating == 0 for t in templates):
                raise ConfigError(str(TEMPLATES_FILE), f"style {style} needs 3-5 templates, at least one sfw")
            for template in templates:
                unknown = set(template.voices) - set(VOICE_MODIFIERS)
                if unknown:
                    raise ConfigError(str(TEMPLATES_FILE), f"template {template.id} has variants for unknown voice "
                                      f"modifiers {sorted(unknown)}; use {', '.join(VOICE_MODIFIERS)}")
            covered = {m for template in templates for m in template.voices}
            if covered != set(VOICE_MODIFIERS):
                missing = sorted(set(VOICE_MODIFIERS) - covered)
                raise ConfigError(str(TEMPLATES_FILE), f"style {style} has no variant for voice modifiers {missing}")

    @classmethod
    def load(cls, path: Path = TEMPLATES_FILE) -> TemplateLibrary:
        try:
            return cls(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(str(path), f"cannot read the persona template library: {exc}") from exc

    # -- analysis ------------------------------------------------------------------------------

    def style_scores(self, profile: PersonaProfile) -> dict[str, int]:
        scores = dict.fromkeys(STYLES, 0)
        for attribute, weight in _WEIGHTS:
            value = getattr(profile, attribute)
            text = " ".join(value) if isinstance(value, list) else value
            if not text:
                continue
            for style in STYLES:
                scores[style] += weight * _hits(text, self.style_keywords[style])
        return scores

    def style(self, profile: PersonaProfile) -> str:
        """The top-scoring style; a tie for the top, or no hit, gives the default style."""
        scores = self.style_scores(profile)
        best = max(scores.values())
        top = [style for style, score in scores.items() if score == best]
        return top[0] if best > 0 and len(top) == 1 else self.default_style

    def voice_modifiers(self, profile: PersonaProfile) -> list[str]:
        """Modifiers found in the tone preference and the personality traits, in a fixed order."""
        text = " ".join([profile.tone_preference, *profile.personality_traits])
        return [m for m in VOICE_MODIFIERS if text and _hits(text, self.voice_keywords[m])]

    def prompt_tags(self, prompt: str) -> set[str]:
        return {tag for tag, words in self.prompt_keywords.items() if prompt and _hits(prompt, words)}

    # -- writing -------------------------------------------------------------------------------

    def eligible(self, style: str, rating: str) -> list[Template]:
        """The style's templates at or below `rating`."""
        limit = RATING_ORDER[rating]
        return [t for t in self.templates[style] if t.rating <= limit]

    def write(self, profile: PersonaProfile, prompt: str = "", *, seed: int | None = None, locked: bool = False) -> TemplatePost:
        rng = random.Random(seed)
        style = self.style(profile)
        modifiers = self.voice_modifiers(profile)
        tags = self.prompt_tags(prompt)
        templates = self.eligible(style, profile.content_rating)
        weights = [2.0 if template.tags & tags else 1.0 for template in templates]
        template = rng.choices(templates, weights=weights, k=1)[0]
        text = next((template.voices[m] for m in modifiers if m in template.voices), template.text)
        themes = profile.themes or [self.default_theme]
        first = rng.choice(themes)
        others = [t for t in themes if t != first]
        second = rng.choice(others) if others else first
        text = text.replace("{theme}", first).replace("{theme2}", second)
        text = self._customise(text, tags)
        if locked:
            text = f"{text} {self.appearance_context[style]}"
        return TemplatePost(text=text, style=style, voice_modifiers=modifiers, template_id=template.id, seed=seed)

    @staticmethod
    def _customise(text: str, tags: set[str]) -> str:
        if "forward" in tags:
            text = _TODAY.sub(lambda m: "For the future" if m.group(1) == "T" else "for the future", text)
        if "analytical" in tags:
            text = _THOUGHTS.sub(lambda m: "Analysis" if m.group(1) == "T" else "analysis", text)
        if "engagement" in tags:
            text = f"{text} 🤝"
        return text
