"""Colour words and hex codes in a prompt, as RGB: plain colours for backgrounds, dye shades for hair."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

__all__ = ["HAIR_COLOURS", "NAMED_COLOURS", "Colour", "find_colour", "hex_of"]

RGB = tuple[int, int, int]


class Colour(NamedTuple):
    name: str
    rgb: RGB
    start: int  # where the colour words begin in the searched text
    end: int


# Spellings are normalised first (grey -> gray, colour -> color), so only US forms appear here.
NAMED_COLOURS: dict[str, RGB] = {
    "white": (255, 255, 255),
    "off white": (245, 242, 235),
    "ivory": (255, 255, 240),
    "cream": (250, 243, 224),
    "beige": (225, 210, 180),
    "black": (0, 0, 0),
    "gray": (128, 128, 128),
    "silver": (192, 192, 192),
    "red": (220, 30, 35),
    "crimson": (180, 20, 50),
    "maroon": (120, 20, 30),
    "burgundy": (128, 0, 32),
    "pink": (255, 150, 190),
    "hot pink": (255, 60, 160),
    "magenta": (230, 0, 150),
    "coral": (255, 127, 80),
    "peach": (255, 200, 160),
    "orange": (255, 140, 0),
    "yellow": (255, 220, 40),
    "gold": (212, 175, 55),
    "golden": (212, 175, 55),
    "green": (40, 160, 60),
    "lime": (150, 220, 40),
    "mint": (170, 240, 200),
    "olive": (128, 128, 0),
    "teal": (0, 128, 128),
    "turquoise": (64, 224, 208),
    "cyan": (0, 200, 220),
    "aqua": (0, 200, 220),
    "blue": (30, 90, 220),
    "sky blue": (135, 206, 235),
    "navy": (20, 30, 90),
    "navy blue": (20, 30, 90),
    "purple": (128, 40, 170),
    "violet": (140, 60, 200),
    "lavender": (190, 170, 230),
    "lilac": (200, 162, 200),
    "brown": (110, 70, 40),
    "tan": (210, 180, 140),
    "green screen": (0, 177, 64),
    "greenscreen": (0, 177, 64),
}

# Dye shades: what hair of that colour looks like on average, not the pure hue.
HAIR_COLOURS: dict[str, RGB] = {
    **NAMED_COLOURS,
    "black": (28, 24, 24),
    "jet black": (14, 12, 14),
    "raven": (20, 18, 24),
    "blue black": (18, 22, 40),
    "dark brown": (60, 40, 28),
    "brown": (100, 66, 40),
    "brunette": (90, 60, 38),
    "chocolate": (82, 50, 32),
    "chestnut": (120, 66, 38),
    "light brown": (150, 110, 75),
    "caramel": (175, 120, 65),
    "honey": (200, 150, 80),
    "honey blonde": (205, 160, 95),
    "blonde": (220, 190, 130),
    "blond": (220, 190, 130),
    "golden blonde": (225, 180, 100),
    "dirty blonde": (180, 150, 100),
    "ash blonde": (200, 190, 165),
    "strawberry blonde": (220, 150, 110),
    "platinum": (235, 230, 215),
    "platinum blonde": (235, 230, 215),
    "bleach blonde": (235, 225, 195),
    "ginger": (190, 90, 40),
    "auburn": (145, 55, 35),
    "copper": (185, 95, 50),
    "red": (170, 35, 30),
    "cherry red": (160, 20, 35),
    "burgundy": (110, 25, 40),
    "mahogany": (120, 45, 35),
    "rose gold": (215, 150, 140),
    "pink": (235, 110, 165),
    "pastel pink": (245, 175, 200),
    "purple": (110, 45, 150),
    "blue": (40, 80, 190),
    "green": (40, 140, 70),
    "silver": (195, 195, 200),
    "gray": (160, 160, 160),
    "white": (235, 235, 230),
    "salt pepper": (130, 128, 125),  # the normaliser turns "salt and pepper" into this,
}

Palette = Literal["plain", "hair"]


def _names(table: dict[str, RGB]) -> re.Pattern[str]:
    names = sorted(table, key=len, reverse=True)  # "jet black" before "black"
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


_TABLES: dict[str, tuple[dict[str, RGB], re.Pattern[str]]] = {
    "plain": (NAMED_COLOURS, _names(NAMED_COLOURS)),
    "hair": (HAIR_COLOURS, _names(HAIR_COLOURS)),
}
_HEX = re.compile(r"#([0-9a-f]{6}|[0-9a-f]{3})\b", re.IGNORECASE)
_SHADE = re.compile(r"\b(light|pale|pastel|dark|deep)\s+$")


def find_colour(text: str, palette: Palette = "plain") -> Colour | None:
    """The first hex code in `text`, else its first colour name (longest wins), 'light'/'dark' applied."""
    hex_match = _HEX.search(text)
    if hex_match:
        return Colour(hex_match.group(0).lower(), _parse_hex(hex_match.group(1)), *hex_match.span())
    table, pattern = _TABLES[palette]
    match = pattern.search(text)
    if not match:
        return None
    name, rgb, start = match.group(1), table[match.group(1)], match.start()
    shade = _SHADE.search(text[: match.start()])
    if shade:
        rgb = _shade(rgb, shade.group(1))
        name, start = f"{shade.group(1)} {name}", shade.start()
    return Colour(name, rgb, start, match.end())


def hex_of(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _parse_hex(digits: str) -> RGB:
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _shade(rgb: RGB, word: str) -> RGB:
    target, weight = ((255, 255, 255), 0.45) if word in {"light", "pale", "pastel"} else ((0, 0, 0), 0.4)
    return tuple(round(c + (t - c) * weight) for c, t in zip(rgb, target, strict=True))  # type: ignore[return-value]
