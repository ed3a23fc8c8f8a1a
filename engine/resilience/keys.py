"""Stable keys and buckets: sha256 over normalised input, the same in every process."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from engine.errors import InvalidRequest

__all__ = ["cache_key", "normalise_text", "stable_bucket"]

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Fold a prompt for caching: Unicode NFKC, case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def cache_key(*parts: object) -> str:
    """Hex sha256 of the parts as compact JSON with sorted keys.

    Parts must be JSON values (str, int, float, bool, None, lists, dicts with str keys).
    Normalise free text first with `normalise_text` where case and spacing do not matter.
    """
    try:
        blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest("cache key parts", f"must be plain JSON values ({exc})") from exc
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def stable_bucket(*parts: str) -> float:
    """Map the parts to a number in [0, 100), uniform and identical across processes."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100.0
