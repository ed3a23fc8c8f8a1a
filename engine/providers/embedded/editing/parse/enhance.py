"""Enhancement asks in a prompt: denoise, sharpen, local contrast, upscale, or a whole restore."""

from __future__ import annotations

import re

from engine.providers.embedded.editing.models import Operation
from engine.providers.embedded.editing.parse.text import GENERATIVE, Clause, Findings, intensity

__all__ = ["ENHANCE_CAPABILITIES", "ENHANCE_ORDER", "default_enhancement", "parse_enhancement"]

ENHANCE_ORDER = ("denoise", "local_contrast", "upscale", "sharpen")  # sharpen last: after any upscale
ENHANCE_CAPABILITIES = "denoise, sharpen, local contrast, upscale ×2 or ×4, or restore (the light three)"

_UPSCALE = re.compile(
    r"\b(upscal\w*|up ?res\w*|up ?sampl\w*|enlarg\w*|super ?resolution|"
    r"(?:higher |high |increase (?:the )?|more |better |improve (?:the )?)?resolution|hi ?res|high ?res\w*|"
    r"bigger|larger|double (?:the )?size|quadruple\w*|[2-8] ?x|x ?[2-8]|4k|hd)\b"
)
_FOUR = re.compile(r"\b(4 ?x|x ?4|[5-8] ?x|x ?[5-8]|(?:by|times) (?:4|four)|four times|quadruple\w*|4k)\b")
_DENOISE = re.compile(
    r"\b(de ?nois\w*|noise|noisy|grain\w*|speckl\w*|(?:jpe?g |compression )?artifacts?|scratch\w*|dust\w*|"
    r"clean(?: it)? up)\b"
)
_SHARPEN = re.compile(
    r"\b(sharp\w*|crisp\w*|(?:less|too|not) blurr?y|blurr?y|un ?blur\w*|de ?blur\w*|clarity|clearer|"
    r"(?:in |more )?focus(?:ed)?|details?|detailed)\b"
)
_LOCAL = re.compile(
    r"\b(local contrast|contrast|clahe|dynamic range|hdr|shadows?|dehaz\w*|haz[ey]|fog(?:gy)?|dull|lifeless|"
    r"flat|pop)\b"
)
_RESTORE = re.compile(
    r"\b(restor\w*|repair\w*|fix\w*|old (?:photo|picture|image|print|snapshot)s?|damaged|faded|"
    r"scan(?:ned)?)\b"
)
_GENERAL = re.compile(
    r"\b(enhanc\w*|improv\w*|better|quality|auto|retouch\w*|polish\w*|touch up|optimi[sz]\w*|professional)\b"
)
_COLORIZE = re.compile(r"\b(colori[sz]\w*|add colors?|in colors?|recolor\w*)\b")
_FACES = re.compile(
    r"\b(face restor\w*|restore (?:the )?faces?|de ?ag\w*|remove wrinkles|smooth(?:er)? skin)\b"
)


def _operation(name: str, strength: float = 1.0, factor: float = 2.0) -> Operation:
    if name == "denoise":
        level = round(5.0 * strength, 1)
        return Operation(name=name, params={"strength": level}, description=f"denoise (strength {level:g})")
    if name == "sharpen":
        amount = round(0.6 * strength, 2)
        return Operation(
            name=name, params={"amount": amount}, description=f"sharpen ({amount:.0%} unsharp mask)"
        )
    if name == "local_contrast":
        clip = round(2.0 * strength, 1)
        return Operation(
            name=name, params={"clip_limit": clip}, description=f"local contrast (CLAHE, clip {clip:g})"
        )
    return Operation(
        name="upscale",
        params={"factor": factor},
        description=f"upscale ×{factor:g} (long side at most 2048 px)",
    )


def parse_enhancement(clauses: list[Clause], found: Findings) -> None:
    """The enhancements the prompt names; 'restore'/'fix' adds denoise + local contrast + sharpen."""
    for clause in clauses:
        if clause.take(_FACES):
            found.refuse(clause, f"face restoration and retouching needs {GENERATIVE} (e.g. codeformer)")
        if clause.take(_COLORIZE):
            found.refuse(clause, f"colourising a black-and-white photo needs {GENERATIVE}")
        strength = intensity(clause.text)
        if match := clause.take(_UPSCALE):
            factor = 4.0 if _FOUR.search(match.group(0)) or clause.take(_FOUR) else 2.0
            _add(clause, match.start(), _operation("upscale", factor=factor), found)
        for name, pattern in (("denoise", _DENOISE), ("sharpen", _SHARPEN), ("local_contrast", _LOCAL)):
            if match := clause.take(pattern):
                _add(clause, match.start(), _operation(name, strength), found)
        if match := clause.take(_RESTORE) or clause.take(_GENERAL):
            for name in ("denoise", "local_contrast", "sharpen"):
                _add(clause, match.start(), _operation(name, strength), found)
    if "upscale" in found.names() and "sharpen" not in found.names():
        found.ops.append((max(at for at, _ in found.ops) + 1, _operation("sharpen")))


def default_enhancement() -> tuple[Operation, ...]:
    """What 'enhance' means when the prompt names nothing: the light three."""
    return tuple(_operation(name) for name in ("denoise", "local_contrast", "sharpen"))


def _add(clause: Clause, at: int, operation: Operation, found: Findings) -> None:
    if operation.name not in found.names():
        found.add(clause, at, operation)
