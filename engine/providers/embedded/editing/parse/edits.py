"""Basic edits in a prompt: background, vignette, black and white, sepia, geometry, blur, tone."""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.providers.embedded.editing.colours import find_colour, hex_of
from engine.providers.embedded.editing.models import Operation
from engine.providers.embedded.editing.parse.text import GENERATIVE, Clause, Findings, intensity, percent

__all__ = ["EDIT_CAPABILITIES", "parse_edits"]

EDIT_CAPABILITIES = (
    "brighter/darker, contrast, warmer/cooler, saturation, black and white, sepia, rotate, flip/mirror, "
    "crop to a square, zoom in, blur, vignette, blur the background, or replace it with a plain colour"
)


def _words(*alternatives: str) -> re.Pattern[str]:
    """One of the alternatives, as whole words."""
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b")


# --- background ---------------------------------------------------------------------------
_BACKGROUND = re.compile(r"\b(background|backdrop|bg|behind (?:me|her|him|them|the (?:person|subject)))\b")
_PORTRAIT = re.compile(r"\b(bokeh|portrait (?:mode|effect)|(?:shallow )?depth of field)\b")
_BLUR_WORDS = re.compile(r"\b(blur\w*|out of focus|defocus\w*|soft(?:en|er)?|fuzzy|unfocused|bokeh)\b")
_REMOVE = re.compile(
    r"\b(remov\w*|delete|erase|get rid of|cut (?:me |him |her |them |the person )?out|cutout|no|without|"
    r"transparent|isolate\w*|plain|clean|blank|empty|studio|solid)\b"
)
_REPLACE = re.compile(
    r"\b(replac\w*|chang\w*|swap\w*|switch\w*|new|different|put|place|set|turn|paint|add)\b"
)

# --- whole-picture edits ----------------------------------------------------------------------
_VIGNETTE = re.compile(
    r"\b(vignett\w*|dark(?:en|er)? (?:the )?(?:edges|corners|borders)|(?:edges|corners) dark(?:er)?)\b"
)
_MONOCHROME = re.compile(
    r"\b(monochrome|mono|gray ?scale|gray ?tones?|noir|colorless|decolor\w*|"
    r"(?:remove|drop|strip|without|no) (?:the |all |any )?colors?|"
    r"desaturate (?:it )?(?:completely|fully|entirely|all the way))\b"
)
_SEPIA = re.compile(r"\b(sepia(?: ton(?:e|ed|es|ing))?|brown ?ton(?:e|ed))\b")
_FLIP = re.compile(r"\b(flip\w*|mirror\w*|reflect(?:ed|ion)?)\b")
_VERTICAL = re.compile(r"\b(vertical(?:ly)?|upside down|top to bottom|up and down)\b")
_ROTATE = re.compile(
    r"\b(rotat\w*|turn(?:ed)? (?:it |this |the (?:image|photo|picture|pic) )?(?:by |to the )?"
    r"(?=left\b|right\b|sideways|upside down|clockwise|counter ?clockwise|anti ?clockwise|\d)|upside down)"
)
_DEGREES = re.compile(r"\b(\d{1,3})(?: ?degrees?| ?deg)?\b")
_ANTICLOCKWISE = re.compile(r"\b(left|counter ?clockwise|anti ?clockwise|ccw)\b")
_SQUARE = re.compile(r"\b(square(?: crop| format| aspect)?|1 ?: ?1|instagram(?: crop| post| square)?)\b")
_CROP = re.compile(r"\bcrop\w*\b")
_ZOOM_OUT = _words(
    r"zoom(?:ed|ing)? ?out|uncrop\w*|out ?paint\w*|wider (?:shot|view|angle|frame)|show more",
    r"extend (?:the )?(?:image|photo|picture|canvas|frame|edges?)",
)
_ZOOM = _words(
    r"zoom(?:ed|ing|s)?(?: ?in(?:to)?)?|crop(?:ped|ping)?(?: (?:in|tighter|closer))?",
    r"tighter (?:crop|framing)|close ?up|closer",
)
_FACTOR = re.compile(r"\b(\d(?:\.\d+)?) ?x\b|\bx ?(\d(?:\.\d+)?)\b")
# "less blurry" asks for the opposite: sharpening (the enhancement parser's job).
_BLUR = re.compile(r"(?<!less )(?<!too )(?<!not )\b(blur(?:red|ring|ry|s)?|soft focus|out of focus|dreamy)\b")


