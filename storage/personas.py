"""Personas, their base-image transitions and their batch images, in DuckDB.

Rows are this module's own dataclasses (the engine turns them into its models); every row
carries its `owner`. Times are stored as naive UTC and read back as aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from engine.errors import StorageError
from storage.database import Database

__all__ = ["PersonaImageRow", "PersonaRepository", "PersonaRow", "TransitionRow"]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class PersonaRow:
    id: str
    owner: str
    name: str
    profile_json: str
    base_image_status: str
    base_image_media: str | None
    appearance_locked: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TransitionRow:
    persona_id: str
    owner: str
    seq: int
    from_status: str | None
    to_status: str
    reason: str
    media: str | None
    created_at: datetime


@dataclass(frozen=True)
class PersonaImageRow:
    batch_id: str
    idx: int
    persona_id: str
    owner: str
    prompt: str
    job_id: str | None
    device: str | None
    status: str
    provider: str | None
    media: str | None
    is_placeholder: bool
    note: str
    face_distance: float | None
    flagged: bool
    comparison: str
    created_at: datetime
    generation_id: str | None = None  # the generations record of the image (migration 023)


_SELECT_PERSONA = (
    "SELECT id, owner, name, profile, base_image_status, base_image_media, appearance_locked, created_at, updated_at"
    " FROM personas"
)
_INSERT_PERSONA = (
    "INSERT INTO personas (id, owner, name, profile, base_image_status, base_image_media, appearance_locked,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_IMAGE = (
    "SELECT batch_id, idx, persona_id, owner, prompt, job_id, device, status, provider, media, is_placeholder,"
    " note, face_distance, flagged, comparison, created_at, generation_id FROM persona_images"
)
_INSERT_IMAGE = (
    "INSERT INTO persona_images (batch_id, idx, persona_id, owner, prompt, job_id, device, status, provider, media,"
    " is_placeholder, note, face_distance, flagged, comparison, created_at, generation_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _persona(row: tuple[Any, ...]) -> PersonaRow:
    return PersonaRow(
        id=row[0], owner=row[1], name=row[2], profile_json=row[3], base_image_status=row[4],
        base_image_media=row[5], appearance_locked=bool(row[6]), created_at=_aware(row[7]), updated_at=_aware(row[8]),
    )


def _image(r: tuple[Any, ...]) -> PersonaImageRow:
    return PersonaImageRow(
        batch_id=r[0], idx=int(r[1]), persona_id=r[2], owner=r[3], prompt=r[4], job_id=r[5], device=r[6],
        status=r[7], provider=r[8], media=r[9], is_placeholder=bool(r[10]), note=r[11],
        face_distance=r[12], flagged=bool(r[13]), comparison=r[14], created_at=_aware(r[15]), generation_id=r[16],
    )


class PersonaRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- personas ----------------------------------------------------------------------------------

    def insert(self, row: PersonaRow, first: TransitionRow) -> None:
        """A new persona and its first transition (creation, to pending_upload), in one transaction."""
        try:
            with self._db.transaction() as tx:
                tx.execute(
                    _INSERT_PERSONA,
                    [row.id, row.owner, row.name, row.profile_json, row.base_image_status, row.base_image_media,
                     row.appearance_locked, _naive(row.created_at), _naive(row.updated_at)],
                )
                self._insert_transition(tx, first)
        except duckdb.Error as exc:
            raise StorageError(f"Could not save the persona: {exc}") from exc

    def get(self, persona_id: str) -> PersonaRow | None:
        found = self._db.cursor().execute(
            _SELECT_PERSONA + " WHERE id = ?", [persona_id]
        ).fetchone()
        return None if found is None else _persona(found)

    def list_for(self, owner: str | None, limit: int = 200) -> list[PersonaRow]:
        """Newest first; `owner=None` lists everyone's (admin)."""
        rows = self._db.cursor().execute(
            _SELECT_PERSONA + " WHERE (? IS NULL OR owner = ?)"
            " ORDER BY updated_at DESC, id LIMIT ?",
            [owner, owner, limit],
        ).fetchall()
        return [_persona(r) for r in rows]

    def update_profile(self, persona_id: str, name: str, profile_json: str, updated_at: datetime) -> None:
        try:
            self._db.write(
                "UPDATE personas SET name = ?, profile = ?, updated_at = ? WHERE id = ?",
                [name, profile_json, _naive(updated_at), persona_id],
            )
        except duckdb.Error as exc:
            raise StorageError(f"Could not save the persona: {exc}") from exc

    def move(
        self, persona_id: str, *, expected_status: str, status: str, media: str | None, locked: bool,
        transition: TransitionRow,
    ) -> bool:
        """Set the base-image state and record the transition, only if the state is still `expected_status`."""
        try:
            with self._db.transaction() as tx:
                current = tx.execute("SELECT base_image_status FROM personas WHERE id = ?", [persona_id]).fetchone()
                if current is None or current[0] != expected_status:
                    return False
                tx.execute(
                    "UPDATE personas SET base_image_status = ?, base_image_media = ?, appearance_locked = ?,"
                    " updated_at = ? WHERE id = ?",
                    [status, media, locked, _naive(transition.created_at), persona_id],
                )
                self._insert_transition(tx, transition)
        except duckdb.Error as exc:
            raise StorageError(f"Could not record the base-image transition: {exc}") from exc
        return True

    # -- transitions -------------------------------------------------------------------------------

    @staticmethod
    def _insert_transition(tx: duckdb.DuckDBPyConnection, row: TransitionRow) -> None:
        found = tx.execute("SELECT coalesce(max(seq), 0) FROM persona_transitions WHERE persona_id = ?",
                           [row.persona_id]).fetchone()
        seq = int(found[0]) + 1 if found else 1
        tx.execute(
            "INSERT INTO persona_transitions (persona_id, owner, seq, from_status, to_status, reason, media, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [row.persona_id, row.owner, seq, row.from_status, row.to_status, row.reason, row.media,
             _naive(row.created_at)],
        )

    def transitions(self, persona_id: str) -> list[TransitionRow]:
        rows = self._db.cursor().execute(
            "SELECT persona_id, owner, seq, from_status, to_status, reason, media, created_at"
            " FROM persona_transitions WHERE persona_id = ? ORDER BY seq",
            [persona_id],
        ).fetchall()
        return [
            TransitionRow(persona_id=r[0], owner=r[1], seq=int(r[2]), from_status=r[3], to_status=r[4], reason=r[5],
                          media=r[6], created_at=_aware(r[7]))
            for r in rows
        ]

    # -- batch images ------------------------------------------------------------------------------

    def add_images(self, rows: list[PersonaImageRow]) -> None:
        try:
            self._db.write_many(
                _INSERT_IMAGE,
                [
                    [r.batch_id, r.idx, r.persona_id, r.owner, r.prompt, r.job_id, r.device, r.status, r.provider,
                     r.media, r.is_placeholder, r.note, r.face_distance, r.flagged, r.comparison, _naive(r.created_at),
                     r.generation_id]
                    for r in rows
                ],
            )
        except duckdb.Error as exc:
            raise StorageError(f"Could not save the batch images: {exc}") from exc

    def images(self, persona_id: str, limit: int = 64) -> list[PersonaImageRow]:
        """The persona's batch images, newest batch first."""
        rows = self._db.cursor().execute(
            _SELECT_IMAGE + " WHERE persona_id = ?"
            " ORDER BY created_at DESC, batch_id, idx LIMIT ?",
            [persona_id, limit],
        ).fetchall()
        return [_image(r) for r in rows]

    def image(self, batch_id: str, idx: int) -> PersonaImageRow | None:
        """One batch image by its key, whoever owns it (the engine checks the owner)."""
        found = self._db.cursor().execute(_SELECT_IMAGE + " WHERE batch_id = ? AND idx = ?", [batch_id, idx]).fetchone()
        return None if found is None else _image(found)
