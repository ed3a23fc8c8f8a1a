"""Short histories for prompts, and the end-of-adventure summary."""

from __future__ import annotations

from engine.story.cleaning import first_sentences
from engine.story.models import Adventure, ChapterRecap, LessonResult, StorySummary, Topic, World

__all__ = ["build_summary", "history_for_prompt"]


def _choice_text(adventure: Adventure, index: int) -> str | None:
    chapter = adventure.chapters[index]
    if chapter.choice_made is None or not chapter.choices:
        return None
    return chapter.choices[chapter.choice_made]


def history_for_prompt(adventure: Adventure, limit_chars: int) -> str:
    """The story so far: the last chapter's close in full, earlier ones summarised to a sentence each.

    When even that is longer than `limit_chars`, the oldest recaps are dropped first.
    """
    if not adventure.chapters:
        return ""
    parts = [first_sentences(chapter.text, 1, 160) for chapter in adventure.chapters[:-1]]
    last = adventure.chapters[-1].text.replace("\n", " ")
    tail = " ".join(last.split()[-60:])
    parts.append(tail)
    while len(" ".join(parts)) > limit_chars and len(parts) > 1:
        parts.pop(0)
    text = " ".join(parts)
    return text if len(text) <= limit_chars else "…" + text[-limit_chars:]


def build_summary(adventure: Adventure, world: World, topic: Topic) -> StorySummary:
    recaps = [
        ChapterRecap(
            index=chapter.index,
            type=chapter.type,
            recap=first_sentences(chapter.text, 2, 280),
            choice=_choice_text(adventure, chapter.index),
        )
        for chapter in adventure.chapters
    ]
    answers = list(adventure.answers)
    return StorySummary(
        adventure_id=adventure.id,
        world=world.name,
        topic=topic.name,
        finished=adventure.finished,
        recaps=recaps,
        lessons=LessonResult(answers=answers, correct=sum(a.correct for a in answers), total=len(answers)),
        choices=[c for c in (_choice_text(adventure, i) for i in range(len(adventure.chapters))) if c],
        fallbacks=sum(chapter.choices_source == "fallback" for chapter in adventure.chapters),
    )
