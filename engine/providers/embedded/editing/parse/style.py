"""Named styles in a prompt, mapped to the OpenCV looks of `ops_style`."""

from __future__ import annotations

import re

from engine.providers.embedded.editing.models import Operation
from engine.providers.embedded.editing.parse.text import Clause, Findings

__all__ = ["STYLE_CAPABILITIES", "parse_style"]

STYLE_CAPABILITIES = (
    "pencil sketch (grey or colour), cartoon, comic, anime, watercolour, oil painting, pop art, "
    "posterize, vintage/sepia"
)

_SKETCH = re.compile(
    r"\b(pencil\w*|sketch\w*|drawing|drawn|graphite|charcoal|line (?:art|drawing)|crayons?)\b"
)
_COLOUR_SKETCH = re.compile(r"\b(color(?:ed|ful)?|crayons?)\b")
_CARTOON = re.compile(
    r"\b(cartoon\w*|toon\w*|comics?|comic book|anime|manga|pixar|disney|cel ?shad\w*|animated|animation|"
    r"graphic novel|ghibli|illustrat\w*|caricature)\b"
)
_COMIC = re.compile(r"\b(comics?|comic book|graphic novel|marvel)\b")
_ANIME = re.compile(r"\b(anime|manga|ghibli)\b")
_OIL = re.compile(
    r"\b(oil\w*|impasto|van gogh|rembrandt|impressionis\w*|monet|renoir|acrylic|canvas|classical painting)\b"
)
_WATERCOLOUR = re.compile(
    r"\b(water ?color\w*|aquarelle|gouache|painting|painted|paint(?:erly)?|brush ?strokes?)\b"
)
_POP = re.compile(r"\b(pop ?art|warhol|lichtenstein|screen ?print\w*|halftone)\b")
_POSTER = re.compile(r"\b(posteriz\w*|poster(?: style)?|flat colors?|few(?:er)? colors?|color quantiz\w*)\b")
_LEVELS = re.compile(r"\b(\d{1,2}) (?:levels|colors|tones)\b")
_VINTAGE = re.compile(
    r"\b(vintage|retro|old (?:school|fashioned|timey?|photo|film|print)|antique|film (?:look|photo|grain)|"
    r"polaroid|analog(?:ue)?|nostalgic|(?:19)?[5-7]0s|victorian|daguerreotype|aged|sepia)\b"
)


def parse_style(clauses: list[Clause], found: Findings) -> None:
    for clause in clauses:
        if match := clause.take(_SKETCH):
            colour = clause.take(_COLOUR_SKETCH) is not None
            label = "colour pencil sketch" if colour else "pencil sketch"
            found.add(
                clause,
                match.start(),
                Operation(name="pencil_sketch", params={"colour": colour}, description=label),
            )
        if match := clause.take(_CARTOON):
            text = f"{match.group(0)} {clause.text}"
            look = "comic" if _COMIC.search(text) else "anime" if _ANIME.search(text) else "cartoon"
            found.add(
                clause,
                match.start(),
                Operation(name="cartoon", params={"look": look}, description=f"{look} look"),
            )
        if match := clause.take(_OIL):
            clause.take(_WATERCOLOUR)  # "oil painting": one style, not two
            found.add(clause, match.start(), Operation(name="oil_painting", description="oil painting"))
        if match := clause.take(_WATERCOLOUR):
            found.add(clause, match.start(), Operation(name="watercolour", description="watercolour"))
        if match := clause.take(_POP):
            found.add(clause, match.start(), Operation(name="pop_art", description="pop art"))
        if match := clause.take(_POSTER):
            levels_match = clause.take(_LEVELS)
            levels = float(min(max(int(levels_match.group(1)), 2), 16)) if levels_match else 4.0
            found.add(
                clause,
                match.start(),
                Operation(
                    name="posterize", params={"levels": levels}, description=f"posterize ({levels:g} levels)"
                ),
            )
        if match := clause.take(_VINTAGE):
            found.add(
                clause, match.start(), Operation(name="vintage", description="vintage print (sepia, faded)")
            )
