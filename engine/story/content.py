"""The bundled story worlds and lesson topics (assets/story/*.yaml), validated on load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from engine.errors import ConfigError, InvalidRequest
from engine.story.models import Topic, World

__all__ = ["ASSETS_DIR", "StoryContent", "load_content"]

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets" / "story"


class StoryContent:
    """Worlds and topics by id."""

    def __init__(self, worlds: list[World], topics: list[Topic]) -> None:
        self.worlds = {world.id: world for world in worlds}
        self.topics = {topic.id: topic for topic in topics}

    def world(self, world_id: str) -> World:
        try:
            return self.worlds[world_id]
        except KeyError:
            raise InvalidRequest("world", f"unknown world {world_id!r}; pick one of {', '.join(self.worlds)}") from None

    def topic(self, topic_id: str) -> Topic:
        try:
            return self.topics[topic_id]
        except KeyError:
            raise InvalidRequest("topic", f"unknown topic {topic_id!r}; pick one of {', '.join(self.topics)}") from None


def _read(path: Path, key: str) -> list[dict[str, object]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), f"cannot read story content: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ConfigError(str(path), f"must hold a list under {key!r}")
    return data[key]


@lru_cache(maxsize=4)
def load_content(directory: Path = ASSETS_DIR) -> StoryContent:
    """Parse and validate worlds.yaml and topics.yaml; a broken file raises `ConfigError` naming it."""
    try:
        worlds = [World.model_validate(item) for item in _read(directory / "worlds.yaml", "worlds")]
    except ValidationError as exc:
        raise ConfigError(str(directory / "worlds.yaml"), str(exc.errors()[0]["msg"])) from exc
    try:
        topics = [Topic.model_validate(item) for item in _read(directory / "topics.yaml", "topics")]
    except ValidationError as exc:
        raise ConfigError(str(directory / "topics.yaml"), str(exc.errors()[0]["msg"])) from exc
    return StoryContent(worlds, topics)
