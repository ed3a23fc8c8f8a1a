"""Who owns what: media claims, tombstones of deleted owners, and the removal of an owner's rows.

- `Tombstones`: owners deleted once are never written for again. The table keeps only the
  SHA-256 of an owner id (the id itself is gone with the person); an in-memory set makes the
  check cheap enough for every write.
- `OwnerRecords`: every row of an owner in every table, removed in one transaction; the media
  they alone owned; the media nobody owns (what a crash left behind).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from engine.errors import StorageError
from storage.database import Database
from storage.rollups import drop_rollups

__all__ = ["OwnerRecords", "Tombstones", "owner_hash"]


def owner_hash(owner_id: str) -> str:
    return hashlib.sha256(owner_id.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_CLAIM = "INSERT INTO media_owners (sha256, owner, created_at) VALUES (?, ?, ?)"


class Tombstones:
    """The deleted owners; `is_deleted` is checked before any file or row of a person is stored."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        rows = db.cursor().execute("SELECT owner_hash FROM deleted_owners").fetchall()
        self._hashes = {str(r[0]) for r in rows}

    def is_deleted(self, owner_id: str | None) -> bool:
        return owner_id is not None and owner_hash(owner_id) in self._hashes

    def bury(self, owner_id: str) -> None:
        digest = owner_hash(owner_id)
        with self._lock:
            self._hashes.add(digest)
        try:
            self._db.write(
                "INSERT INTO deleted_owners (owner_hash, deleted_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [digest, _now()],
            )
        except duckdb.Error as exc:
            raise StorageError(f"Could not record the deletion: {exc}") from exc

    def lift(self, owner_id: str) -> None:
        """An account (not a visitor key) may start again once its deletion is complete."""
        digest = owner_hash(owner_id)
        with self._lock:
            self._hashes.discard(digest)
        self._db.write("DELETE FROM deleted_owners WHERE owner_hash = ?", [digest])

    def hashes(self) -> set[str]:
        with self._lock:
            return set(self._hashes)


# Tables whose rows carry `owner`; story events and characters go with their adventure,
# queue jobs carry their owner in `user_id`.
_OWNED_TABLES = (
    "course_quiz_answers",
    "narration_cache",
    "narration_stats",
    "scenario_assets",
    "scenario_users",
    "intent_classifications",
    "intent_corrections",
    "intent_selections",
    "intent_references",
    "router_decisions",
    "text_samples",
    "feedback",
    "generations",
    "personas",
    "persona_transitions",
    "persona_images",
)

_PERSON_TABLES = (  # one person of an owner (the operator deleting one onboarded person)
    ("course_quiz_answers", "user_id"),
    ("narration_cache", "user_id"),
    ("narration_stats", "user_id"),
    ("scenario_assets", "user_id"),
    ("scenario_users", "id"),
)


