"""`StoryService`: start an adventure, stream its chapters, take choices, resume, summarise.

```python
story = StoryService(db=db, models=gateway, queue=queue, media=media, limits=limits,
                     routed_text=routed_text)   # before queue.start()
faster = story.with_config(StoryConfig(chapter_tokens=64))  # the same service (and job), other settings
adventure = story.start("harbor-town", "phishing-emails", chapters=8, owner=OPERATOR)
for event in story.stream_chapter(adventure.id):
    ...                                  # event.text grows; the last event holds the chapter
story.choose(adventure.id, chapter_index=0, choice_index=1)
```

Concurrency: one writer per adventure at a time. Choices are serialised and checked
against the stored version (a duplicate choice returns the adventure unchanged); a
second caller of `stream_chapter` while a chapter is being written waits for it and
gets that chapter replayed, so two tabs never make two chapters.

Chapter text goes through the hybrid router (kind `story_chapter`, engine/routing): it picks the
local or the strong model and logs why; the chapter keeps the generation id (to rate it) and the
model chosen. Choices are short follow-up calls on the configured chain (kind `story_choices`).
"""

from __future__ import annotations

import copy
import random
import threading
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidRequest, JobTimeout, NotFound, ProviderError, StorageError
from engine.ownership import OPERATOR, Owner
from engine.providers.base import TextRequest
from engine.providers.gateway import CallContext
from engine.queue import JobContext, JobSpec, Priority
from engine.story import prompts
from engine.story.characters import describe_characters, merge_characters
from engine.story.cleaning import as_action, clean_chapter, ends_a_sentence, extract_choices, fallback_choices
from engine.story.content import StoryContent, load_content
from engine.story.images import ChapterImages
from engine.story.models import (
    MAX_CHAPTERS,
    MIN_CHAPTERS,
    Adventure,
    Chapter,
    ChapterEvent,
    ChapterImage,
    ChapterType,
    LessonAnswer,
    Question,
    StoryConfig,
    StorySummary,
    Topic,
    World,
    utcnow,
)
from engine.story.summary import build_summary, history_for_prompt
from storage.stories import NOT_FOUND, StoryEvent, StoryRepository, VersionConflict

if TYPE_CHECKING:
    from engine.limits import OwnerLimits
    from engine.providers.gateway import ModelGateway
    from engine.queue import GenerationQueue
    from engine.routing import RoutedText
    from storage.database import Database
    from storage.media import MediaStore

__all__ = ["CHARACTERS_JOB", "StoryService", "auto_choice"]

CHARACTERS_JOB = "story.characters"
CHAPTER_KIND = "story_chapter"  # the router's and the generations record's kind of chapter text
CHOICES_KIND = "story_choices"


def auto_choice(chapter: Chapter) -> int:
    """The fixed rule of `--auto` play: always the first option (lesson answers included)."""
    return 0