class _Scalar(NamedTuple):
    """A tone adjustment: phrases with a direction (checked in order), else its noun and up/down words."""

    name: str
    label: str
    base: float
    noun: re.Pattern[str]
    phrases: tuple[tuple[int, re.Pattern[str]], ...]


_DOWN_WORDS = _words(
    r"less|lower\w*|decreas\w*|reduc\w*|down|drop\w*|minus|soften\w*|weaker|subtract|remove|cut",
    r"dial down|turn down|tone down|too much|too high|not so",
)
_SCALARS = (
    _Scalar(
        "brightness",
        "brightness",
        0.25,
        _words(r"brightness|exposure|lightness"),
        (
            (1, _words(r"too dark|under ?exposed|not bright enough|lift the shadows")),
            (-1, _words(r"less bright\w*|too bright|over ?exposed|not so bright")),
            (-1, _words(r"dark(?:er|en\w*)?|dimm?(?:er|ed)?|moody|gloomy")),
            (1, _words(r"bright(?:er|en\w*)?|light(?:er|en\w*)|more light|exposure up")),
        ),
    ),
    _Scalar(
        "contrast",
        "contrast",
        0.3,
        _words(r"contrast"),
        (
            (-1, _words(r"(?:low|soft)(?:er)? contrast|flatten\w*|flatter")),
            (1, _words(r"punch(?:y|ier)|contrasty|(?:high|strong)(?:er)? contrast")),
        ),
    ),
    _Scalar(
        "temperature",
        "colour temperature",
        0.3,
        _words(r"temperature|white balance|warmth"),
        (
            (
                -1,
                _words(
                    r"cooler|colder|cool(?:er)? (?:tones?|colors?|look|it down|down)", r"icy|bluer|blue tint"
                ),
            ),
            (
                1,
                _words(
                    r"warm(?:er)?(?: (?:tones?|colors?|it up|up|look|glow))?", r"golden(?: hour)?|sunnier"
                ),
            ),
        ),
    ),
    _Scalar(
        "saturation",
        "saturation",
        0.3,
        _words(r"saturation|vibrance|vibrancy|colorfulness|chroma"),
        (
            (
                -1,
                _words(
                    r"desaturat\w*|muted?|less (?:saturated|colorful|vivid|vibrant)",
                    r"washed out|dull(?:er)? colors?|pastel",
                ),
            ),
            (
                1,
                _words(
                    r"more (?:vivid|vibrant|colorful|saturated)|vivid|vibrant|saturated?|colorful",
                    r"rich(?:er)? colors?|boost (?:the )?colors?|more color",
                ),
            ),
        ),
    ),
)


def parse_edits(clauses: list[Clause], found: Findings) -> None:
    for clause in clauses:
        _background(clause, found)
        _simple(clause, found)
        _geometry(clause, found)
        for scalar in _SCALARS:
            _scalar(clause, scalar, found)


def _background(clause: Clause, found: Findings) -> None:
    where = clause.find(_BACKGROUND) or clause.find(_PORTRAIT)
    if where is None:
        return
    text, at = clause.text, where.start()
    colour = find_colour(text)
    if clause.find(_PORTRAIT) or clause.find(_BLUR_WORDS):
        strength = intensity(text)
        found.add(
            clause,
            at,
            Operation(
                name="background_blur",
                params={"strength": strength},
                description="blur the background" + _how(strength),
            ),
        )
    elif colour is not None:
        found.add(
            clause,
            at,
            Operation(
                name="background_colour",
                params={"colour": hex_of(colour.rgb)},
                description=f"replace the background with plain {colour.name}",
            ),
        )
    elif clause.find(_REMOVE):
        note = " (no transparency: the picture has no alpha channel)" if "transparent" in text else ""
        found.add(
            clause,
            at,
            Operation(
                name="background_colour",
                params={"colour": "#ffffff"},
                description=f"remove the background (plain white){note}",
            ),
        )
    elif clause.find(_REPLACE):
        found.refuse(clause, f"a new background scene ('{clause.quote}') needs {GENERATIVE}")
    else:
        found.refuse(clause, f"editing only the background ('{clause.quote}') needs {GENERATIVE}")
    clause.take_all()


