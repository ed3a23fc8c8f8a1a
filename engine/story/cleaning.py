"""Turn raw model output into clean chapter prose and exactly three usable choices.

A small model echoes its prompt, writes role markers ("Assistant:"), headings and
lists, and stops mid-sentence at its token budget. `clean_chapter` removes all of
that and splits the prose into real paragraphs; `extract_choices` finds short,
distinct action lines; `fallback_choices` draws choices from the chapter itself
when the model gives fewer than three.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = [
    "as_action",
    "clean_chapter",
    "ends_a_sentence",
    "extract_choices",
    "fallback_choices",
    "first_sentences",
    "proper_names",
    "split_sentences",
]

_SPECIAL_TOKEN = re.compile(r"<\|[^|>]*\|>|</?s>|\[/?INST\]")
_ROLE_MARKER = re.compile(r"^\s*(?:#+\s*)?(?:system|user|assistant|narrator|storyteller|ai|bot)\s*:\s*", re.IGNORECASE)
_BARE_ROLE = re.compile(r"^\s*(?:system|user|assistant)\s*$", re.IGNORECASE)
_INLINE_ROLE = re.compile(r"\b(?:assistant|user|system)\s*:\s*", re.IGNORECASE)
_ECHO_LINE = re.compile(
    r"^\s*(?:\*\*)?(?:setting|tone|hero|world|story so far|the hero chose|the learner|question|lesson|"
    r"write|chapter\s*\d*|part\s*\d*|title|task|instructions?|note|choices?|options?|answer|what happens next)"
    r"(?:\*\*)?\s*[:\-–]",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*#{1,6}\s+|^\s*\*\*[^*]{1,60}\*\*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\(?\d{1,2}[.):]|\(?[a-cA-C][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_STOP_NAMES = frozenset(
    ["The", "A", "An", "And", "But", "Then", "When", "While", "She", "He", "They", "It", "His", "Her", "Their", "This", "That", "There", "Here", "What", "Why", "How", "Who", "Where", "Suddenly", "Finally", "Meanwhile", "After", "Before", "One", "Yes", "No", "Not", "If", "As", "At", "In", "On", "Of", "To", "With", "Chapter", "You", "Your", "I", "We", "Our", "Hello", "Hi", "Thank", "Thanks", "Please", "Oh", "Maybe", "Every", "Each", "Some"]
)


# Lines that talk about the list instead of being a choice ("Here's a numbered list of 3 ...").
_PREAMBLE = re.compile(
    r"^(?:here(?:'s| is| are)|sure|certainly|okay|ok|of course|as an ai|i (?:can|will|would|think)|let me|let's see|"
    r"below|these are|the following|great|absolutely)\b"
    r"|\b(?:numbered list|a list of|list of \d|following (?:actions|options|choices)|short actions|"
    r"(?:could|might|can) (?:take|do|happen) next|different actions|possible actions)\b",
    re.IGNORECASE,
)
# A choice is something to do: it may not start like a description or a pronoun's sentence.
_NOT_A_VERB = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "it", "there", "here", "i", "we", "my", "our", "his", "her", "their", "its", "what", "which", "who", "when", "if", "because", "so", "and", "but", "or", "then", "also"]
)
_DANGLING = frozenset(["and", "or", "but", "to", "the", "a", "an", "of", "with", "for", "at", "in", "on", "from", "by", "as", "that", "which", "who", "into", "onto", "his", "her", "their"])
_DECIDES = re.compile(
    r"^(?:(?:decides?|decided|chooses?|chose|wants?|wanted|plans?|planned|tries|tried|is going|goes on) to\s+)+",
    re.IGNORECASE,
)
_ENDS = ".!?…"


def ends_a_sentence(text: str) -> bool:
    """True when `text` ends with sentence punctuation (a closing quote or bracket may follow)."""
    stripped = text.rstrip().rstrip("\"'”’)*_")
    return bool(stripped) and stripped[-1] in _ENDS


def as_action(choice: str) -> str:
    """A choice as a verb phrase to follow "decided to": lower first letter, no "decides to", no end stop."""
    action = _DECIDES.sub("", choice.strip()).rstrip(_ENDS + " ")
    return action[:1].lower() + action[1:] if action else action


def _normalise(text: str) -> str:
    text = _SPECIAL_TOKEN.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", text)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _paragraphs(lines: Sequence[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
                current = []
        else:
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _rebalance(paragraphs: list[str], per_paragraph: int = 3) -> list[str]:
    """Split a wall of text into paragraphs of a few sentences."""
    out: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if len(sentences) <= per_paragraph + 1:
            out.append(paragraph)
            continue
        for start in range(0, len(sentences), per_paragraph):
            out.append(" ".join(sentences[start : start + per_paragraph]))
    return out


def _close_clause(text: str) -> str:
    """End a cut-off clause with a full stop, dropping dangling little words ("and the")."""
    words = text.rstrip(" ,;:-–—").split()
    while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–—") + "."


def _cut_unfinished(text: str) -> str:
    """End at a sentence boundary: drop a trailing half sentence (the token budget ran out), or,
    when that would drop most of the text, close it at its last clause instead."""
    stripped = text.rstrip()
    if not stripped or ends_a_sentence(stripped):
        return stripped
    last = max(stripped.rfind(mark) for mark in (".", "!", "?", "…"))
    if last >= len(stripped) * 0.3:
        end = last + 1
        while end < len(stripped) and stripped[end] in "\"'”’)":
            end += 1
        return stripped[:end]
    comma = max(stripped.rfind(mark) for mark in (",", ";", ":"))
    if comma >= len(stripped) * 0.5:
        return _close_clause(stripped[:comma])
    return _close_clause(stripped)


def clean_chapter(raw: str, *, final: bool = True, echoes: Iterable[str] = ()) -> str:
    """Clean prose: no special tokens, role markers, prompt echoes, headings or lists.

    `echoes` are prompt lines the model may repeat verbatim; they are removed too.
    With `final`, a trailing half sentence is cut and long paragraphs are split.
    """
    echo_set = {e.strip().lower() for e in echoes if len(e.strip()) > 12}
    kept: list[str] = []
    for line in _normalise(raw).split("\n"):
        if _BARE_ROLE.match(line):
            continue
        line = _ROLE_MARKER.sub("", line)
        if _ECHO_LINE.match(line) or _HEADING.match(line) or _LIST_ITEM.match(line):
            continue
        if line.strip().lower() in echo_set or any(e in line.lower() for e in echo_set if len(e) > 40):
            continue
        kept.append(_INLINE_ROLE.sub("", line).replace("**", ""))
    paragraphs = _paragraphs(kept)
    if not final:
        return "\n\n".join(paragraphs)
    text = "\n\n".join(_rebalance(paragraphs))
    return _cut_unfinished(text)


def _clean_choice(line: str, hero: str) -> str:
    line = _ROLE_MARKER.sub("", _SPECIAL_TOKEN.sub("", line)).strip()
    while _LIST_ITEM.match(line):
        line = _LIST_ITEM.sub("", line, count=1).strip()
    line = re.sub(r"^(?:choice|option)\s*\d*\s*[:.)-]\s*", "", line, flags=re.IGNORECASE)
    subject = rf"(?:{re.escape(hero)}|she|he|they|you)" if hero else r"(?:she|he|they|you)"
    line = re.sub(rf"^{subject}(?:'s)?\s+(?:(?:first|second|third|next)\s+action\s+(?:would|could|is)\s+(?:be\s+)?to\s+)?"
                  r"(?:(?:would|could|can|should|will|might|may|must)\s+)?(?:also\s+)?(?:need\s+to\s+|be\s+able\s+to\s+)?",
                  "", line, flags=re.IGNORECASE)
    if line and line[-1] not in ".!?\"'" and "," in line:  # cut mid-clause by the token budget
        line = line[: line.rfind(",")]
    line = re.sub(r",?\s+which\s+would\b.*$", "", line)
    line = line.strip(" *_\"'`").rstrip(".;,:!").strip()
    line = _DECIDES.sub("", line).strip()
    if line:
        line = line[0].upper() + line[1:] + "."
    return line


def _usable(choice: str) -> bool:
    """A complete instruction: a handful of words, starting like a verb, not talk about the list."""
    words = _WORD.findall(choice)
    if not 2 <= len(words) <= 16 or len(choice) > 110 or _ECHO_LINE.match(choice) or "?" in choice[:-1]:
        return False
    if _PREAMBLE.search(choice) or words[0].lower() in _NOT_A_VERB or words[-1].lower() in _DANGLING:
        return False
    return not re.search(r"\b(\w+) \1\b", choice, re.IGNORECASE)  # "decides to decides to"


def _distinct(choices: Iterable[str]) -> list[str]:
    out: list[str] = []
    for choice in choices:
        words = {w.lower() for w in _WORD.findall(choice)}
        others = [{w.lower() for w in _WORD.findall(o)} for o in out]
        if any(len(words & other) / max(1, min(len(words), len(other))) > 0.8 for other in others):
            continue
        out.append(choice)
    return out


def extract_choices(raw: str, hero: str = "", limit: int = 3) -> list[str]:
    """Up to `limit` short, distinct action lines from a model's answer (numbered or not)."""
    lines = [line for line in _normalise(raw).split("\n") if line.strip()]
    listed = [line for line in lines if _LIST_ITEM.match(line)]
    candidates = listed if len(listed) >= limit else lines
    cleaned = [_clean_choice(line, hero) for line in candidates]
    return _distinct(c for c in cleaned if _usable(c))[:limit]


