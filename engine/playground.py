"""The Playground's direct text and speech calls, counted against the caller's limits and recorded as theirs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from engine.ownership import Owner
from engine.providers.base import SpeechRequest, TextRequest
from engine.providers.gateway import CallContext
from storage.media import MediaRef

if TYPE_CHECKING:
    from engine.routing.text import RoutedStream
    from engine.engine import Engine

__all__ = ["PlaygroundService"]


class PlaygroundService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stream_text(self, request: TextRequest, *, owner: Owner) -> RoutedStream:
        """The answer piece by piece, from the model the router picks (its decision and the generation id
        ride along); `RateLimited` (before any work) past the owner's limits."""
        self._engine.limits.check(owner)
        return self._engine.routed_text.stream(request, kind="playground", owner=owner)

    def speak(self, request: SpeechRequest, *, owner: Owner) -> tuple[MediaRef, str]:
        """Speech stored as the owner's media file, and the id of its generation record (for feedback)."""
        self._engine.limits.check(owner)
        context = CallContext(user_id=owner.id, owner=owner.id, kind="playground_speech", generation_id=uuid.uuid4().hex)
        result = self._engine.models.speech.synthesize([request], context)[0]
        return self._engine.media.put(result.wav, "wav", owner=owner.id), str(context.generation_id)
