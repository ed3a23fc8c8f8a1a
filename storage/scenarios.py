"""Repositories of the scenarios flow: onboarded users, their synthetic assets, the narration cache."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from engine.errors import NotFound, StorageError
from storage.database import Database

__all__ = [
    "AssetRow",
    "CacheRow",
    "NarrationCacheRepository",
    "ScenarioAssetRepository",
    "ScenarioUserRepository",
    "UserRow",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class UserRow:
    id: str
    name: str
    age: int
    gender: str
    photo_media: str
    voice_media: str
    caricature_media: str | None
    landmarks: list[list[float]]
    voice_profile: dict[str, Any]
    consent_at: datetime
    created_at: datetime
    owner: str = "operator"
    job_key: str = ""


@dataclass(frozen=True)
class AssetRow:
    user_id: str
    name: str
    kind: str
    job_id: str | None
    media: str | None
    seconds: float | None
    realtime: bool
    extra: dict[str, Any] | None
    provenance: dict[str, Any] | None
    created_at: datetime
    owner: str = "operator"
    generation_id: str | None = None  # the output's generations row, what feedback rates (migration 020)


@dataclass(frozen=True)
class CacheRow:
    cache_key: str
    user_id: str
    step_id: str
    script_hash: str
    voice_hash: str
    engine: str
    media: str
    duration_s: float
    generation_ms: float
    preloaded: bool
    access_count: int
    created_at: datetime
    expires_at: datetime
    last_access: datetime | None
    owner: str = "operator"
    generation_id: str | None = None  # the narration's generations row (migration 020)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class _Repository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _read(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        try:
            return self._db.cursor().execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise StorageError(f"Could not read the scenarios tables: {exc}") from exc

    def _write(self, sql: str, params: Sequence[object]) -> None:
        try:
            self._db.write(sql, params)
        except duckdb.Error as exc:
            raise StorageError(f"Could not write the scenarios tables: {exc}") from exc


_USER_COLUMNS = (
    "id, name, age, gender, photo_media, voice_media, caricature_media, landmarks, voice_profile,"
    " consent_at, created_at, owner, job_key"
)


class ScenarioUserRepository(_Repository):
    def add(self, row: UserRow) -> None:
        self._write(
            f"INSERT INTO scenario_users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row.id, row.name, row.age, row.gender, row.photo_media, row.voice_media, row.caricature_media,
             json.dumps(row.landmarks), json.dumps(row.voice_profile), row.consent_at, row.created_at, row.owner,
             row.job_key],
        )  # fmt: skip

    def get(self, user_id: str) -> UserRow:
        rows = self._read(f"SELECT {_USER_COLUMNS} FROM scenario_users WHERE id = ?", [user_id])
        if not rows:
            raise NotFound(f"No onboarded person with id {user_id}; onboard first.")
        r = rows[0]
        return UserRow(r[0], r[1], int(r[2]), r[3], r[4], r[5], r[6], _loads(r[7]), _loads(r[8]), r[9], r[10], r[11],
                       r[12] or r[0])  # fmt: skip

    def owner_of(self, user_id: str) -> str | None:
        """The owner id of an onboarded person, None when there is no such person."""
        rows = self._read("SELECT owner FROM scenario_users WHERE id = ?", [user_id])
        return str(rows[0][0]) if rows else None

    def ids_of(self, owner: str) -> list[str]:
        """The onboarded people of an owner, newest first."""
        rows = self._read("SELECT id FROM scenario_users WHERE owner = ? ORDER BY created_at DESC", [owner])
        return [str(r[0]) for r in rows]

    def exists(self, user_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM scenario_users WHERE id = ?", [user_id]))

    def set_caricature(self, user_id: str, media: str) -> None:
        self._write("UPDATE scenario_users SET caricature_media = ? WHERE id = ?", [media, user_id])


_ASSET_COLUMNS = (
    "user_id, name, kind, job_id, media, seconds, realtime, extra, provenance, created_at, owner, generation_id"
)


class ScenarioAssetRepository(_Repository):
    def upsert(self, row: AssetRow) -> None:
        self._write(
            f"INSERT OR REPLACE INTO scenario_assets ({_ASSET_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row.user_id, row.name, row.kind, row.job_id, row.media, row.seconds, row.realtime,
             json.dumps(row.extra) if row.extra is not None else None,
             json.dumps(row.provenance) if row.provenance is not None else None, row.created_at, row.owner,
             row.generation_id],
        )  # fmt: skip

    def for_user(self, user_id: str) -> dict[str, AssetRow]:
        rows = self._read(f"SELECT {_ASSET_COLUMNS} FROM scenario_assets WHERE user_id = ?", [user_id])
        return {
            r[1]: AssetRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), _loads(r[7]), _loads(r[8]), r[9], r[10], r[11])
            for r in rows
        }

    def get(self, user_id: str, name: str) -> AssetRow | None:
        return self.for_user(user_id).get(name)


_CACHE_COLUMNS = (
    "cache_key, user_id, step_id, script_hash, voice_hash, engine, media, duration_s, generation_ms,"
    " preloaded, access_count, created_at, expires_at, last_access, owner, generation_id"
)


class NarrationCacheRepository(_Repository):
    def put(self, row: CacheRow) -> None:
        self._write(
            f"INSERT OR REPLACE INTO narration_cache ({_CACHE_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row.cache_key, row.user_id, row.step_id, row.script_hash, row.voice_hash, row.engine, row.media,
             row.duration_s, row.generation_ms, row.preloaded, row.access_count, row.created_at,
             row.expires_at, row.last_access, row.owner, row.generation_id],
        )  # fmt: skip

    def get(self, cache_key: str) -> CacheRow | None:
        rows = self._read(f"SELECT {_CACHE_COLUMNS} FROM narration_cache WHERE cache_key = ?", [cache_key])
        return CacheRow(*rows[0]) if rows else None

    def live(self, now: datetime) -> list[CacheRow]:
        rows = self._read(f"SELECT {_CACHE_COLUMNS} FROM narration_cache WHERE expires_at > ?", [now])
        return [CacheRow(*r) for r in rows]

    def record_accesses(self, accesses: Sequence[tuple[str, int, datetime]]) -> None:
        """Add (cache_key, count, last_access) in one transaction (write-behind from the hot path)."""
        try:
            self._db.write_many(
                "UPDATE narration_cache SET access_count = access_count + ?, last_access = greatest(coalesce(last_access, ?), ?)"
                " WHERE cache_key = ?",
                [(count, at, at, key) for key, count, at in accesses],
            )
        except duckdb.Error as exc:
            raise StorageError(f"Could not record narration cache accesses: {exc}") from exc

    def add_counts(self, counts: Sequence[tuple[str, int, int, int, str]]) -> None:
        """Add (user_id, hits, misses, preloads, owner) to the per-user counters."""
        try:
            self._db.write_many(
                "INSERT INTO narration_stats (user_id, hits, misses, preloads, owner) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET hits = hits + excluded.hits,"
                " misses = misses + excluded.misses, preloads = preloads + excluded.preloads",
                list(counts),
            )
        except duckdb.Error as exc:
            raise StorageError(f"Could not record narration cache counters: {exc}") from exc

    def stats(self, user_id: str, now: datetime) -> dict[str, Any]:
        entries = self._read(
            "SELECT count(*), count(*) FILTER (WHERE expires_at > ?), coalesce(sum(m.size_bytes), 0),"
            " coalesce(sum(access_count), 0), max(last_access)"
            " FROM narration_cache c LEFT JOIN media m ON m.sha256 = c.media WHERE c.user_id = ?",
            [now, user_id],
        )[0]
        counters = self._read("SELECT hits, misses, preloads FROM narration_stats WHERE user_id = ?", [user_id])
        hits, misses, preloads = counters[0] if counters else (0, 0, 0)
        return {
            "entries": int(entries[0]), "live_entries": int(entries[1]), "bytes": int(entries[2]),
            "total_accesses": int(entries[3]), "last_access": entries[4],
            "hits": int(hits), "misses": int(misses), "preloads": int(preloads),
        }  # fmt: skip

    def take_expired(self, now: datetime) -> list[tuple[str, str]]:
        """Delete expired entries; their (cache_key, media) pairs."""
        try:
            with self._db.transaction() as cursor:
                return [
                    (r[0], r[1])
                    for r in cursor.execute(
                        "DELETE FROM narration_cache WHERE expires_at <= ? RETURNING cache_key, media", [now]
                    ).fetchall()
                ]
        except duckdb.Error as exc:
            raise StorageError(f"Could not clean up the narration cache: {exc}") from exc

    def media_referenced(self, media: Sequence[str]) -> set[str]:
        """Which of `media` any scenario row still references."""
        if not media:
            return set()
        rows = self._read(
            "SELECT m FROM (SELECT media AS m FROM narration_cache UNION ALL SELECT media FROM scenario_assets"
            " UNION ALL SELECT photo_media FROM scenario_users UNION ALL SELECT voice_media FROM scenario_users"
            " UNION ALL SELECT caricature_media FROM scenario_users) WHERE list_contains(?, m)",
            [list(media)],
        )
        return {r[0] for r in rows}
