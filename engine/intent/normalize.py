"""Make hostile or messy prompt text safe: strip markup and control characters, bound the length."""

from __future__ import annotations

import html
import re
import unicodedata

from engine.errors import InvalidRequest

__all__ = ["MAX_PROMPT_CHARS", "normalize_prompt"]

MAX_PROMPT_CHARS = 2000
"""Longest prompt accepted, counted after normalisation."""

_RAW_LIMIT = MAX_PROMPT_CHARS * 8  # refuse absurd inputs before running any regex over them
_DROP_BLOCKS = re.compile(r"<\s*(script|style)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]{0,500}>")
_SPACE = re.compile(r"\s+")


def _visible(char: str) -> str:
    if char in "\t\n\r\f\v":
        return " "
    if unicodedata.category(char).startswith("C"):  # control, format, surrogate, private use, unassigned
        return ""
    return char


def normalize_prompt(value: object) -> str:
    """The prompt as the classifiers see it, or `InvalidRequest` when nothing usable is left."""
    if not isinstance(value, str):
        raise InvalidRequest("prompt", f"must be text, got {type(value).__name__}")
    if len(value) > _RAW_LIMIT:
        raise InvalidRequest("prompt", f"is {len(value)} characters; keep it under {MAX_PROMPT_CHARS}")
    text = unicodedata.normalize("NFKC", value)
    text = _DROP_BLOCKS.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)  # entities that decoded into tags
    text = "".join(_visible(char) for char in text)
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise InvalidRequest("prompt", "is empty; describe what you want to make, e.g. 'a cat in a hat'")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidRequest(
            "prompt", f"is {len(text)} characters; shorten it to {MAX_PROMPT_CHARS} or fewer"
        )
    return text
