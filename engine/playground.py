"""The Playground's direct text and speech calls, counted against the caller's limits and recorded as theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine.ownership import Owner
from engine.providers.base import SpeechRequest, TextRequest
from engine.providers.gateway import CallContext
from storage.media import MediaRef

if TYPE_CHECKING:
    from engine.engine import Engine

__all__ = ["PlaygroundService"]


class PlaygroundService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stream_text(self, request: TextRequest, *, owner: Owner) -> Iterator[str]:
        """The answer piece by piece; `RateLimited` (before any work) past the owner's limits."""
        self._engine.limits.check(owner)
        return self._engine.models.text.stream(request, CallContext(user_id=owner.id, owner=owner.id))

    def speak(self, request: SpeechRequest, *, owner: Owner) -> MediaRef:
        """Speech stored as the owner's media file."""
        self._engine.limits.check(owner)
        result = self._engine.models.speech.synthesize([request], CallContext(user_id=owner.id, owner=owner.id))[0]
        return self._engine.media.put(result.wav, "wav", owner=owner.id)