def _simple(clause: Clause, found: Findings) -> None:
    if match := clause.take(_VIGNETTE):
        strength = round(min(0.9, 0.4 * intensity(clause.text)), 2)
        found.add(
            clause,
            match.start(),
            Operation(
                name="vignette",
                params={"strength": strength},
                description=f"vignette ({strength:.0%} darker corners)",
            ),
        )
    if match := clause.take(_MONOCHROME):
        found.add(clause, match.start(), Operation(name="grayscale", description="black and white"))
    if match := clause.take(_SEPIA):
        found.add(clause, match.start(), Operation(name="sepia", description="sepia tone"))
    if match := clause.take(_BLUR):
        strength = intensity(clause.text)
        found.add(
            clause,
            match.start(),
            Operation(name="blur", params={"strength": strength}, description="soft blur" + _how(strength)),
        )


def _geometry(clause: Clause, found: Findings) -> None:
    if match := clause.take(_FLIP):
        vertical = clause.take(_VERTICAL) is not None
        axis, label = ("vertical", "flip upside down") if vertical else ("horizontal", "mirror left to right")
        found.add(clause, match.start(), Operation(name="flip", params={"axis": axis}, description=label))
    if match := clause.take(_ROTATE):
        _rotate(clause, match.start(), "upside down" in match.group(0), found)
    if match := clause.take(_SQUARE):
        clause.take(_CROP)
        found.add(clause, match.start(), Operation(name="crop_square", description="crop to a square"))
    if match := clause.take(_ZOOM_OUT):
        found.refuse(clause, f"zooming out or extending the picture (outpainting) needs {GENERATIVE}")
    if match := clause.take(_ZOOM):
        _zoom(clause, match, found)


def _rotate(clause: Clause, at: int, upside_down: bool, found: Findings) -> None:
    if upside_down or clause.take(_VERTICAL):
        degrees = 180
    else:
        number = clause.take(_DEGREES)
        degrees = int(number.group(1)) if number else 90
    if degrees % 90:
        found.refuse(clause, f"rotating by {degrees}° (offline: quarter turns only, 90°, 180° or 270°)")
        return
    if clause.take(_ANTICLOCKWISE):
        degrees = -degrees
    degrees = (degrees + 180) % 360 - 180  # to [-180, 180): 270 clockwise is 90 anticlockwise
    degrees = 180 if degrees == -180 else degrees
    if degrees == 0:
        return
    label = (
        "rotate 180°" if degrees == 180 else f"rotate 90° {'clockwise' if degrees > 0 else 'anticlockwise'}"
    )
    found.add(clause, at, Operation(name="rotate", params={"degrees": float(degrees)}, description=label))


def _zoom(clause: Clause, match: re.Match[str], found: Findings) -> None:
    factor_match = clause.take(_FACTOR)
    share = percent(clause.text)
    if factor_match:
        factor = float(factor_match.group(1) or factor_match.group(2))
    elif share is not None:
        factor = 1.0 + share
    else:
        default = 1.25 if match.group(0).startswith("crop") else 1.5
        factor = {0.5: 1.25, 1.8: 2.0}.get(intensity(clause.text), default)
    factor = round(min(max(factor, 1.05), 4.0), 2)
    found.add(
        clause,
        match.start(),
        Operation(
            name="zoom",
            params={"factor": factor},
            description=f"zoom in ×{factor:g} (crop and scale back up)",
        ),
    )


def _scalar(clause: Clause, scalar: _Scalar, found: Findings) -> None:
    sign, match = 0, None
    for direction, pattern in scalar.phrases:
        if match := clause.take(pattern):
            sign = direction
            break
    if match is None:
        match = clause.take(scalar.noun)
        if match is None:
            return
        nearby = clause.text[max(0, match.start() - 30) : match.end() + 20]
        sign = -1 if _DOWN_WORDS.search(nearby) else 1
    share = percent(clause.text)
    amount = share if share is not None else scalar.base * intensity(clause.text)
    amount = round(sign * min(amount, 1.0 if sign < 0 else 2.0), 3)
    found.add(
        clause,
        match.start(),
        Operation(
            name=scalar.name, params={"amount": amount}, description=f"{scalar.label} {amount * 100:+.0f} %"
        ),
    )


def _how(strength: float) -> str:
    return {0.5: " (lightly)", 1.8: " (strongly)"}.get(strength, "")