def first_sentences(text: str, count: int = 1, max_chars: int = 240) -> str:
    sentences = split_sentences(text.replace("\n", " "))
    out = " ".join(sentences[:count]) if sentences else text.strip()
    return out if len(out) <= max_chars else out[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def proper_names(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Capitalised words used as names (not at a sentence start unless repeated), most frequent first."""
    skip = set(_STOP_NAMES) | set(exclude)
    counts: dict[str, int] = {}
    for sentence in split_sentences(text.replace("\n", " ")):
        words = _WORD.findall(sentence)
        for position, word in enumerate(words):
            if word[0].isupper() and word not in skip and len(word) > 2 and not word.isupper() and "'" not in word:
                counts[word] = counts.get(word, 0) + (1 if position else 0.5)  # type: ignore[assignment]
    return [name for name, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= 1]


def fallback_choices(chapter_text: str, hero: str, actions: Sequence[str], places: Sequence[str]) -> list[str]:
    """Three sensible choices built from the chapter (a named person, a place) and the topic's safe actions."""
    choices: list[str] = []
    names = proper_names(chapter_text, exclude=[hero])
    if names:
        choices.append(f"Ask {names[0]} what is really going on")
    mentioned = [place for place in places if place.lower().removeprefix("the ") in chapter_text.lower()]
    if mentioned:
        choices.append(f"Head to {mentioned[0]} to find out more")
    for action in actions:
        if len(choices) >= 3:
            break
        choices.append(action)
    for generic in ("Stop and think before acting", "Keep going and stay alert", "Ask a trusted friend for advice"):
        if len(choices) >= 3:
            break
        choices.append(generic)
    choices = [c.rstrip(_ENDS) + "." for c in choices]
    return _distinct(choices)[:3] if len(_distinct(choices)) >= 3 else choices[:3]
