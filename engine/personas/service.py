"""`PersonaService`: profiles, the base-image workflow, persona-voiced text and batch images.

Every method takes `owner: Owner`; a persona that is missing or someone else's is `NotFound`
(admins may read every persona). Methods that spend compute check the owner's limits first.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Literal

from engine.errors import InvalidRequest, JobError, NotFound, StudioError
from engine.imaging import decode_image, encode_png, read_image
from engine.limits import OwnerLimits
from engine.ownership import Owner
from engine.personas import cards
from engine.personas.images import PERSONA_IMAGE_JOB, FaceComparer, register_persona_images
from engine.personas.models import (
    BaseImageStatus,
    BatchImage,
    Persona,
    PersonaProfile,
    PersonaText,
    Transition,
    utcnow,
)
from engine.personas.states import check_image_allowed, check_transition
from engine.personas.templates import TemplateLibrary
from engine.personas.text import write_with_model
from engine.providers.base import Capability, ImageRequest
from engine.providers.gateway import ModelGateway
from engine.queue import GenerationQueue, JobSpec, JobStatus, Priority
from engine.routing import RoutedText
from engine.settings import Settings
from storage.database import Database
from storage.media import MediaStore
from storage.personas import PersonaImageRow, PersonaRepository, PersonaRow, TransitionRow

__all__ = ["MAX_BATCH", "PersonaService"]

MAX_BATCH = 32
BASE_SIDE = 1024
IMAGE_SIDE = 512
Source = Literal["template", "model", "auto"]


class PersonaService:
    def __init__(
        self, *, db: Database, media: MediaStore, models: ModelGateway, queue: GenerationQueue,
        limits: OwnerLimits, settings: Settings, routed_text: RoutedText, library: TemplateLibrary | None = None,
    ) -> None:
        self._repo = PersonaRepository(db)
        self._routed_text = routed_text  # persona posts go through the hybrid router
        self._media = media
        self._models = models
        self._queue = queue
        self._limits = limits
        self._settings = settings
        self.library = library or TemplateLibrary.load()
        register_persona_images(queue, models, media)

    # -- profiles ----------------------------------------------------------------------------------

    def create(self, profile: PersonaProfile, *, owner: Owner) -> Persona:
        now = utcnow()
        persona_id = uuid.uuid4().hex[:12]
        row = PersonaRow(
            id=persona_id, owner=owner.id, name=profile.name, profile_json=profile.model_dump_json(),
            base_image_status=BaseImageStatus.PENDING_UPLOAD.value, base_image_media=None,
            appearance_locked=False, created_at=now, updated_at=now,
        )
        first = TransitionRow(persona_id=persona_id, owner=owner.id, seq=1, from_status=None,
                              to_status=BaseImageStatus.PENDING_UPLOAD.value, reason="created", media=None,
                              created_at=now)
        self._repo.insert(row, first)
        return self._persona(row)

    def save(self, persona_id: str, profile: PersonaProfile, *, owner: Owner) -> Persona:
        """Replace the profile; a locked appearance cannot change until the base image is unlocked."""
        current = self.get(persona_id, owner=owner)
        if current.appearance_locked and profile.appearance_description != current.profile.appearance_description:
            raise InvalidRequest(
                "appearance_description", "the appearance is locked by the approved base image; unlock it first"
            )
        self._repo.update_profile(persona_id, profile.name, profile.model_dump_json(), utcnow())
        return self.get(persona_id, owner=owner)

    def get(self, persona_id: str, *, owner: Owner) -> Persona:
        return self._persona(self._row(persona_id, owner))

    def personas(self, *, owner: Owner) -> list[Persona]:
        """The owner's personas, newest first (an admin sees everyone's)."""
        return [self._persona(r) for r in self._repo.list_for(None if owner.admin else owner.id)]

    def history(self, persona_id: str, *, owner: Owner) -> list[Transition]:
        self._row(persona_id, owner)
        return [
            Transition(persona_id=r.persona_id, owner=r.owner, from_status=r.from_status, to_status=r.to_status,
                       reason=r.reason, media=r.media, created_at=r.created_at)
            for r in self._repo.transitions(persona_id)
        ]

    def images(self, persona_id: str, *, owner: Owner) -> list[BatchImage]:
        self._row(persona_id, owner)
        return [self._batch_image(r).model_copy(update={"path": self._path(r.media)}) for r in self._repo.images(persona_id)]

    # -- Character Card V2 ---------------------------------------------------------------------------

    def export_card(self, persona_id: str, *, owner: Owner) -> dict[str, Any]:
        return cards.to_card(self.get(persona_id, owner=owner).profile)

    def import_card(self, raw: bytes | str | dict[str, Any], *, owner: Owner) -> Persona:
        card = raw if isinstance(raw, dict) else cards.parse_card(raw)
        return self.create(cards.from_card(card), owner=owner)

    # -- the base image ------------------------------------------------------------------------------

    def upload_base_image(self, persona_id: str, data: bytes | None, *, owner: Owner, reason: str = "uploaded") -> Persona:
        """A base image from a file: type, size and dimensions checked (from the header) before decoding."""
        if not data:
            raise InvalidRequest("image", "no image was given; upload a PNG, JPEG or WebP file")
        limit_mb = self._settings.max_upload_mb
        if len(data) > limit_mb * 1e6:
            raise InvalidRequest("image", f"the image is {len(data) / 1e6:.1f} MB; upload one of at most {limit_mb:g} MB")
        row = self._row(persona_id, owner)
        check_image_allowed(BaseImageStatus(row.base_image_status))
        image = read_image(data, max_pixels=self._settings.max_image_pixels, max_side=BASE_SIDE, field="image")
        if min(image.width, image.height) < 64:
            raise InvalidRequest("image", f"the image is only {image.width}x{image.height} pixels; use at least 64")
        ref = self._media.put(encode_png(image.rgb), "png", owner=owner.id)
        return self._set_image(row, ref.sha256, owner, reason)

    def generate_base_image(self, persona_id: str, *, owner: Owner, timeout_s: float = 120.0) -> Persona:
        row = self._row(persona_id, owner)
        check_image_allowed(BaseImageStatus(row.base_image_status))
        profile = PersonaProfile.model_validate_json(row.profile_json)
        if not profile.appearance_description:
            raise InvalidRequest("appearance_description", "describe the persona's appearance first, then generate")
        self._limits.check(owner, estimated_cost_usd=self._image_cost(1))
        prompt = f"Portrait of {profile.name}: {profile.appearance_description}"
        [image] = self._run_images(row, [prompt], owner, timeout_s, title=f"{profile.name} — base image")
        if image.status != "completed" or image.media is None:
            raise JobError(f"The base image could not be generated: {image.note or 'the image job failed'}")
        return self._set_image(row, image.media, owner, f"generated by {image.provider} on {image.device}")

    def use_batch_image(self, persona_id: str, image_id: str, *, owner: Owner, reason: str = "") -> Persona:
        """Propose one of the persona's batch images (by `BatchImage.id`) as its base image, in `draft`.

        The image must be the caller's, made for this persona, and completed; a missing or someone
        else's image is `NotFound`, alike. Like an upload, it then waits for approval.
        """
        row = self._row(persona_id, owner)
        image_id = (image_id or "").strip()
        image = self._image_row(image_id, owner)
        if image.persona_id != row.id:
            raise InvalidRequest("image", f"batch image {image_id} was made for another persona; use one of "
                                 f"{row.name}'s batch images")
        if image.status != "completed" or not image.media:
            raise InvalidRequest("image", f"batch image {image_id} failed ({image.note or 'no picture'}); "
                                 "use one that completed")
        check_image_allowed(BaseImageStatus(row.base_image_status))
        return self._set_image(row, image.media, owner, reason.strip() or f"picked batch image {image_id}")

    def transition(self, persona_id: str, state: str, *, owner: Owner, reason: str = "") -> Persona:
        try:
            target = BaseImageStatus(state)
        except ValueError as exc:
            raise InvalidRequest("state", f"{state!r} is not a state; use one of "
                                 + ", ".join(s.value for s in BaseImageStatus)) from exc
        row = self._row(persona_id, owner)
        current = BaseImageStatus(row.base_image_status)
        check_transition(current, target)
        default = {BaseImageStatus.APPROVED: "approved", BaseImageStatus.REJECTED: "rejected",
                   BaseImageStatus.DRAFT: "unlocked"}[target]
        self._move(row, target, row.base_image_media, owner, reason.strip() or default)
        return self.get(persona_id, owner=owner)

    def _set_image(self, row: PersonaRow, media: str, owner: Owner, reason: str) -> Persona:
        self._move(row, BaseImageStatus.DRAFT, media, owner, reason)
        return self.get(row.id, owner=owner)

    def _move(self, row: PersonaRow, target: BaseImageStatus, media: str | None, owner: Owner, reason: str) -> None:
        transition = TransitionRow(persona_id=row.id, owner=owner.id, seq=0, from_status=row.base_image_status,
                                   to_status=target.value, reason=reason[:500], media=media, created_at=utcnow())
        moved = self._repo.move(row.id, expected_status=row.base_image_status, status=target.value, media=media,
                                locked=target is BaseImageStatus.APPROVED, transition=transition)
        if not moved:
            raise InvalidRequest("state", "the base image changed meanwhile; reload the persona and try again")

    # -- text --------------------------------------------------------------------------------------

    def write(self, persona_id: str, prompt: str = "", *, owner: Owner, seed: int | None = None,
              source: Source = "auto") -> PersonaText:
        """A post in the persona's voice: by the text model (`model`/`auto`), else by the templates."""
        if source not in ("template", "model", "auto"):
            raise InvalidRequest("source", f"{source!r} is not a source; use template, model or auto")
        if len(prompt) > 2000:
            raise InvalidRequest("prompt", "keep the prompt under 2000 characters")
        persona = self.get(persona_id, owner=owner)
        post = self.library.write(persona.profile, prompt, seed=seed, locked=persona.appearance_locked)
        base = dict(persona_id=persona.id, style=post.style, voice_modifiers=post.voice_modifiers, seed=seed)
        if source == "template":
            return PersonaText(source="template", text=post.text, template_id=post.template_id, **base)
        self._limits.check(owner, estimated_cost_usd=0.0)
        written = write_with_model(self._routed_text, persona.profile, prompt, seed=seed, owner=owner)
        if written.text is not None:
            return PersonaText(source="model", text=written.text, generation_id=written.generation_id,
                               routed_to=written.routed_to, route_reasons=written.reasons, **base)
        return PersonaText(source="template", text=post.text, template_id=post.template_id, note=written.why,
                           routed_to=written.routed_to, route_reasons=written.reasons, **base)

    # -- batches -----------------------------------------------------------------------------------

    def batch(self, persona_id: str, prompts: list[str], *, owner: Owner, timeout_s: float = 300.0) -> list[BatchImage]:
        """N images of the persona as one batch over every device; a failed image does not fail the batch."""
        prompts = [" ".join(p.split()) for p in prompts]
        if not prompts or len(prompts) > MAX_BATCH:
            raise InvalidRequest("count", f"give 1 to {MAX_BATCH} prompts, got {len(prompts)}")
        if any(not p for p in prompts):
            raise InvalidRequest("prompts", "every prompt needs some text")
        row = self._row(persona_id, owner)
        self._limits.check(owner, estimated_cost_usd=self._image_cost(len(prompts)))
        profile = PersonaProfile.model_validate_json(row.profile_json)
        if row.appearance_locked and profile.appearance_description:
            prompts = [f"{p}. Appearance (locked): {profile.appearance_description}" for p in prompts]
        images = self._run_images(row, prompts, owner, timeout_s, title=profile.name)
        if row.appearance_locked and row.base_image_media:
            images = self._compare(row.base_image_media, images, owner)
        now = utcnow()
        self._repo.add_images([
            PersonaImageRow(batch_id=i.batch_id, idx=i.index, persona_id=row.id, owner=owner.id, prompt=i.prompt,
                            job_id=i.job_id, device=i.device, status=i.status, provider=i.provider, media=i.media,
                            is_placeholder=i.is_placeholder, note=i.note, face_distance=i.face_distance,
                            flagged=i.flagged, comparison=i.comparison, created_at=now, generation_id=i.generation_id)
            for i in images
        ])
        return images

    def default_prompts(self, persona_id: str, count: int, *, owner: Owner) -> list[str]:
        """`count` prompts from the persona's themes, for a batch without prompts of its own."""
        profile = self.get(persona_id, owner=owner).profile
        themes = profile.themes or ["a portrait"]
        return [f"{profile.name}, {themes[i % len(themes)]}, shot {i + 1}" for i in range(count)]

    def _run_images(self, row: PersonaRow, prompts: list[str], owner: Owner, timeout_s: float,
                    title: str) -> list[BatchImage]:
        batch_id = uuid.uuid4().hex[:12]
        specs = [
            JobSpec(kind=PERSONA_IMAGE_JOB, priority=Priority.INTERACTIVE, user_id=owner.id, max_retries=0,
                    timeout_s=timeout_s, payload=ImageRequest(
                        prompt=prompt[:4000], width=IMAGE_SIDE, height=IMAGE_SIDE, title=title[:80],
                        seed=int(hashlib.sha256(f"{row.id}|{i}|{prompt}".encode()).hexdigest()[:8], 16),
                    ).model_dump())
            for i, prompt in enumerate(prompts)
        ]
        jobs = self._queue.submit_many(specs)
        # one durable commit for all the finishes; allowed as long as waiting for each in turn
        finished = self._queue.wait_many([job.id for job in jobs], timeout=timeout_s * len(jobs))
        out = []
        for index, (done, prompt) in enumerate(zip(finished, prompts, strict=True)):
            base = BatchImage(batch_id=batch_id, index=index, prompt=prompt, job_id=done.id, status="failed")
            if not done.status.is_terminal:
                note = f"still {done.status.value}: not finished in time"
                out.append(base.model_copy(update={"device": done.device, "note": note}))
                continue
            result = done.result or {}
            if done.status is not JobStatus.COMPLETED or "media" not in result:
                out.append(base.model_copy(update={"device": done.device, "note": done.error or done.status.value}))
                continue
            path = self._path(result["media"])
            out.append(base.model_copy(update={
                "status": "completed", "device": result.get("device") or done.device, "provider": result.get("provider"),
                "media": result["media"], "path": path, "is_placeholder": bool(result.get("is_placeholder")),
                "note": result.get("note") or "", "generation_id": result.get("generation_id"),
            }))
        return out

    def _compare(self, base_media: str, images: list[BatchImage], owner: Owner) -> list[BatchImage]:
        try:
            comparer = FaceComparer(self._models, decode_image(self._media.read(base_media)), owner=owner.id)
            done = [i for i in images if i.status == "completed" and i.media]
            found = dict(zip((i.index for i in done), comparer.compare([self._media.read(i.media or "") for i in done]),
                             strict=True))
        except StudioError as exc:
            return [i.model_copy(update={"comparison": f"not compared: {exc.user_message}"}) for i in images]
        return [
            i.model_copy(update={"face_distance": c.distance, "flagged": c.flagged, "comparison": c.note})
            if (c := found.get(i.index)) else i
            for i in images
        ]

    # -- helpers -----------------------------------------------------------------------------------

    def _image_cost(self, count: int) -> float:
        registry = self._models.registry
        try:
            adapter = registry.get(Capability.IMAGE, registry.chain(Capability.IMAGE)[0])
            return float(adapter.estimate_cost(ImageRequest(prompt="a persona picture"))) * count
        except (StudioError, IndexError):
            return 0.0

    def _path(self, media: str | None) -> str | None:
        if not media:
            return None
        try:
            return str(self._media.get(media).path)
        except StudioError:
            return None

    def _row(self, persona_id: str, owner: Owner) -> PersonaRow:
        row = self._repo.get(persona_id) if persona_id else None
        if row is None or not (owner.owns(row.owner) or owner.admin):
            raise NotFound(f"No persona {persona_id!r}; list your personas to find its id.")
        return row

    def _image_row(self, image_id: str, owner: Owner) -> PersonaImageRow:
        batch_id, _, index = image_id.rpartition("-")
        if not batch_id or not index.isdigit():
            raise InvalidRequest("image", f"{image_id!r} is not a batch image id; ids look like 3f2a9b1c04de-0 "
                                 "(the batch's `id` column, or `image_id` in `studio persona batch`)")
        found = self._repo.image(batch_id, int(index))
        if found is None or not owner.may_read(found.owner):
            raise NotFound(f"No batch image {image_id!r}; make a batch of this persona and use one of its ids.")
        return found

    def _persona(self, row: PersonaRow) -> Persona:
        path = self._path(row.base_image_media)
        profile = PersonaProfile.model_validate_json(row.profile_json)
        return Persona(
            id=row.id, owner=row.owner, profile=profile, style=self.library.style(profile),
            base_image_status=BaseImageStatus(row.base_image_status), base_image_media=row.base_image_media,
            base_image_path=path, appearance_locked=row.appearance_locked, created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @staticmethod
    def _batch_image(r: PersonaImageRow) -> BatchImage:
        return BatchImage(batch_id=r.batch_id, index=r.idx, prompt=r.prompt, job_id=r.job_id, device=r.device,
                          status="completed" if r.status == "completed" else "failed", provider=r.provider,
                          media=r.media, is_placeholder=r.is_placeholder, note=r.note,
                          face_distance=r.face_distance, flagged=r.flagged, comparison=r.comparison,
                          generation_id=r.generation_id)
