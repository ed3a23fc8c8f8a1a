"""The `feedback` table: a rating (1-5) and an optional comment on one generation, with its owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from storage.database import Database
from storage.rollups import fold_rating

__all__ = ["FeedbackRepository", "FeedbackRow"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class FeedbackRow(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = Field(default_factory=_now)
    owner: str
    generation_id: str
    rating: int
    comment: str | None = None


_COLUMNS = tuple(FeedbackRow.model_fields)


class FeedbackRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def generation_owner(self, generation_id: str) -> tuple[bool, str | None]:
        """(exists, owner id) of a generations row."""
        row = self._db.cursor().execute("SELECT owner FROM generations WHERE id = ?", [generation_id]).fetchone()
        return (row is not None, row[0] if row else None)

    def add(self, row: FeedbackRow) -> FeedbackRow:
        """Store the rating; a rating of an output from a closed day also updates the rollups."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO feedback (id, created_at, owner, generation_id, rating, comment) VALUES (?, ?, ?, ?, ?, ?)",
                [row.id, row.created_at, row.owner, row.generation_id, row.rating, row.comment],
            )
            fold_rating(tx, row.generation_id, row.rating)
        return row

    def for_generation(self, generation_id: str) -> list[FeedbackRow]:
        rows = self._db.cursor().execute(
            "SELECT id, created_at, owner, generation_id, rating, comment FROM feedback"
            " WHERE generation_id = ? ORDER BY created_at",
            [generation_id],
        ).fetchall()
        return [FeedbackRow(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    def count(self) -> int:
        return int(self._db.cursor().execute("SELECT count(*) FROM feedback").fetchone()[0])  # type: ignore[index]

    def delete_owner(self, owner_id: str) -> int:
        """Remove a person's feedback, and every rating of their generations (for delete-my-data)."""
        with self._db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM feedback WHERE owner = ?"
                " OR generation_id IN (SELECT id FROM generations WHERE owner = ?)",
                [owner_id, owner_id],
            )
            deleted = cursor.fetchone()
        return int(deleted[0]) if deleted else 0
