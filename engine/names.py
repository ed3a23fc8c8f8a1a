"""Names a person types (their name, a reference tag): refused when they hold control characters.

A NUL, a bell or an ANSI escape in a name would be drawn into a scene, spoken, or written to a
terminal; bidirectional overrides make a name read differently from what it is.
"""

from __future__ import annotations

import unicodedata

from engine.errors import InvalidRequest

__all__ = ["check_name", "control_characters"]

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WHITESPACE_CONTROLS = frozenset("\t\n\r")


def control_characters(text: str) -> list[str]:
    """The control characters in `text` (tabs and line breaks excepted), as `U+XXXX` codes."""
    found = [ch for ch in text if ch in _BIDI_CONTROLS
             or (unicodedata.category(ch) == "Cc" and ch not in _WHITESPACE_CONTROLS)]  # fmt: skip
    return [f"U+{ord(ch):04X}" for ch in dict.fromkeys(found)]


def check_name(value: str, field: str, *, max_length: int = 80, hint: str = "") -> str:
    """`value` with its whitespace collapsed; `InvalidRequest` if empty, too long or holding control characters."""
    codes = control_characters(value)
    if codes:
        raise InvalidRequest(
            field, f"holds control characters ({', '.join(codes[:5])}); type it again using letters, digits and spaces"
        )
    name = " ".join(value.split())
    if not name or len(name) > max_length:
        raise InvalidRequest(field, hint or f"give a name of 1-{max_length} characters")
    return name
