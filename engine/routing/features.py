"""How hard a text request is: a score in [0, 1] from five documented, explainable features.

| feature | what it measures | score (0..1) | weight |
|---|---|---|---|
| `length` | words in the request (system + user) | words / 150, capped | 0.20 |
| `structure` | multi-step asks: numbered or bulleted lines, "first/then/finally/compare", several questions | (steps + questions) / 3, capped | 0.30 |
| `domain` | distinct specialist terms (law, medicine, finance, code, maths, science) | terms / 3, capped | 0.25 |
| `format` | a requested output format (JSON, table, code, CSV, markdown, word counts, citations) | formats / 2, capped | 0.15 |
| `language` | share of letters outside ASCII (a non-English request is harder for the small model) | share × 3, capped | 0.10 |

The complexity is the weighted sum. Every feature reports its raw value, its score and its
weight, so a decision can say exactly why a request counted as hard. Pure Python regular
expressions: a few tens of microseconds per request.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["WEIGHTS", "complexity"]

WEIGHTS: dict[str, float] = {"length": 0.20, "structure": 0.30, "domain": 0.25, "format": 0.15, "language": 0.10}

_WORD = re.compile(r"\w+", re.UNICODE)
_LIST_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+\S", re.MULTILINE)
_STEP_WORDS = re.compile(
    r"\b(first(?:ly)?|second(?:ly)?|then|next|after that|finally|step[- ]by[- ]step|and also|as well as|"
    r"compare|contrast|explain why|analy[sz]e|evaluate|justify|prove|derive)\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(contract|liabilit\w*|statute|jurisdiction|plaintiff|diagnos\w*|symptom\w*|dosage|clinical|"
    r"patholog\w*|portfolio|amorti[sz]\w*|derivative|equity|dividend|regression|algorithm|complexity|"
    r"recursion|function|api|database|sql|kubernetes|compiler|theorem|integral|eigen\w*|matrix|"
    r"probability|hypothesis|quantum|molecul\w*|enzyme|thermodynamic\w*|photosynthesis)\b",
    re.IGNORECASE,
)
_FORMAT = re.compile(
    r"\b(json|yaml|xml|csv|table|markdown|code|python|javascript|bullet(?:ed)? (?:list|points)|"
    r"\d+\s+(?:words|sentences|paragraphs|lines)|citations?|references|outline)\b",
    re.IGNORECASE,
)


def _cap(value: float) -> float:
    return max(0.0, min(1.0, value))


def complexity(text: str) -> tuple[float, dict[str, dict[str, Any]]]:
    """(score in [0, 1], per-feature {value, score, weight}) for a request's text."""
    words = len(_WORD.findall(text))
    steps = len(_LIST_LINE.findall(text)) + len(_STEP_WORDS.findall(text))
    questions = max(0, text.count("?") - 1)  # one question is a plain ask; more are several asks
    domain_terms = sorted({m.lower() for m in _DOMAIN.findall(text)})
    formats = sorted({m.lower() for m in _FORMAT.findall(text)})
    letters = [c for c in text if c.isalpha()]
    non_ascii = sum(1 for c in letters if ord(c) > 127) / len(letters) if letters else 0.0

    scores = {
        "length": (words, _cap(words / 150)),
        "structure": (steps + questions, _cap((steps + questions) / 3)),
        "domain": (domain_terms, _cap(len(domain_terms) / 3)),
        "format": (formats, _cap(len(formats) / 2)),
        "language": (round(non_ascii, 3), _cap(non_ascii * 3)),
    }
    features = {
        name: {"value": value, "score": round(score, 3), "weight": WEIGHTS[name]}
        for name, (value, score) in scores.items()
    }
    total = sum(WEIGHTS[name] * score for name, (_, score) in scores.items())
    return round(_cap(total), 4), features
