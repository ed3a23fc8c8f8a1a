"""Shared prompt handling: normalise spelling, split into clauses, read amounts, record findings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from engine.providers.embedded.editing.models import Operation

__all__ = [
    "GENERATIVE",
    "NUMBER_WORDS",
    "Clause",
    "Findings",
    "clauses_of",
    "has_content",
    "intensity",
    "normalise",
    "number",
    "percent",
]

GENERATIVE = "a generative image model (e.g. flux-kontext on replicate)"

# British spellings and common shorthands, to one form the word lists below can match.
_SPELLING = [
    (r"[-_]+", " "),
    (r"colou?r", "color"),
    (r"\bgrey", "gray"),
    (r"centre", "center"),
    (r"posteris", "posteriz"),
    (r"stylis", "styliz"),
    (r"saturis", "saturiz"),
    (r"\bb ?[/&] ?w\b", " monochrome "),
    (r"\bblack (?:and|&|n|/) ?white\b", "monochrome"),
    (r"\bsalt (?:and|&|n) pepper\b", "salt pepper"),
    (r"°", " degrees "),
    (r"×", "x"),
    (r"[’`]", "'"),
]
_QUOTE = 60  # longest clause quoted back in a message
_SPLIT = re.compile(r"[,;!?]|\.(?:\s|$)|\b(?:and then|then|and|plus|also|but|after that|afterwards)\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pct)")
_SLIGHT = re.compile(
    r"\b(slight(?:ly)?|a (?:little|bit|touch|tad)|little|bit|subtl[ey]|gentl[ey]|gently|somewhat|mild(?:ly)?|"
    r"barely|softly|a hint)\b"
)
_STRONG = re.compile(
    r"\b(very|much|a lot|lots|really|super|extremely|way|heavily|strong(?:ly)?|dramatic(?:ally)?|"
    r"significantly|intense(?:ly)?|extra|hugely|massively|totally)\b"
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "a couple of": 2, "a few": 3, "half a": 0.5,
}  # fmt: skip
_STOPWORDS = frozenset(
    ["a", "an", "the", "it", "its", "it's", "this", "that", "these", "my", "me", "i", "i'm", "we", "you", "your", "our", "can", "could", "would", "should", "will", "please", "make", "made", "making", "want", "wanna", "like", "to", "of", "in", "on", "at", "for", "by", "from", "into", "onto", "over", "as", "is", "be", "are", "was", "image", "images", "photo", "photos", "picture", "pictures", "pic", "pics", "photograph", "shot", "selfie", "look", "looks", "looking", "bit", "little", "some", "just", "so", "more", "less", "much", "very", "too", "also", "now", "do", "does", "let", "let's", "lets", "give", "get", "got", "with", "and", "then", "slightly", "really", "kind", "sort", "little", "lot", "quite", "version", "one", "ok", "okay", "thanks", "thank", "hey", "hi", "nice", "good", "great", "better", "best", "cool", "awesome", "beautiful", "pretty", "amazing"]
)


@dataclass
class Clause:
    """One part of the prompt. Parsers blank out the words they understood, so no two claim them."""

    text: str
    offset: int  # where the clause starts in the whole prompt: operations keep the prompt's order
    original: str
    handled: bool = False  # produced an operation or a refusal

    @property
    def quote(self) -> str:
        """The clause as the person wrote it (normalised), shortened for a message."""
        return self.original if len(self.original) <= _QUOTE else self.original[: _QUOTE - 1].rstrip() + "…"

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.text)

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """Find `pattern` and blank it out."""
        match = pattern.search(self.text)
        if match:
            self.blank(match.start(), match.end())
        return match

    def blank(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def take_all(self) -> None:
        self.text = " " * len(self.text)


@dataclass
class Findings:
    """Operations found so far (each with its place in the prompt), and asks offline cannot do."""

    ops: list[tuple[int, Operation]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def add(self, clause: Clause, at: int, operation: Operation) -> None:
        """Record `operation` found at `at` in `clause` (once: "pop art, Warhol style" is one pop art)."""
        if all(operation != known for _, known in self.ops):
            self.ops.append((clause.offset + at, operation))
        clause.handled = True

    def refuse(self, clause: Clause, why: str) -> None:
        if why not in self.refusals:
            self.refusals.append(why)
        clause.handled = True

    def names(self) -> set[str]:
        return {operation.name for _, operation in self.ops}

    def ordered(self) -> tuple[Operation, ...]:
        return tuple(operation for _, operation in sorted(self.ops, key=lambda item: item[0]))


def normalise(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", prompt).lower()
    for pattern, replacement in _SPELLING:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def clauses_of(prompt: str) -> list[Clause]:
    """The normalised prompt cut at commas, full stops and joining words ('and', 'then', 'plus')."""
    text = normalise(prompt)
    clauses, start = [], 0
    for match in [*_SPLIT.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            clauses.append(Clause(piece, start, piece.strip()))
        if match:
            start = match.end()
    return clauses


def percent(text: str) -> float | None:
    match = _PERCENT.search(text)
    return float(match.group(1)) / 100.0 if match else None


def intensity(text: str) -> float:
    """How hard the clause asks: 0.5 for 'slightly', 1.8 for 'much', else 1."""
    if _SLIGHT.search(text):
        return 0.5
    if _STRONG.search(text):
        return 1.8
    return 1.0


def number(word: str) -> float | None:
    """'5', '2.5' or a small number word ('five', 'a few')."""
    try:
        return float(word)
    except ValueError:
        return _NUMBERS.get(word.strip())


NUMBER_WORDS = "|".join(sorted((re.escape(w) for w in _NUMBERS), key=len, reverse=True))


def has_content(clause: Clause) -> bool:
    """Whether the words nobody understood say more than 'please make it'."""
    return any(word not in _STOPWORDS for word in re.findall(r"[a-z][a-z']+", clause.text))