class StoryService:
    def __init__(self, *, db: Database, models: ModelGateway, queue: GenerationQueue, media: MediaStore,
                 limits: OwnerLimits, routed_text: RoutedText, config: StoryConfig | None = None,
                 content: StoryContent | None = None) -> None:  # fmt: skip
        self._models = models
        self._routed_text = routed_text
        self._queue = queue
        self._media = media
        self._limits = limits
        self.config = config or StoryConfig()
        self.content = content or load_content()
        self._repo = StoryRepository(db)
        self._images = ChapterImages(queue=queue, media=media, repo=self._repo, config=self.config)
        self._guard = threading.Lock()
        self._choose_locks: dict[str, threading.Lock] = {}
        self._write_locks: dict[str, threading.Lock] = {}
        queue.register(CHARACTERS_JOB, self._characters_job)  # once per queue: build one StoryService

    def with_config(self, config: StoryConfig) -> StoryService:
        """This service with other settings (chapter length, pictures...): same adventures, same locks,
        same queue job (which the configuration does not change), no second registration."""
        twin = copy.copy(self)
        twin.config = config
        twin._images = ChapterImages(queue=self._queue, media=self._media, repo=self._repo, config=config)
        return twin

    # -- content -----------------------------------------------------------------------------

    def worlds(self) -> list[World]:
        return list(self.content.worlds.values())

    def topics(self) -> list[Topic]:
        return list(self.content.topics.values())

    # -- starting and resuming -----------------------------------------------------------------

    def start(self, world: str, topic: str, chapters: int = 8, user_id: str | None = None, *,
              owner: Owner) -> Adventure:  # fmt: skip
        """Create and save a new adventure for `owner`; its first chapter comes from `stream_chapter`."""
        self._limits.check(owner)
        self._refuse_deleted(owner.id)
        world_ = self.content.world(world)
        topic_ = self.content.topic(topic)
        if not MIN_CHAPTERS <= chapters <= MAX_CHAPTERS:
            raise InvalidRequest("chapters", f"choose between {MIN_CHAPTERS} and {MAX_CHAPTERS} chapters, got {chapters}")
        adventure_id = uuid.uuid4().hex
        plan = prompts.plan_chapters(chapters)
        lessons = plan.count(ChapterType.LESSON)
        bank = list(topic_.questions)
        random.Random(adventure_id).shuffle(bank)
        adventure = Adventure(
            id=adventure_id,
            user_id=user_id,
            owner=owner.id,
            world_id=world_.id,
            topic_id=topic_.id,
            plan=plan,
            characters={world_.protagonist.name: world_.protagonist.appearance},
            question_ids=[bank[i % len(bank)].id for i in range(lessons)],
            metadata={"config": self.config.model_dump(), "text_chain": self._models.text.chain()},
        )
        saved = self._repo.create(adventure)
        self._repo.record(saved.id, "started", None, None, f"{world_.id}/{topic_.id}/{chapters}")
        return saved

    def resume(self, adventure_id: str, *, owner: Owner) -> Adventure:
        """The saved adventure, as it was after its last chapter or choice; `NotFound` for an unknown id."""
        adventure = self._get(adventure_id, owner)
        self._repo.record(adventure.id, "resumed", len(adventure.chapters) - 1 if adventure.chapters else None)
        return adventure

    def get(self, adventure_id: str, *, owner: Owner) -> Adventure:
        return self._get(adventure_id, owner)

    def list_adventures(self, limit: int = 20, *, owner: Owner) -> list[tuple[str, str, str, str]]:
        """The owner's adventures (the operator's: everybody's), newest first."""
        return self._repo.list_ids(None if owner.operator else owner.id, limit)

    # -- chapters ------------------------------------------------------------------------------

    def stream_chapter(self, adventure_id: str, *, owner: Owner) -> Iterator[ChapterEvent]:
        """Write the next chapter, streaming its text; or replay the current one if it awaits a choice.

        Raises `NotFound` at once for an unknown id or another owner's (before iteration starts).
        """
        self._get(adventure_id, owner)
        self._limits.check(owner)
        return self._stream(adventure_id, owner)

    def _stream(self, adventure_id: str, owner: Owner) -> Iterator[ChapterEvent]:
        lock = self._lock(self._write_locks, adventure_id)
        if not lock.acquire(timeout=self.config.generation_wait_s):
            raise JobTimeout(f"Adventure {adventure_id} is still writing a chapter in another tab; try again shortly.")
        try:
            adventure = self._get(adventure_id, owner)
            current = adventure.current
            if current is not None and (adventure.finished or current.choice_made is None):
                self._repo.record(adventure.id, "chapter_viewed", current.index, None, "replay")
                yield ChapterEvent(
                    adventure_id=adventure.id, chapter_index=current.index, kind="done",
                    text=current.text, chapter=current, replayed=True,
                )
                return
            yield from self._write(adventure)
        finally:
            lock.release()

    def _write(self, adventure: Adventure) -> Iterator[ChapterEvent]:
        world, topic = self.content.world(adventure.world_id), self.content.topic(adventure.topic_id)
        index = len(adventure.chapters)
        kind = adventure.plan[index]
        previous = adventure.current
        last_choice = previous.choices[previous.choice_made] if previous and previous.choice_made is not None else None
        question = self._question(adventure, topic, index) if kind is ChapterType.LESSON else None
        last_answer = next((a for a in adventure.answers if previous and a.chapter_index == previous.index), None)
        last_question = previous.question if previous else None
        prompt = prompts.chapter_prompt(
            world, topic, kind, index, history_for_prompt(adventure, self.config.history_chars), last_choice,
            question, None if last_answer is None else last_answer.correct, last_question,
        )
        context = CallContext(user_id=adventure.user_id, session_id=adventure.id, owner=adventure.owner,
                              kind=CHOICES_KIND)
        started_at = utcnow()
        images: list[ChapterImage] = []
        if index > 0:  # the scene picture runs beside the text stream
            scene = prompts.scene_of(world, index, last_choice)
            images = self._images.submit(
                adventure.id, adventure.owner,
                [("scene", scene, prompts.image_prompt(scene, world, adventure.characters), None)],
            )
        request = TextRequest.from_prompt(
            prompt.prompt, system=prompts.SYSTEM, max_new_tokens=self.config.chapter_tokens,
            temperature=self.config.temperature,
        )
        started = time.perf_counter()
        ttft: float | None = None
        raw, pieces = "", 0
        writer = Owner(adventure.owner) if adventure.owner else OPERATOR  # the chapter's record is the adventure owner's
        stream = self._routed_text.stream(request, kind=CHAPTER_KIND, owner=writer, session_id=adventure.id)
        for piece in stream:
            if ttft is None:
                ttft = (time.perf_counter() - started) * 1000
            raw += piece
            pieces += 1
            yield ChapterEvent(
                adventure_id=adventure.id, chapter_index=index, kind="delta", delta=piece,
                text=clean_chapter(raw, final=False, echoes=prompt.echoes),
            )
        stream_ms = (time.perf_counter() - started) * 1000
        text = clean_chapter(raw, final=True, echoes=prompt.echoes)
        if len(text.split()) < 5:
            text = self._stand_in_text(world, topic, kind, last_choice)
            self._repo.record(adventure.id, "text_fallback", index, None, raw[:200])
        elif kind is ChapterType.CONCLUSION and not ends_a_sentence(clean_chapter(raw, final=False)):
            # The budget ran out mid-ending: the cut text ends at a sentence; close the story properly.
            text += f"\n\n{self._closing_line(world, topic)}"
        choices, source = self._choices_for(adventure, world, topic, kind, text, question, context)
        if question is not None:
            text = f"{text}\n\n{prompts.question_in_story(world, question)}"
        total_ms = (time.perf_counter() - started) * 1000
        if index == 0 and choices:  # the first chapter shows where each choice leads
            images += self._images.submit(
                adventure.id, adventure.owner,
                [
                    ("choice", choice, prompts.image_prompt(f"{world.protagonist.name}: {choice}", world,
                                                            adventure.characters), i)
                    for i, choice in enumerate(choices)
                ],
            )
        chapter = Chapter(
            index=index, type=kind, text=text, choices=choices, choices_source=source, question=question,
            feedback=self._feedback(last_answer), images=images, tokens=pieces, ttft_ms=ttft,
            total_ms=total_ms, started_at=started_at, finished_at=utcnow(), generation_id=stream.generation_id,
            routed_to=stream.decision.chosen,
        )
        adventure.chapters.append(chapter)
        self._refuse_deleted(adventure.owner)
        saved = self._repo.save(adventure)
        self._record_chapter(saved.id, chapter, stream_ms)
        self._images.watch(saved.id, index, images)
        self._queue.submit(
            JobSpec(kind=CHARACTERS_JOB, payload={"adventure_id": saved.id, "chapter_index": index},
                    priority=Priority.BACKGROUND, user_id=saved.owner, max_retries=1, timeout_s=60)
        )
        yield ChapterEvent(adventure_id=saved.id, chapter_index=index, kind="done", text=text, chapter=chapter)

    def _choices_for(
        self, adventure: Adventure, world: World, topic: Topic, kind: ChapterType, text: str,
        question: Question | None, context: CallContext,
    ) -> tuple[list[str], Any]:
        if kind is ChapterType.CONCLUSION:
            return [], "none"
        if question is not None:
            return list(question.options), "options"
        found: list[str] = []
        for attempt in (0, 1):
            request = TextRequest.from_prompt(
                prompts.choices_prompt(world, text, attempt), system=prompts.CHOICES_SYSTEM,
                max_new_tokens=self.config.choice_tokens, temperature=0.4 + 0.3 * attempt, stop=("\n4",),
            )
            try:
                answer = self._models.text.generate([request], context)[0].text
            except ProviderError as exc:
                self._repo.record(adventure.id, "choices_error", len(adventure.chapters), None, exc.user_message[:200])
                break
            found = extract_choices(answer, world.protagonist.name)
            if len(found) == 3:
                return found, "model" if attempt == 0 else "regenerated"
        fill = fallback_choices(text, world.protagonist.name, topic.actions, world.places)
        merged = list(found)
        for choice in fill:
            if len(merged) < 3 and choice.lower() not in {m.lower() for m in merged}:
                merged.append(choice)
        return merged[:3], "fallback"

    @staticmethod
    def _stand_in_text(world: World, topic: Topic, kind: ChapterType, last_choice: str | None) -> str:
        hero = world.protagonist.name
        opening = f"{hero} decided to {as_action(last_choice)}." if last_choice else f"{hero} set out."
        if kind is ChapterType.CONCLUSION:
            return f"{opening} By the end of the day {hero} knew much more about {topic.name.lower()}, and felt ready."
        return f"{opening} Around {hero}, {world.setting[0].lower() + world.setting[1:]}"

    @staticmethod
    def _closing_line(world: World, topic: Topic) -> str:
        hero = world.protagonist.name
        return f"And so the adventure ended, with {hero} a little wiser about {topic.name.lower()} than before."

    @staticmethod
    def _feedback(answer: LessonAnswer | None) -> str | None:
        if answer is None:
            return None
        if answer.correct:
            return f"Right! {answer.explanation}"
        return f"Not quite — the safer answer was: {answer.correct_answer}. {answer.explanation}"

    def _question(self, adventure: Adventure, topic: Topic, index: int) -> Question:
        position = adventure.plan[:index].count(ChapterType.LESSON)
        wanted = adventure.question_ids[position % len(adventure.question_ids)]
        return next((q for q in topic.questions if q.id == wanted), topic.questions[0])

    def _record_chapter(self, adventure_id: str, chapter: Chapter, stream_ms: float) -> None:
        repo = self._repo
        repo.record(adventure_id, "chapter_viewed", chapter.index, None, "new")
        if chapter.ttft_ms is not None:
            repo.record(adventure_id, "llm_ttft", chapter.index, chapter.ttft_ms)
        repo.record(adventure_id, "llm_total", chapter.index, chapter.total_ms, f"stream {stream_ms:.0f} ms")
        if chapter.choices_source in ("regenerated", "fallback"):
            repo.record(adventure_id, f"choices_{chapter.choices_source}", chapter.index)

    # -- choices -------------------------------------------------------------------------------

    def choose(self, adventure_id: str, chapter_index: int, choice_index: int, *, owner: Owner) -> Adventure:
        """Record a choice (a lesson answer in a lesson chapter). Idempotent: the same choice again changes nothing."""
        with self._lock(self._choose_locks, adventure_id):
            for _ in range(3):
                adventure = self._get(adventure_id, owner)
                chapter = self._checked(adventure, chapter_index, choice_index)
                if chapter.choice_made is not None:
                    self._repo.record(adventure.id, "duplicate_choice", chapter_index)
                    return adventure
                now = utcnow()
                chapter.choice_made, chapter.chosen_at = choice_index, now
                if chapter.question is not None:
                    question = chapter.question
                    adventure.answers.append(
                        LessonAnswer(
                            chapter_index=chapter.index, question_id=question.id, question=question.question,
                            chosen=question.options[choice_index], correct_answer=question.answer,
                            correct=choice_index == question.answer_index, explanation=question.explanation,
                        )
                    )
                try:
                    self._refuse_deleted(adventure.owner)
                    saved = self._repo.save(adventure)
                except VersionConflict:
                    continue
                waited = (now - chapter.finished_at).total_seconds() * 1000
                self._repo.record(saved.id, "time_to_choose", chapter_index, waited, str(choice_index))
                return saved
        raise StorageError(f"Adventure {adventure_id} keeps changing in another tab; reload it and choose again.")

    @staticmethod
    def _checked(adventure: Adventure, chapter_index: int, choice_index: int) -> Chapter:
        count = len(adventure.chapters)
        if not 0 <= chapter_index < count:
            raise InvalidRequest(
                "chapter_index", f"chapter {chapter_index} does not exist; the adventure has {count} chapter(s) so far"
            )
        chapter = adventure.chapters[chapter_index]
        if chapter.is_last:
            raise InvalidRequest("choice_index", "the last chapter has no choices; ask for the summary")
        if not 0 <= choice_index < len(chapter.choices):
            raise InvalidRequest(
                "choice_index", f"pick a choice from 0 to {len(chapter.choices) - 1}, got {choice_index}"
            )
        if chapter.choice_made is not None and chapter.choice_made != choice_index:
            raise InvalidRequest(
                "choice_index",
                f"chapter {chapter_index} is already decided (choice {chapter.choice_made}); the story has moved on",
            )
        return chapter

    # -- images, summary, telemetry ---------------------------------------------------------------

    def image_status(self, adventure_id: str, chapter_index: int | None = None, *,
                     owner: Owner) -> list[ChapterImage]:  # fmt: skip
        """The chapter's pictures as they stand (the current chapter by default)."""
        adventure = self._get(adventure_id, owner)
        if not adventure.chapters:
            return []
        index = len(adventure.chapters) - 1 if chapter_index is None else chapter_index
        if not 0 <= index < len(adventure.chapters):
            raise InvalidRequest("chapter_index", f"chapter {index} does not exist")
        chapter = adventure.chapters[index]
        return self._images.status(chapter.images, chapter.finished_at)

    def wait_images(self, adventure_id: str, chapter_index: int | None = None, timeout: float = 5.0, *,
                    owner: Owner) -> list[ChapterImage]:  # fmt: skip
        """Poll `image_status` until no picture is pending or `timeout` passes (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while True:
            images = self.image_status(adventure_id, chapter_index, owner=owner)
            if all(image.status != "pending" for image in images) or time.monotonic() >= deadline:
                return images
            time.sleep(0.1)

    def summary(self, adventure_id: str, *, owner: Owner) -> StorySummary:
        adventure = self._get(adventure_id, owner)
        summary = build_summary(
            adventure, self.content.world(adventure.world_id), self.content.topic(adventure.topic_id)
        )
        self._repo.record(adventure.id, "summary_viewed", None, None, "finished" if summary.finished else "partial")
        return summary

    def events(self, adventure_id: str, event: str | None = None, *, owner: Owner) -> list[StoryEvent]:
        """The adventure's telemetry, oldest first."""
        return self._repo.events(self._get(adventure_id, owner).id, event)

    # -- background character visuals ------------------------------------------------------------

    def _characters_job(self, context: JobContext) -> dict[str, Any]:
        adventure_id = str(context.job.payload["adventure_id"])
        index = int(context.job.payload["chapter_index"])
        if self._media.tombstones.is_deleted(context.job.user_id):
            return {"skipped": "the person was deleted"}
        adventure = self._get(adventure_id, OPERATOR)
        world = self.content.world(adventure.world_id)
        found = describe_characters(adventure.chapters[index].text, world, adventure.characters)
        merged = merge_characters(world, adventure.characters, found)
        changed = {name: look for name, look in merged.items() if adventure.characters.get(name) != look}
        self._repo.save_characters(adventure_id, index, changed)
        return {"characters": len(merged), "changed": sorted(changed)}

    # -- helpers --------------------------------------------------------------------------------

    def _get(self, adventure_id: str, owner: Owner) -> Adventure:
        """The adventure when `owner` may read it; `NotFound` alike for missing and not yours."""
        adventure_id = (adventure_id or "").strip()
        if not adventure_id:
            raise InvalidRequest("adventure_id", "give the id of an adventure (start one first)")
        adventure = self._repo.get(adventure_id)
        if not owner.may_read(adventure.owner):
            raise NotFound(NOT_FOUND)
        return adventure

    def _refuse_deleted(self, owner_id: str | None) -> None:
        if self._media.tombstones.is_deleted(owner_id):
            raise NotFound(NOT_FOUND)

    def _lock(self, table: dict[str, threading.Lock], adventure_id: str) -> threading.Lock:
        with self._guard:
            return table.setdefault(adventure_id, threading.Lock())
