"""The Playground's direct text and speech calls, counted against the caller's limits and recorded as theirs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from engine.ownership import Owner
from engine.providers.base import SpeechRequest, TextRequest
from engine.providers.gateway import CallContext
from storage.media import MediaRef

if TYPE_CHECKING:
    from engine.limits import OwnerLimits
    from engine.providers.gateway import ModelGateway
    from engine.routing import RoutedText
    from engine.routing.text import RoutedStream
    from storage.media import MediaStore

__all__ = ["PlaygroundService"]


class PlaygroundService:
    def __init__(self, *, limits: OwnerLimits, media: MediaStore, models: ModelGateway, routed_text: RoutedText) -> None:
        self._limits = limits
        self._media = media
        self._models = models
        self._routed_text = routed_text

    def stream_text(self, request: TextRequest, *, owner: Owner) -> RoutedStream:
        """The answer piece by piece, from the model the router picks (its decision and the generation id
        ride along); `RateLimited` (before any work) past the owner's limits."""
        self._limits.check(owner)
        return self._routed_text.stream(request, kind="playground", owner=owner)

    def speak(self, request: SpeechRequest, *, owner: Owner) -> tuple[MediaRef, str]:
        """Speech stored as the owner's media file, and the id of its generation record (for feedback)."""
        self._limits.check(owner)
        context = CallContext(user_id=owner.id, owner=owner.id, kind="playground_speech", generation_id=uuid.uuid4().hex)
        result = self._models.speech.synthesize([request], context)[0]
        return self._media.put(result.wav, "wav", owner=owner.id), str(context.generation_id)