class OwnerRecords:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim_many(self, claims: Sequence[tuple[str, str]], tx: duckdb.DuckDBPyConnection) -> None:
        """Record that each (sha256, owner) owner owns the media, inside `tx` (one transaction with
        the media rows, under the write lock): one look and one multi-row INSERT of the missing
        pairs, cheaper in DuckDB than a statement per pair or ON CONFLICT."""
        wanted = list(dict.fromkeys(claims))
        if not wanted:
            return
        marks = ", ".join("?" for _ in wanted)
        held = set(tx.execute(
            f"SELECT sha256, owner FROM media_owners WHERE sha256 IN ({marks})", [sha for sha, _ in wanted]
        ).fetchall())
        missing = [pair for pair in wanted if pair not in held]
        if missing:
            now = _now()
            tx.execute(_CLAIM + ", (?, ?, ?)" * (len(missing) - 1),
                       [value for sha, owner in missing for value in (sha, owner, now)])

    def media_of(self, owner_id: str, user_id: str | None = None) -> list[str]:
        """The media the owner claims (or, with `user_id`, that one person's rows name)."""
        if user_id is None:
            rows = self._db.cursor().execute("SELECT sha256 FROM media_owners WHERE owner = ?", [owner_id]).fetchall()
        else:
            rows = self._db.cursor().execute(
                "SELECT photo_media FROM scenario_users WHERE id = ? UNION SELECT voice_media FROM scenario_users"
                " WHERE id = ? UNION SELECT caricature_media FROM scenario_users WHERE id = ?"
                " UNION SELECT media FROM scenario_assets WHERE user_id = ?"
                " UNION SELECT media FROM narration_cache WHERE user_id = ?",
                [user_id] * 5,
            ).fetchall()
        return [str(r[0]) for r in rows if r[0]]

    def adventures(self, owner_id: str) -> list[str]:
        rows = self._db.cursor().execute("SELECT id FROM stories WHERE owner = ?", [owner_id]).fetchall()
        return [str(r[0]) for r in rows]

    def delete_owner(self, owner_id: str) -> tuple[dict[str, int], list[str]]:
        """Every row of the owner in one transaction: (rows deleted per table, media they claimed)."""
        return self._delete(owner_id, None)

    def delete_person(self, owner_id: str, user_id: str) -> tuple[dict[str, int], list[str]]:
        """One onboarded person of an owner (scenario rows, their jobs, their model calls, their media)."""
        return self._delete(owner_id, user_id)

    def _delete(self, owner_id: str, user_id: str | None) -> tuple[dict[str, int], list[str]]:
        counts: dict[str, int] = {}
        try:
            with self._db.transaction() as tx:
                if user_id is None:
                    media = [str(r[0]) for r in tx.execute(
                        "DELETE FROM media_owners WHERE owner = ? RETURNING sha256", [owner_id]).fetchall()]  # fmt: skip
                    adventures = [str(r[0]) for r in tx.execute(
                        "SELECT id FROM stories WHERE owner = ?", [owner_id]).fetchall()]  # fmt: skip
                    for table in ("story_events", "story_characters"):
                        counts[table] = len(tx.execute(
                            f"DELETE FROM {table} WHERE list_contains(?, adventure_id) RETURNING 1",
                            [adventures]).fetchall())  # fmt: skip
                    counts["stories"] = len(tx.execute(
                        "DELETE FROM stories WHERE owner = ? RETURNING 1", [owner_id]).fetchall())  # fmt: skip
                    counts["feedback"] = len(tx.execute(  # others' ratings of this owner's outputs go too
                        "DELETE FROM feedback WHERE generation_id IN (SELECT id FROM generations WHERE owner = ?)"
                        " RETURNING 1", [owner_id]).fetchall())  # fmt: skip
                    for table in _OWNED_TABLES:
                        counts[table] = counts.get(table, 0) + len(tx.execute(
                            f"DELETE FROM {table} WHERE owner = ? RETURNING 1", [owner_id]).fetchall())  # fmt: skip
                    counts["jobs"] = len(tx.execute(
                        "DELETE FROM jobs WHERE user_id = ? RETURNING 1", [owner_id]).fetchall())  # fmt: skip
                    counts["media_owners"] = len(media)
                else:
                    media = [str(r[0]) for r in tx.execute(
                        "SELECT photo_media FROM scenario_users WHERE id = ? UNION SELECT voice_media FROM scenario_users"
                        " WHERE id = ? UNION SELECT caricature_media FROM scenario_users WHERE id = ?"
                        " UNION SELECT media FROM scenario_assets WHERE user_id = ?"
                        " UNION SELECT media FROM narration_cache WHERE user_id = ?", [user_id] * 5).fetchall() if r[0]]  # fmt: skip
                    for table, column in _PERSON_TABLES:
                        counts[table] = len(tx.execute(
                            f"DELETE FROM {table} WHERE {column} = ? RETURNING 1", [user_id]).fetchall())  # fmt: skip
                    counts["generations"] = len(tx.execute(
                        "DELETE FROM generations WHERE user_id = ? RETURNING 1", [user_id]).fetchall())  # fmt: skip
                    counts["jobs"] = len(tx.execute(
                        "DELETE FROM jobs WHERE json_extract_string(payload, '$.user_id') = ? RETURNING 1",
                        [user_id]).fetchall())  # fmt: skip
                    counts["media_owners"] = len(tx.execute(
                        "DELETE FROM media_owners WHERE owner = ? AND list_contains(?, sha256) RETURNING 1",
                        [owner_id, media]).fetchall())  # fmt: skip
                drop_rollups(tx)  # their sums counted this owner's rows; rebuilt from what is left
        except duckdb.Error as exc:
            raise StorageError(f"Could not delete the records: {exc}") from exc
        return {table: n for table, n in counts.items() if n}, media

    def unclaimed(self, media: Sequence[str] | None = None) -> list[str]:
        """Media nobody owns (of `media`, or all): safe to remove."""
        rows = self._db.cursor().execute(
            "SELECT m.sha256 FROM media m WHERE (? IS NULL OR list_contains(?, m.sha256))"
            " AND NOT EXISTS (SELECT 1 FROM media_owners o WHERE o.sha256 = m.sha256)",
            [None if media is None else list(media), None if media is None else list(media)],
        ).fetchall()
        return [str(r[0]) for r in rows]

    def owners_of_media(self) -> list[tuple[str, str]]:
        rows = self._db.cursor().execute("SELECT sha256, owner FROM media_owners").fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def release(self, sha256: str, owner_id: str) -> None:
        self._db.write("DELETE FROM media_owners WHERE sha256 = ? AND owner = ?", [sha256, owner_id])

    def checkpoint(self) -> None:
        """Write deletions into the database file now (not only the write-ahead log)."""
        try:
            self._db.write("CHECKPOINT")
        except duckdb.Error:
            pass
