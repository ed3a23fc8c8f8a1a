"""Prompts for chapters, choices and images: short and explicit, for small instruct models."""

from __future__ import annotations

from dataclasses import dataclass

from engine.story.cleaning import as_action
from engine.story.models import Adventure, ChapterType, Question, Topic, World

__all__ = [
    "CHOICES_SYSTEM",
    "SYSTEM",
    "ChapterPrompt",
    "adventure_label",
    "chapter_prompt",
    "choices_prompt",
    "image_prompt",
    "plan_chapters",
    "question_in_story",
    "scene_of",
]

SYSTEM = (
    "You are a storyteller for young learners. Write simple, vivid prose in the past tense. "
    "No titles, no lists, no notes."
)
CHOICES_SYSTEM = (
    "You suggest what a story's hero does next. Reply with exactly three numbered lines and nothing else. "
    "Each line is one short instruction that starts with a verb, like:\n"
    "1. Follow the cat into the alley.\n2. Ask the baker about the letter.\n3. Hide behind the fountain."
)


@dataclass(frozen=True)
class ChapterPrompt:
    """The user prompt and the lines the model is likely to echo back (removed when cleaning)."""

    prompt: str
    echoes: tuple[str, ...]


def plan_chapters(length: int) -> list[ChapterType]:
    """Story first, conclusion last; in between lessons, each followed by a reflection, then more story."""
    middle = [ChapterType.LESSON, ChapterType.REFLECTION, ChapterType.STORY]
    return [ChapterType.STORY] + [middle[i % 3] for i in range(length - 2)] + [ChapterType.CONCLUSION]


def _place(world: World, index: int) -> str:
    return world.places[index % len(world.places)] if world.places else world.name


def _hook(topic: Topic, index: int) -> str:
    return topic.hooks[index % len(topic.hooks)]


def _feedback_line(hero: str, correct: bool | None, question: Question | None) -> str:
    if correct is None or question is None:
        return ""
    if correct:
        return f"{hero} chose wisely: {question.answer.lower()}. Friends cheered."
    return f"{hero} got it wrong and learned that the right move was: {question.answer.lower()}."


def chapter_prompt(
    world: World,
    topic: Topic,
    kind: ChapterType,
    index: int,
    history: str,
    last_choice: str | None,
    question: Question | None,
    last_correct: bool | None = None,
    last_question: Question | None = None,
) -> ChapterPrompt:
    hero = world.protagonist.name
    setting = f"Setting: {world.setting} Tone: {world.tone}."
    hero_line = f"Hero: {hero}."
    lines = [setting, hero_line]
    if history:
        lines.append(f"Story so far: {history}")
    decided = f"{hero} decided to {as_action(last_choice)}." if last_choice else ""
    feedback = _feedback_line(hero, last_correct, last_question)
    if kind is ChapterType.STORY and index == 0:
        beat = f"Begin the story with {hero} at {_place(world, 0)}. Then {_hook(topic, 0)}."
    elif kind is ChapterType.STORY:
        beat = f"{decided} Then {_hook(topic, index)}."
    elif kind is ChapterType.LESSON:
        assert question is not None
        beat = f"{decided} Then {hero} faces a tricky moment: {question.question} Do not say the answer."
    elif kind is ChapterType.REFLECTION:
        beat = f"{feedback} {hero} thinks about what this means and talks with a friend at {_place(world, index)}."
    else:
        beat = f"{decided} {feedback} End the story happily: {hero} shares what was learned about {topic.name.lower()}."
    task = f"Write the next part of the story in two short paragraphs. {beat.strip()}"
    lines.append(task)
    return ChapterPrompt(prompt="\n".join(lines), echoes=(setting, hero_line, task, beat.strip()))


def choices_prompt(world: World, chapter_text: str, attempt: int) -> str:
    hero = world.protagonist.name
    tail = " ".join(chapter_text.split()[-60:])
    ask = (
        f"What could {hero} do next? Three different things, each a short instruction starting with a verb."
        if attempt == 0
        else f"Give {hero} three different next steps: three numbered instructions, each starting with a verb."
    )
    return f'Here is a story:\n"{tail}"\n\n{ask}'


def question_in_story(world: World, question: Question) -> str:
    """The lesson question, asked inside the story at the end of a lesson chapter."""
    return f"{world.protagonist.name} stopped to think. *{question.question}*"


def scene_of(world: World, index: int, last_choice: str | None) -> str:
    """A picture's caption: one complete sentence."""
    hero = world.protagonist.name
    if last_choice:
        return f"{hero} decided to {as_action(last_choice)} at {_place(world, index)}, {world.name}."
    return f"{hero} at {_place(world, index)}, {world.name}."


def image_prompt(scene: str, world: World, characters: dict[str, str]) -> str:
    """A scene description plus every tracked character's look, so pictures stay consistent."""
    looks = "; ".join(f"{name}: {look}" for name, look in list(characters.items())[:6])
    prompt = f"{scene}. Style: storybook illustration, {world.tone}."
    return f"{prompt} Characters — {looks}." if looks else prompt


def adventure_label(adventure: Adventure, world: World, topic: Topic) -> str:
    return f"{world.name} · {topic.name} · chapter {len(adventure.chapters)}/{len(adventure.plan)}"
