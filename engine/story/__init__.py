"""Choose-your-own-adventure with lessons: plan, streamed chapters, choices, pictures, resume, summary.

`StoryService` is the public entry point (`engine.story`); it is built once per queue, before
the queue starts, because it registers the `story.characters` queue job (`with_config` gives
the same service with other settings).
"""

from engine.story.content import StoryContent, load_content
from engine.story.images import PICTURE_KIND, PLACEHOLDER_LABEL
from engine.story.models import (
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
)
from engine.story.service import CHAPTER_KIND, CHARACTERS_JOB, StoryService, auto_choice

__all__ = [
    "CHAPTER_KIND",
    "CHARACTERS_JOB",
    "PICTURE_KIND",
    "PLACEHOLDER_LABEL",
    "Adventure",
    "Chapter",
    "ChapterEvent",
    "ChapterImage",
    "ChapterType",
    "LessonAnswer",
    "Question",
    "StoryConfig",
    "StoryContent",
    "StoryService",
    "StorySummary",
    "Topic",
    "World",
    "auto_choice",
    "load_content",
]
