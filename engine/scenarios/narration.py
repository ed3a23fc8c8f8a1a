"""Just-in-time course narration behind a persistent smart cache, with preloading of the next step.

Key: (user, step, script hash, voice-profile hash, speech engine, narration format), so a changed
script, voice, engine or disclosure never serves stale audio. Each narration opens with a spoken
"This is a simulated voice." and carries signed provenance (see `disclosure`). Entries live 24 h (configurable), in DuckDB
plus the media store, and survive restarts. The hot path is in memory: an index of
live entries (loaded from DuckDB on first use) and write-behind counters (access
count, last access, hits/misses/preloads), flushed in one transaction every second, on
stats and on close. Preloads are queue jobs at PREFETCH priority (ahead of background
pre-generation); a request that arrives while its preload runs waits for it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.analytics.outputs import new_output_id, record_output
from engine.errors import InvalidRequest, NotFound, StudioError
from engine.providers.gateway import CallContext
from engine.queue import JobContext, JobSpec, Priority
from engine.scenarios.assets_plan import NARRATION_JOB, Scripts, render_text
from engine.scenarios.disclosure import NARRATION_FORMAT, disclosed_narration
from engine.scenarios.models import CacheStats, Narration, VoiceProfile
from storage.scenarios import CacheRow, NarrationCacheRepository, ScenarioUserRepository, UserRow, utcnow

if TYPE_CHECKING:
    from engine.provenance import MediaSigner
    from engine.providers.gateway import ModelGateway
    from engine.queue import GenerationQueue
    from engine.settings import Settings
    from storage.generations import GenerationLog
    from storage.media import MediaStore

__all__ = ["DEFAULT_TTL_S", "NarrationCache"]

DEFAULT_TTL_S = 24 * 3600.0
CALL_KIND = "scenario_narration"  # the `kind` of the speech calls that speak a narration (its output: 'narration')


@dataclass
class _Entry:
    media: str
    path: Path
    duration_s: float
    expires_at: datetime
    user_id: str
    preloaded: bool
    owner: str
    generation_id: str | None = None  # the output record feedback rates


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class NarrationCache:
    def __init__(self, *, settings: Settings, models: ModelGateway, signer: MediaSigner, media: MediaStore,
                 queue: GenerationQueue, users: ScenarioUserRepository, repo: NarrationCacheRepository,
                 scripts: Scripts, outputs: GenerationLog, ttl_s: float = DEFAULT_TTL_S) -> None:  # fmt: skip
        self._settings = settings
        self._outputs = outputs
        self._models = models
        self._signer = signer
        self._media = media
        self._queue = queue
        self._users = users
        self._repo = repo
        self._scripts = scripts
        self.ttl = timedelta(seconds=ttl_s)
        self._lock = threading.Lock()
        self._index: dict[str, _Entry] | None = None
        self._key_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._accesses: dict[str, tuple[int, datetime]] = {}
        self._counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # hits, misses, preloads
        self._profiles: dict[str, tuple[UserRow, VoiceProfile]] = {}
        queue.register(NARRATION_JOB, self._run_preload)

    # -- keys ------------------------------------------------------------------------------------

    def _user(self, user_id: str) -> tuple[UserRow, VoiceProfile]:
        found = self._profiles.get(user_id)
        if found is None:
            user = self._users.get(user_id)
            found = (user, VoiceProfile.model_validate(user.voice_profile))
            self._profiles[user_id] = found
        return found

    def _resolve(self, user_id: str, step_id: str) -> tuple[str, str, str, str, str]:
        """(key, text, script hash, voice hash, engine) of a step for a person."""
        step = self._scripts.step(step_id)
        if step is None:
            raise InvalidRequest("step_id", f"no course step {step_id!r}; pick one from course()")
        user, profile = self._user(user_id)
        text = render_text(step.script, user.name, user.age)
        script_hash, voice_hash = _sha(text)[:16], _sha(profile.fingerprint())[:16]
        engine = self._settings.speech_provider
        key = _sha(f"{user_id}|{step_id}|{script_hash}|{voice_hash}|{engine}|{NARRATION_FORMAT}")[:32]
        return key, text, script_hash, voice_hash, engine

    def _entries(self) -> dict[str, _Entry]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    index = {}
                    for row in self._repo.live(utcnow()):
                        try:
                            path = self._media.get(row.media).path
                        except NotFound:
                            continue
                        index[row.cache_key] = _Entry(row.media, path, row.duration_s, row.expires_at, row.user_id,
                                                      row.preloaded, row.owner, row.generation_id)  # fmt: skip
                    self._index = index
        return self._index

    # -- serving ---------------------------------------------------------------------------------

    def get(self, user_id: str, step_id: str, preload_next: bool = True) -> Narration:
        """The step's narration: from the cache, or made now; then the next step is preloaded."""
        started = time.perf_counter()
        key, text, script_hash, voice_hash, engine = self._resolve(user_id, step_id)
        entry = self._hit(key)
        hit = entry is not None
        if entry is None:
            with self._key_locks[key]:  # a preload of this key that is running finishes first
                entry = self._hit(key)
                hit = entry is not None
                if entry is None:
                    entry = self._make(key, user_id, step_id, text, script_hash, voice_hash, engine, preloaded=False)
        self._count(user_id, 0 if hit else 1)
        if hit:
            self._touch(key)
        following = self._scripts.next_step(step_id)
        if preload_next and following is not None:
            self.preload(user_id, following.id)
        return Narration(
            user_id=user_id, step_id=step_id, text=text, path=entry.path, media=entry.media,
            duration_s=entry.duration_s, hit=hit, preloaded=entry.preloaded,
            seconds=time.perf_counter() - started, next_step_id=following.id if following else None,
            generation_id=entry.generation_id,
        )  # fmt: skip

    def preload(self, user_id: str, step_id: str) -> str | None:
        """Queue the step's narration at PREFETCH priority unless cached or running; the job id."""
        key = self._resolve(user_id, step_id)[0]
        if self._hit(key) is not None or self._key_locks[key].locked():
            return None
        owner = self._user(user_id)[0].owner
        job = self._queue.submit(JobSpec(
            id=f"nar-{key[:20]}-{time.time_ns() % 10**12}", kind=NARRATION_JOB, priority=Priority.PREFETCH,
            payload={"user_id": user_id, "step_id": step_id}, user_id=owner, max_retries=1, timeout_s=60,
        ))  # fmt: skip
        return job.id

    def _run_preload(self, ctx: JobContext) -> dict[str, Any]:
        user_id, step_id = ctx.job.payload["user_id"], ctx.job.payload["step_id"]
        if not self._users.exists(user_id):
            return {"skipped": "the person was deleted"}
        key, text, script_hash, voice_hash, engine = self._resolve(user_id, step_id)
        with self._key_locks[key]:
            if self._hit(key) is not None:
                return {"cached": True}
            entry = self._make(key, user_id, step_id, text, script_hash, voice_hash, engine, preloaded=True,
                               job_id=ctx.job.id)  # fmt: skip
        self._count(user_id, 2)
        return {"media": entry.media, "cached": False}

    def _hit(self, key: str) -> _Entry | None:
        entry = self._entries().get(key)
        if entry is None:
            return None
        if entry.expires_at <= utcnow():
            self._entries().pop(key, None)
            return None
        return entry

    def _make(self, key: str, user_id: str, step_id: str, text: str, script_hash: str, voice_hash: str,
              engine: str, *, preloaded: bool, job_id: str | None = None) -> _Entry:  # fmt: skip
        started = time.perf_counter()
        user, profile = self._user(user_id)
        context = CallContext(user_id=user_id, job_id=job_id, owner=user.owner, kind=CALL_KIND)
        wav, duration_s = disclosed_narration(
            profile, text, models=self._models, signer=self._signer, speech_provider=self._settings.speech_provider,
            asset=f"narration-{step_id}", user_id=user_id, voice_media=user.voice_media, context=context)  # fmt: skip
        ref = self._media.put(wav, "wav", owner=user.owner)
        now = utcnow()
        seconds = time.perf_counter() - started
        row = CacheRow(key, user_id, step_id, script_hash, voice_hash, engine, ref.sha256, duration_s, seconds * 1000,
                       preloaded, 0 if preloaded else 1, now, now + self.ttl, None if preloaded else now, user.owner,
                       new_output_id())  # fmt: skip
        if self._media.tombstones.is_deleted(user.owner):
            raise NotFound("Nothing is stored for a person whose data was deleted.")
        self._repo.put(row)
        record_output(self._outputs, kind="narration", owner=user.owner, made_by=f"{engine} speech",
                      summary=f"narration {step_id}", seconds=seconds, user_id=user_id, job_id=job_id,
                      generation_id=row.generation_id)  # fmt: skip
        entry = _Entry(ref.sha256, ref.path, duration_s, row.expires_at, user_id, preloaded, user.owner, row.generation_id)
        self._entries()[key] = entry
        return entry

    # -- counters (write-behind) ---------------------------------------------------------------------

    def _touch(self, key: str) -> None:
        with self._lock:
            count, _ = self._accesses.get(key, (0, utcnow()))
            self._accesses[key] = (count + 1, utcnow())

    def _count(self, user_id: str, which: int) -> None:
        with self._lock:
            self._counts[user_id][which] += 1

    def flush(self) -> None:
        with self._lock:
            accesses, self._accesses = self._accesses, {}
            counts, self._counts = self._counts, defaultdict(lambda: [0, 0, 0])
        if accesses:
            self._repo.record_accesses([(k, n, at) for k, (n, at) in accesses.items()])
        owners = {u: self._profiles[u][0].owner for u in counts if u in self._profiles}
        if counts:
            self._repo.add_counts([(u, c[0], c[1], c[2], owners[u]) for u, c in counts.items() if u in owners])

    # -- stats, cleanup, forgetting ---------------------------------------------------------------------

    def stats(self, user_id: str) -> CacheStats:
        self.flush()
        found = self._repo.stats(user_id, utcnow())
        served = found["hits"] + found["misses"]
        return CacheStats(
            user_id=user_id, entries=found["entries"], live_entries=found["live_entries"],
            expired_entries=found["entries"] - found["live_entries"], bytes=found["bytes"], hits=found["hits"],
            misses=found["misses"], preloads=found["preloads"], hit_rate=found["hits"] / served if served else 0.0,
            total_accesses=found["total_accesses"], last_access=found["last_access"],
        )  # fmt: skip

    def cleanup(self, now: datetime | None = None) -> int:
        """Delete expired entries and their files (unless other rows still use the same bytes)."""
        self.flush()
        removed = self._repo.take_expired(now or utcnow())
        with self._lock:
            for key, _ in removed:
                (self._index or {}).pop(key, None)
        media = sorted({m for _, m in removed})
        still_used = self._repo.media_referenced(media)
        for sha in media:
            if sha not in still_used:
                try:
                    self._media.delete(sha)
                except StudioError:
                    continue
        return len(removed)

    def forget_owner(self, owner_id: str) -> None:
        """Drop what memory holds of the owner's people (after their rows were deleted)."""
        with self._lock:
            users = [u for u, (row, _) in self._profiles.items() if row.owner == owner_id]
            users += [e.user_id for e in (self._index or {}).values() if e.owner == owner_id]
        for user_id in set(users):
            self.forget_user(user_id)

    def forget_user(self, user_id: str) -> None:
        with self._lock:
            self._profiles.pop(user_id, None)
            self._counts.pop(user_id, None)
            if self._index is not None:
                for key in [k for k, e in self._index.items() if e.user_id == user_id]:
                    self._index.pop(key, None)
                    self._accesses.pop(key, None)
