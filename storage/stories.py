"""Story adventures, their character visuals and their telemetry, in DuckDB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import duckdb
from pydantic import BaseModel, ValidationError

from engine.errors import NotFound, StorageError
from engine.story.models import Adventure
from storage.database import Database

__all__ = ["NOT_FOUND", "StoryEvent", "StoryRepository", "VersionConflict"]

NOT_FOUND = "No adventure with this id here; start a new one or paste the id you were given."


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class VersionConflict(StorageError):
    """Someone saved the adventure since it was read; read it again and redo the change."""


class StoryEvent(BaseModel):
    adventure_id: str
    chapter_index: int | None
    event: str
    value_ms: float | None
    detail: str | None
    created_at: datetime


_STATE_EXCLUDE = {"characters", "version"}


class StoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- adventures ----------------------------------------------------------------------------

    def create(self, adventure: Adventure) -> Adventure:
        now = _now()
        try:
            with self._db.transaction() as tx:
                tx.execute(
                    "INSERT INTO stories (id, user_id, world_id, topic_id, status, version, state, created_at,"
                    " updated_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [adventure.id, adventure.user_id, adventure.world_id, adventure.topic_id, "active", 1,
                     adventure.model_dump_json(exclude=_STATE_EXCLUDE), now, now, adventure.owner],
                )
                self._write_characters(tx, adventure.id, 0, adventure.characters)
        except duckdb.Error as exc:
            raise StorageError(f"Could not save the new adventure: {exc}") from exc
        return adventure.model_copy(update={"version": 1})

    def get(self, adventure_id: str) -> Adventure:
        row = self._db.cursor().execute(
            "SELECT state, version, owner FROM stories WHERE id = ?", [adventure_id]
        ).fetchone()
        if row is None:
            raise NotFound(NOT_FOUND)
        try:
            adventure = Adventure.model_validate_json(row[0])
        except ValidationError as exc:
            raise StorageError(f"The saved adventure {adventure_id} cannot be read: {exc.errors()[0]['msg']}") from exc
        return adventure.model_copy(
            update={"version": int(row[1]), "owner": row[2], "characters": self.characters(adventure_id)}
        )

    def save(self, adventure: Adventure) -> Adventure:
        """Write the state if nobody saved since `adventure.version` was read; returns it with the new version."""
        now = _now()
        updated = adventure.model_copy(update={"updated_at": now})
        status = "finished" if adventure.finished else "active"
        with self._db.transaction() as tx:
            row = tx.execute("SELECT version FROM stories WHERE id = ?", [adventure.id]).fetchone()
            if row is None:
                raise NotFound(NOT_FOUND)
            if int(row[0]) != adventure.version:
                raise VersionConflict(
                    f"Adventure {adventure.id} changed in another tab (version {row[0]}, not {adventure.version})."
                )
            tx.execute(
                "UPDATE stories SET state = ?, status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                [updated.model_dump_json(exclude=_STATE_EXCLUDE), status, adventure.version + 1, now,
                 adventure.id, adventure.version],
            )
        return updated.model_copy(update={"version": adventure.version + 1})

    def list_ids(self, owner: str | None = None, limit: int = 20) -> list[tuple[str, str, str, str]]:
        """(id, world_id, topic_id, status) of recent adventures of `owner` (None: everybody's), newest first."""
        rows = self._db.cursor().execute(
            "SELECT id, world_id, topic_id, status FROM stories WHERE (? IS NULL OR owner = ?)"
            " ORDER BY updated_at DESC LIMIT ?",
            [owner, owner, limit],
        ).fetchall()
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    # -- character visuals -----------------------------------------------------------------------

    def characters(self, adventure_id: str) -> dict[str, str]:
        rows = self._db.cursor().execute(
            "SELECT name, appearance FROM story_characters WHERE adventure_id = ? ORDER BY chapter_index, name",
            [adventure_id],
        ).fetchall()
        return {str(name): str(look) for name, look in rows}

    def save_characters(self, adventure_id: str, chapter_index: int, characters: dict[str, str]) -> None:
        with self._db.transaction() as tx:
            self._write_characters(tx, adventure_id, chapter_index, characters)

    @staticmethod
    def _write_characters(tx: duckdb.DuckDBPyConnection, adventure_id: str, chapter_index: int,
                          characters: dict[str, str]) -> None:
        now = _now()
        for name, look in characters.items():
            existing = tx.execute(
                "SELECT appearance FROM story_characters WHERE adventure_id = ? AND name = ?", [adventure_id, name]
            ).fetchone()
            if existing is None:
                tx.execute(
                    "INSERT INTO story_characters (adventure_id, name, appearance, chapter_index, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [adventure_id, name, look, chapter_index, now],
                )
            elif existing[0] != look:
                tx.execute(
                    "UPDATE story_characters SET appearance = ?, updated_at = ? WHERE adventure_id = ? AND name = ?",
                    [look, now, adventure_id, name],
                )

    # -- telemetry ---------------------------------------------------------------------------------

    def record(self, adventure_id: str, event: str, chapter_index: int | None = None,
               value_ms: float | None = None, detail: str | None = None) -> None:
        self._db.write(
            "INSERT INTO story_events (id, adventure_id, chapter_index, event, value_ms, detail, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, adventure_id, chapter_index, event, value_ms, detail, _now()],
        )

    def events(self, adventure_id: str, event: str | None = None) -> list[StoryEvent]:
        rows = self._db.cursor().execute(
            "SELECT adventure_id, chapter_index, event, value_ms, detail, created_at FROM story_events"
            " WHERE adventure_id = ? AND (? IS NULL OR event = ?) ORDER BY created_at",
            [adventure_id, event, event],
        ).fetchall()
        keys = ("adventure_id", "chapter_index", "event", "value_ms", "detail", "created_at")
        return [StoryEvent(**dict(zip(keys, row, strict=True))) for row in rows]
