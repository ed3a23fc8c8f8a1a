"""Hair asks in a prompt: a colour can be done offline; highlights, cuts, lengths and styles cannot."""

from __future__ import annotations

import re

from engine.providers.embedded.editing.colours import find_colour, hex_of
from engine.providers.embedded.editing.models import Operation
from engine.providers.embedded.editing.parse.text import GENERATIVE, Clause, Findings, intensity

__all__ = ["HAIR_CAPABILITIES", "parse_hair"]

HAIR_CAPABILITIES = "the hair colour only (say a colour: 'red', 'platinum blonde', '#ff00aa')"

_HAIR = re.compile(r"\bhair\b")
_PARTIAL = re.compile(
    r"\b(highlights?|lowlights?|streaks?|ombre|ombré|balayage|dip dye\w*|two tone|tips|roots|money piece|"
    r"peekaboo|split dye\w*|babylights)\b"
)
_STYLE = re.compile(
    r"\b(cut|haircut|trim\w*|bangs|fringe|bob|lob|pixie|buzz ?cut|buzzed|shav\w*|bald|braid\w*|plait\w*|"
    r"cornrows?|curl\w*|curly|wav[ey]|waves|straighten\w*|perm\w*|updo|bun|ponytail|pony tail|pigtails?|"
    r"dread\w*|locs|afro|mohawk|mullet|layers|layered|shorter|longer|length|volume|voluminous|extensions?|undercut|"
    r"quiff|pompadour|slicked?(?: back)?|spiky|side part|parting|hairstyle|hair style|hairdo|beard|mustache|"
    r"moustache)\b"
)
_BLEACH = re.compile(r"\b(bleach\w*)\b")


def parse_hair(clauses: list[Clause], found: Findings, only_with_hair_word: bool = False) -> None:
    """Hair colour per clause; with `only_with_hair_word`, only clauses that say 'hair' (image editing)."""
    for clause in clauses:
        if only_with_hair_word and not clause.find(_HAIR):
            continue
        if style := clause.find(_STYLE):
            found.refuse(clause, f"hair cuts, lengths and styles ('{style.group(0)}') need {GENERATIVE}")
        if partial := clause.find(_PARTIAL):
            found.refuse(clause, f"partial colouring ('{partial.group(0)}') needs {GENERATIVE}")
            clause.take_all()
            continue
        colour = find_colour(clause.text, "hair")
        name, rgb = (colour.name, colour.rgb) if colour else ("platinum blonde", (235, 230, 215))
        if colour is None and not clause.find(_BLEACH):
            if style:
                clause.take_all()
            continue
        strength = {0.5: 0.6, 1.8: 1.0}.get(intensity(clause.text), 0.9)
        at = colour.start if colour else 0
        params: dict[str, float | str | bool] = {"colour": hex_of(rgb), "strength": strength}
        found.add(
            clause, at, Operation(name="hair_colour", params=params, description=f"hair colour → {name}")
        )
        clause.take_all()
