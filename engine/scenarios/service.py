"""`ScenarioService`: onboarding, background pre-generation, the course and its narration, deletion.

```python
engine = build_engine(settings)   # builds the one ScenarioService of its queue (it registers job kinds)
engine.start()
result = engine.scenarios.onboard(OnboardRequest(name=..., age=..., gender=..., photo=..., voice=..., consent=True))
for statuses in engine.scenarios.watch(result.user_id): ...
```
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.analytics.outputs import new_output_id, record_output
from engine.deletion import DeletionReport
from engine.errors import InvalidRequest, JobError, NotFound, ProviderError, StudioError
from engine.names import check_name
from engine.ownership import OPERATOR, Owner
from engine.providers.gateway import CallContext
from engine.providers.generative import VoiceCloneRequest
from engine.queue import Job, JobContext, JobStatus
from engine.scenarios import provenance
from engine.scenarios.assets_plan import (
    DUB_JOB,
    IMAGE_JOB,
    VIDEO_JOB,
    PlannedAsset,
    job_id,
    job_specs,
    load_scripts,
    plan,
)
from engine.scenarios.caricature import make_caricature
from engine.scenarios.course import CourseGuide
from engine.scenarios.makers import AssetMaker
from engine.scenarios.models import (
    AssetStatus,
    CacheStats,
    CallView,
    CourseModule,
    Narration,
    OnboardRequest,
    OnboardResult,
    QuizScore,
    ScenarioView,
    StepView,
    UserProfile,
    VoiceProfile,
)  # fmt: skip
from engine.scenarios.narration import DEFAULT_TTL_S, NarrationCache
from engine.scenarios.validation import check_faces, check_photo_bytes, check_voice
from engine.scenarios.voice_profile import analyse_voice
from storage.course_quiz import QuizAnswerRepository
from storage.scenarios import (
    AssetRow,
    NarrationCacheRepository,
    ScenarioAssetRepository,
    ScenarioUserRepository,
    UserRow,
    utcnow,
)  # fmt: skip

if TYPE_CHECKING:
    from engine.deletion import DeletionService
    from engine.limits import OwnerLimits
    from engine.provenance import MediaSigner
    from engine.providers.gateway import ModelGateway
    from engine.queue import GenerationQueue
    from engine.settings import Settings
    from storage.database import Database
    from storage.generations import GenerationLog
    from storage.media import MediaStore

__all__ = ["GENDERS", "ScenarioService"]

GENDERS = ("female", "male", "other")
CLEANUP_EVERY_S = 3600.0
ONBOARDING_KIND = "scenario_onboarding"  # the `kind` of onboarding's model calls (the face check, the voice clone)
NOT_FOUND = "No onboarded person with this id here; onboard first, or paste the id you were given."


def new_person_id() -> str:
    """The id a person keeps to come back: unguessable (128 bits), never part of a job id or file name."""
    return secrets.token_urlsafe(16)


class ScenarioService:
    def __init__(self, *, settings: Settings, db: Database, models: ModelGateway, queue: GenerationQueue,
                 media: MediaStore, signer: MediaSigner, limits: OwnerLimits, deletion: DeletionService,
                 outputs: GenerationLog, narration_ttl_s: float = DEFAULT_TTL_S, cleanup_every_s: float | None = CLEANUP_EVERY_S) -> None:  # fmt: skip
        self._settings = settings
        self._models = models
        self._queue = queue
        self._media = media
        self._signer = signer
        self._limits = limits
        self._deletion = deletion
        self._outputs = outputs
        self._scripts = load_scripts()
        self._plan = plan(self._scripts)
        self._by_name = {a.name: a for a in self._plan}
        self._users = ScenarioUserRepository(db)
        self._assets = ScenarioAssetRepository(db)
        self._maker = AssetMaker(settings=settings, models=models, media=media, signer=signer, users=self._users,
                                 assets=self._assets, scripts=self._scripts, outputs=outputs)  # fmt: skip
        self.narrations = NarrationCache(settings=settings, models=models, signer=signer, media=media, queue=queue, users=self._users,
                                         repo=NarrationCacheRepository(db), scripts=self._scripts, ttl_s=narration_ttl_s,
                                         outputs=outputs)  # fmt: skip
        self._course = CourseGuide(
            self._scripts, QuizAnswerRepository(db), owned=lambda user_id, owner: self._owned(user_id, owner),
            open_scenario=lambda user_id, scenario, owner: self.open_scenario(user_id, scenario, owner=owner),
            open_call=lambda user_id, dub, owner: self.open_call(user_id, dub, owner=owner),
        )  # fmt: skip
        for kind in (IMAGE_JOB, VIDEO_JOB, DUB_JOB):
            queue.register(kind, self._run_job)
        deletion.add_flusher(self.narrations.flush)
        deletion.add_forgetter(self.narrations.forget_owner)
        self._stop = threading.Event()
        self._cleaner: threading.Thread | None = None
        if cleanup_every_s:
            self._cleaner = threading.Thread(target=self._clean_periodically, args=(cleanup_every_s,),
                                             name="narration-cleanup", daemon=True)  # fmt: skip
            self._cleaner.start()

    # -- onboarding --------------------------------------------------------------------------------

    def onboard(self, request: OnboardRequest, *, owner: Owner) -> OnboardResult:
        """Check everything first (nothing is stored on refusal); store, caricature, voice profile, queue 10 jobs."""
        started = time.perf_counter()
        self._limits.check(owner)
        if not request.consent:
            raise InvalidRequest("consent", "tick the consent box: we only simulate your face and voice with your agreement")
        name = check_name(request.name, "name", hint="give the name the course should call you (1-80 characters)")
        if not 13 <= request.age <= 120:
            raise InvalidRequest("age", f"must be between 13 and 120, got {request.age}")
        gender = request.gender.strip().lower()
        if gender not in GENDERS:
            raise InvalidRequest("gender", f"pick one of {', '.join(GENDERS)}")
        rgb, extension, scale = check_photo_bytes(request.photo, max_pixels=self._settings.max_image_pixels)
        found = self._models.vision.detect_faces([rgb], CallContext(owner=owner.id, kind=ONBOARDING_KIND))
        landmarks = check_faces(found[0])
        voice = check_voice(request.voice, request.voice_name)

        profile = analyse_voice(voice.samples, voice.sample_rate, gender)
        profile = profile.model_copy(update={"engine": self._settings.speech_provider,
                                             "cloned_voice_id": self._clone_voice(voice.wav, name, owner)})  # fmt: skip
        cartoon = make_caricature(rgb, landmarks)

        user_id, job_key = new_person_id(), secrets.token_hex(8)
        media = self._media
        photo = media.put(request.photo, extension, owner=owner.id)
        voice_ref = media.put(voice.wav, "wav", owner=owner.id)
        record = provenance.manifest(
            asset="caricature", kind="image", user_id=user_id, sources={"photo": photo.sha256},
            steps=["face landmarks (478)", "asymmetry exaggeration", "cartoon proportions", "cartoon style",
                   "simulation banner"], models={"vision": self._settings.vision_provider},
        )  # fmt: skip
        caricature = media.put(self._signer.sign_media(provenance.png_with_manifest(cartoon, record), "image/png", record), "png", owner=owner.id)
        now, seconds, caricature_id = utcnow(), round(time.perf_counter() - started, 3), new_output_id()
        self._users.add(UserRow(user_id, name, request.age, gender, photo.sha256, voice_ref.sha256, caricature.sha256,
                                (landmarks / scale).round(2).tolist(), profile.model_dump(), now, now, owner.id,
                                job_key))  # fmt: skip
        self._assets.upsert(AssetRow(user_id, "caricature", "caricature", None, caricature.sha256, seconds, False, None,
                                     record, now, owner.id, caricature_id))  # fmt: skip
        record_output(self._outputs, kind="caricature", owner=owner.id, made_by="embedded face-landmark caricature",
                      summary="caricature", seconds=seconds, user_id=user_id, generation_id=caricature_id)  # fmt: skip
        self._queue.submit_many(job_specs(user_id, job_key, owner.id, self._plan))
        return OnboardResult(user_id=user_id, caricature_path=caricature.path, caricature_generation_id=caricature_id,
                             voice_profile=profile, assets=self.status(user_id, owner=owner),
                             seconds=time.perf_counter() - started)  # fmt: skip

    def _owned(self, user_id: str, owner: Owner) -> UserRow:
        """The person's row when `owner` may read it; `NotFound` alike for missing and not yours."""
        try:
            row = self._users.get(user_id)
        except NotFound:
            raise NotFound(NOT_FOUND) from None
        if not owner.may_read(row.owner):
            raise NotFound(NOT_FOUND)
        return row

    def people(self, *, owner: Owner) -> list[str]:
        """The ids of the people `owner` onboarded, newest first (to come back with a visitor key)."""
        return self._users.ids_of(owner.id)

    def _clone_voice(self, wav: bytes, name: str, owner: Owner) -> str | None:
        """The voice-cloning capability, through the recording gateway, when an adapter for it can run here."""
        models = self._models
        if not models.voice_clone.runnable():
            return None
        try:
            context = CallContext(owner=owner.id, kind=ONBOARDING_KIND)
            return models.voice_clone.clone([VoiceCloneRequest(wav=wav, name=name)], context)[0].voice_id
        except ProviderError:
            return None

    def user(self, user_id: str, *, owner: Owner) -> UserProfile:
        row = self._owned(user_id, owner)
        return UserProfile(id=row.id, name=row.name, age=row.age, gender=row.gender, photo_media=row.photo_media,
                           voice_media=row.voice_media, caricature_media=row.caricature_media,
                           voice_profile=VoiceProfile.model_validate(row.voice_profile), created_at=row.created_at)  # fmt: skip

    # -- the background jobs ------------------------------------------------------------------------

    def _run_job(self, ctx: JobContext) -> dict[str, Any]:
        user_id, name = ctx.job.payload["user_id"], ctx.job.payload["asset"]
        if not self._users.exists(user_id) or self._media.tombstones.is_deleted(ctx.job.user_id):
            return {"skipped": "the person was deleted"}
        ctx.report(0.05, f"making {name}")
        row = self._maker.make(user_id, self._by_name[name], job_id=ctx.job.id, report=ctx.report)
        return {"media": row.media, "seconds": row.seconds}

    # -- status -------------------------------------------------------------------------------------

    def assets(self) -> list[PlannedAsset]:
        return list(self._plan)

    def status(self, user_id: str, *, owner: Owner) -> list[AssetStatus]:
        """Every planned asset's state: the queue's job, or a finished asset made in real time."""
        user = self._owned(user_id, owner)
        jobs: dict[str, Job | None] = {}
        for asset in self._plan:  # jobs before rows: a job seen completed has its row written already
            try:
                jobs[asset.name] = self._queue.get(job_id(user.job_key, asset.name))
            except NotFound:
                jobs[asset.name] = None
        rows = self._assets.for_user(user_id)
        return [self._status(user.job_key, asset, rows.get(asset.name), jobs[asset.name]) for asset in self._plan]

    def _status(self, job_key: str, asset: PlannedAsset, row: AssetRow | None, job: Job | None) -> AssetStatus:
        jid = job_id(job_key, asset.name)
        status = job.status.value if job else "missing"
        if row is not None and row.media and (row.realtime or status == "completed"):
            status = "completed"
        path = None
        if status == "completed" and (row is None or not row.media):
            status = "running"  # the job's result is being recorded
        if row is not None and row.media and status == "completed":
            try:
                path = self._media.get(row.media).path
            except NotFound:
                status = "missing"
        return AssetStatus(
            name=asset.name, kind=asset.kind, scenario=asset.scenario, title=asset.title, job_id=jid, status=status,
            progress=1.0 if status == "completed" else (job.progress if job else 0.0),
            message=job.message if job else None, error=job.error if job and status != "completed" else None,
            path=path, media=row.media if row else None, seconds=row.seconds if row else None,
            attempts=job.attempts if job else 0, realtime=bool(row and row.realtime),
            generation_id=row.generation_id if row is not None and status == "completed" else None,
        )  # fmt: skip

    def watch(self, user_id: str, timeout: float | None = None, *, owner: Owner) -> Iterator[list[AssetStatus]]:
        """The statuses now, then again after each change of one of the person's jobs, until all are done.

        Blocks on the queue's event stream (no polling); `timeout` bounds the whole watch.
        """
        key = self._owned(user_id, owner).job_key
        ids = {job_id(key, a.name) for a in self._plan}
        stream = self._queue.subscribe_all()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            current = self.status(user_id, owner=owner)
            yield current
            while not all(_done(s) for s in current):
                if deadline is not None and time.monotonic() > deadline:
                    return
                event = next(stream, None)
                if event is None:
                    return
                if event.job_id in ids:
                    current = self.status(user_id, owner=owner)
                    yield current
        finally:
            stream.close()

    def wait(self, user_id: str, timeout: float | None = None, *, owner: Owner) -> list[AssetStatus]:
        """Block until every asset is finished (completed, failed, blocked or cancelled)."""
        key = self._owned(user_id, owner).job_key
        deadline = None if timeout is None else time.monotonic() + timeout
        for asset in self._plan:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                self._queue.wait(job_id(key, asset.name), remaining)
            except NotFound:
                continue
        return self.status(user_id, owner=owner)

    # -- opening a scenario ----------------------------------------------------------------------------

    def open_scenario(self, user_id: str, scenario: str, *, owner: Owner) -> ScenarioView:
        """The scenario's image and video: instantly when ready, otherwise made now (and the jobs withdrawn)."""
        started = time.perf_counter()
        if scenario not in self._scripts.scenarios:
            raise InvalidRequest("scenario", f"unknown scenario {scenario!r}; use one of {', '.join(self._scripts.scenarios)}")
        realtime = False
        statuses = {s.name: s for s in self.status(user_id, owner=owner)}
        for name in (f"{scenario}_image", f"{scenario}_video"):
            if statuses[name].status != "completed":
                realtime = True
                self._withdraw(statuses[name].job_id)
                self._maker.make(user_id, self._by_name[name], realtime=True)
        rows = self._assets.for_user(user_id)
        image, video = rows[f"{scenario}_image"], rows[f"{scenario}_video"]
        assert image.media and video.media
        return ScenarioView(scenario=scenario, title=self._scripts.scenarios[scenario]["title"],
                            image_path=self._media.get(image.media).path,
                            video_path=self._media.get(video.media).path, realtime=realtime,
                            seconds=time.perf_counter() - started, image_generation_id=image.generation_id,
                            video_generation_id=video.generation_id)  # fmt: skip

    def open_call(self, user_id: str, dub: str, *, owner: Owner) -> CallView:
        """The scam-call dub's audio: instantly when ready, otherwise made now."""
        if dub not in self._scripts.dubs:
            raise InvalidRequest("dub", f"unknown call {dub!r}; use one of {', '.join(self._scripts.dubs)}")
        status = next(s for s in self.status(user_id, owner=owner) if s.name == dub)
        realtime = status.status != "completed"
        if realtime:
            self._withdraw(status.job_id)
            self._maker.make(user_id, self._by_name[dub], realtime=True)
        row = self._assets.get(user_id, dub)
        assert row is not None and row.media
        return CallView(dub=dub, title=self._scripts.dubs[dub]["title"], path=self._media.get(row.media).path,
                        realtime=realtime, generation_id=row.generation_id)  # fmt: skip

    def _withdraw(self, jid: str) -> None:
        try:
            if self._queue.get(jid).status is JobStatus.PENDING:
                self._queue.cancel(jid)
        except (NotFound, JobError):
            pass

    def provenance(self, user_id: str, asset: str, *, owner: Owner) -> dict[str, Any] | None:
        self._owned(user_id, owner)
        row = self._assets.get(user_id, asset)
        return row.provenance if row else None

    # -- the course and its narration ----------------------------------------------------------------------

    def scenario_titles(self) -> dict[str, str]:
        return {sid: s["title"] for sid, s in self._scripts.scenarios.items()}

    def course(self) -> list[CourseModule]:
        return list(self._scripts.modules)

    def course_step(self, user_id: str, index: int, *, owner: Owner) -> StepView:
        """Step `index` (0-based) of the guided course with its media (see `engine.scenarios.course`)."""
        return self._course.step(user_id, index, owner=owner)

    def quiz(self) -> list[CourseModule]:
        """The lessons with their spot-the-fake questions."""
        return self._course.lessons()

    def answer_quiz(self, user_id: str, answers: dict[str, int | None], *, owner: Owner) -> QuizScore:
        return self._course.answer(user_id, answers, owner=owner)

    def quiz_score(self, user_id: str, *, owner: Owner) -> QuizScore:
        return self._course.score(user_id, owner=owner)

    def narration(self, user_id: str, step_id: str, preload_next: bool = True, *, owner: Owner) -> Narration:
        self._owned(user_id, owner)
        self._limits.check(owner)
        return self.narrations.get(user_id, step_id, preload_next)

    def cache_stats(self, user_id: str, *, owner: Owner) -> CacheStats:
        self._owned(user_id, owner)
        return self.narrations.stats(user_id)

    def cleanup_cache(self) -> int:
        """Remove expired narration entries and their files; how many went."""
        return self.narrations.cleanup()

    def _clean_periodically(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                self.narrations.cleanup()
            except Exception:  # noqa: BLE001 - the next round tries again; the database may be closing
                continue

    # -- forgetting ----------------------------------------------------------------------------------------

    def delete_user(self, user_id: str, *, owner: Owner, copies_in: Iterable[Path] = (),
                    extra_paths: Iterable[Path] = ()) -> DeletionReport:  # fmt: skip
        """Delete the person and everything their owner made (see `engine.deletion`). A person the
        operator onboarded (local CLI) is deleted alone, not with every other operator record."""
        row = self._owned(user_id, owner)
        subject = Owner(id=row.owner, operator=row.owner == OPERATOR.id, visitor=owner.visitor and owner.owns(row.owner))
        report = self._deletion.forget(owner=subject, copies_in=copies_in, extra_paths=extra_paths,
                                              user_id=user_id if subject.operator else None)  # fmt: skip
        self.narrations.forget_user(user_id)
        return report.model_copy(update={"user_id": user_id})

    def close(self) -> None:
        self._stop.set()
        try:
            self.narrations.flush()
        except StudioError:
            pass


def _done(status: AssetStatus) -> bool:
    return status.status in ("completed", "failed", "blocked", "cancelled", "missing")
