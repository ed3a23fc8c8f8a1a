"""Google Gemini through Google's current SDK, `google-genai` (not the deprecated `google-generativeai`).

`gemini` serves text (chat, streaming, JSON output) with `STUDIO_GEMINI_TEXT_MODEL`, and
text-to-image and instruction edits with `STUDIO_GEMINI_IMAGE_MODEL` (a model that offers
image output, e.g. gemini-2.5-flash-image), all with `STUDIO_GEMINI_API_KEY`.
speech with `STUDIO_GEMINI_SPEECH_MODEL` (`engine.providers.gemini_speech`).
`STUDIO_GEMINI_BASE_URL` points the client elsewhere (a proxy; the tests' local stand-in).
The SDK is imported inside the adapter; its own retries are off, and 429/5xx answers are
retried here, honouring retry-after (`engine.providers.retrying`).
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import ContentRejected, InvalidRequest, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import (
    Capability,
    ImageModel,
    ImageRequest,
    ImageResult,
    TextModel,
    TextRequest,
    TextResult,
)
from engine.providers.catalogue_prices import catalogue_prices
from engine.providers.generative import ImageEditor, ImageEditRequest, ImageEditResult
from engine.providers.media_codec import decode_image, png_bytes, resized_like
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.providers.retrying import with_retries
from engine.settings import Settings

if TYPE_CHECKING:
    from google import genai

__all__ = ["GeminiImageEditor", "GeminiImageModel", "GeminiTextModel", "register"]

PROVIDER = "gemini"
_INSTALL_HINT = "the google-genai package is not installed: run make install"
_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_REFUSALS = frozenset({"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "RECITATION", "JAILBREAK"})
# Aspect ratios the Gemini image models accept, as width / height.
_ASPECTS = {"1:1": 1.0, "2:3": 2 / 3, "3:2": 1.5, "3:4": 0.75, "4:3": 4 / 3, "4:5": 0.8, "5:4": 1.25, "9:16": 9 / 16, "16:9": 16 / 9, "21:9": 21 / 9}

T = TypeVar("T")


class GeminiCall:
    """A google-genai client and how its errors become the studio's."""

    def __init__(self, settings: Settings) -> None:
        try:
            from google import genai
            from google.genai import types
        except ImportError as exc:  # pragma: no cover - google-genai is a pinned dependency
            raise ProviderUnavailable(_INSTALL_HINT) from exc
        key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else ""
        options = types.HttpOptions(base_url=settings.gemini_base_url, timeout=int(settings.provider_timeout_s * 1000))
        self.client: genai.Client = genai.Client(api_key=key, http_options=options)
        self.types = types
        self._retries = settings.provider_retries
        self._max_wait_s = settings.provider_retry_max_wait_s

    def __call__(self, call: Callable[[], T]) -> T:
        """Run one SDK call with retries; any failure leaves as a project error."""
        try:
            return with_retries(call, wait_of=_wait_of, retries=self._retries, max_wait_s=self._max_wait_s)
        except Exception as exc:
            raise translate(exc) from exc

    def close(self) -> None:
        self.client.close()


def _retry_after(exc: Any) -> float | None:
    """Seconds from the answer's retry-after header, else from Google's RetryInfo detail ("7s")."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            pass
    for detail in (getattr(exc, "details", None) or {}).get("error", {}).get("details", []) or []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if delay and re.fullmatch(r"[\d.]+s", delay):
            return float(delay[:-1])
    return None


def _wait_of(exc: BaseException) -> float | None:
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        if exc.code == 429:
            return _retry_after(exc) or 0.0
        if exc.code in _RETRIED_STATUSES:
            return 0.0
    return None


def translate(exc: Exception) -> Exception:
    """Turn a google-genai (or transport) error into the studio's error tree."""
    from google.genai import errors

    if isinstance(exc, ProviderError | InvalidRequest):
        return exc
    if isinstance(exc, errors.APIError):
        message = exc.message or exc.status or ""
        if exc.code == 429:
            wait = _retry_after(exc) or 10.0
            return RateLimited(f"gemini is rate limiting requests; try again in {wait:.0f} s.", wait)
        if exc.code in (401, 403) or "API key" in message:
            return ProviderUnavailable("gemini refused the API key; check STUDIO_GEMINI_API_KEY.")
        if exc.code == 404:
            return ProviderUnavailable(f"gemini has no such model: {message} (check STUDIO_GEMINI_*_MODEL).")
        return ProviderError(f"gemini answered HTTP {exc.code}: {message}")
    name = type(exc).__name__
    if "Timeout" in name:
        return ProviderUnavailable("gemini did not answer in time (STUDIO_PROVIDER_TIMEOUT_S).")
    if name in ("ConnectError", "ConnectTimeout", "RemoteProtocolError", "ReadError", "NetworkError"):
        return ProviderUnavailable(f"Cannot reach gemini: {exc}")
    if isinstance(exc, ValueError):  # JSONDecodeError, pydantic's ValidationError: an answer we cannot read
        return ProviderError(f"gemini sent a malformed answer: {name}")
    return ProviderError(f"gemini failed: {name}: {exc}")


def _first_candidate(response: Any) -> Any:
    """The first candidate, or the refusal / emptiness as a project error."""
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None and feedback.block_reason:
        raise ContentRejected(f"gemini refused this request ({_enum_name(feedback.block_reason)}).")
    if not response.candidates:
        raise ProviderError("gemini returned no candidates.")
    candidate = response.candidates[0]
    if _enum_name(candidate.finish_reason) in _REFUSALS:
        raise ContentRejected(f"gemini stopped under its content policy ({_enum_name(candidate.finish_reason)}).")
    return candidate


def _enum_name(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _finish(value: Any) -> str:
    return {"STOP": "stop", "MAX_TOKENS": "length"}.get(_enum_name(value), _enum_name(value).lower() or "stop")


class GeminiTextModel(TextModel):
    provider = PROVIDER
    local = False
    features = frozenset({"chat", "stream", "json_mode"})

    def __init__(self, settings: Settings) -> None:
        self._call = GeminiCall(settings)
        self._model = settings.gemini_text_model

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: TextRequest) -> float:
        return 0.0004  # ≈ one short answer of a flash model

    def _arguments(self, request: TextRequest) -> dict[str, Any]:
        types = self._call.types
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user", parts=[types.Part.from_text(text=m.content)])
            for m in request.messages
            if m.role != "system"
        ]
        if not contents:
            raise InvalidRequest("messages", "give at least one user message")
        config = types.GenerateContentConfig(
            system_instruction=system or None,
            max_output_tokens=request.max_new_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            stop_sequences=list(request.stop) or None,
            seed=request.seed,
            response_mime_type="application/json" if request.json_mode else None,
        )
        return {"model": self._model, "contents": contents, "config": config}

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        results = []
        for request in requests:
            arguments = self._arguments(request)
            response = self._call(lambda: self._call.client.models.generate_content(**arguments))
            candidate = _first_candidate(response)
            usage = response.usage_metadata
            results.append(
                TextResult(
                    text=response.text or "",
                    tokens=(usage.candidates_token_count or 0) if usage else 0,
                    finish_reason=_finish(candidate.finish_reason),
                )
            )
        return results

    def stream(self, request: TextRequest) -> Iterator[str]:
        arguments = self._arguments(request)

        def open_stream() -> tuple[Any, Iterator[Any]]:
            # The SDK sends the request when the stream is first read: read the first chunk
            # inside the retries, so that a 429 or 5xx at the start is retried like any call.
            chunks = iter(self._call.client.models.generate_content_stream(**arguments))
            return next(chunks, None), chunks

        first, rest = self._call(open_stream)
        try:
            for piece in itertools.chain([first] if first is not None else [], rest):
                if piece.candidates:
                    _first_candidate(piece)
                if piece.text:
                    yield piece.text
        except Exception as exc:
            raise translate(exc) from exc

    def close(self) -> None:
        self._call.close()


def _aspect_ratio(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    wanted = width / height
    return min(_ASPECTS, key=lambda name: abs(_ASPECTS[name] - wanted))


class _GeminiImages:
    """Shared by the text-to-image and edit adapters: one generate_content call with image output."""

    def __init__(self, settings: Settings) -> None:
        self._call = GeminiCall(settings)
        self._model = settings.gemini_image_model

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: Any) -> float:
        return catalogue_prices().image_estimate(PROVIDER, self._model)

    def _image(self, contents: list[Any], aspect_ratio: str | None) -> tuple[Any, str]:
        types = self._call.types
        config = types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio=aspect_ratio) if aspect_ratio else None,
        )
        response = self._call(
            lambda: self._call.client.models.generate_content(model=self._model, contents=contents, config=config)
        )
        candidate = _first_candidate(response)
        parts = (candidate.content.parts if candidate.content else None) or []
        said = " ".join(part.text for part in parts if part.text).strip()
        for part in parts:
            if part.inline_data is not None and (part.inline_data.mime_type or "").startswith("image/"):
                return decode_image(part.inline_data.data or b"", PROVIDER), said
        raise ProviderError(f"gemini answered without an image{': ' + said[:200] if said else ''} (model {self._model}).")

    def close(self) -> None:
        self._call.close()


class GeminiImageModel(_GeminiImages, ImageModel):
    provider = PROVIDER
    local = False
    features = frozenset({"text_to_image"})

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        results = []
        for request in requests:
            prompt = request.prompt + (f"\nAvoid: {request.negative_prompt}" if request.negative_prompt else "")
            picture, said = self._image([prompt], _aspect_ratio(request.width, request.height))
            results.append(ImageResult(image=picture, note=said[:500]))
        return results


class GeminiImageEditor(_GeminiImages, ImageEditor):
    """Instruction edits only: the model redraws the picture as told. img2img and inpaint
    (strength, masks) are not what it offers; those go to the next adapter of the chain."""

    provider = PROVIDER
    local = False
    features = frozenset({"instruction"})

    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        results = []
        for request in requests:
            if request.mode != "instruction":
                raise ProviderUnavailable(f"gemini edits by instruction only, not {request.mode}.")
            picture = self._call.types.Part.from_bytes(data=png_bytes(request.image), mime_type="image/png")
            edited, said = self._image([picture, request.prompt], None)
            results.append(
                ImageEditResult(
                    image=resized_like(edited, request.image), operations=(f"gemini edit: {request.prompt[:80]}",), note=said[:500]
                )
            )
        return results


def _check(settings: Settings) -> str | None:
    if importlib.util.find_spec("google.genai") is None:
        return _INSTALL_HINT
    if not settings.gemini_api_key:
        return "set STUDIO_GEMINI_API_KEY to use it"
    return None


def register(registry: ProviderRegistry) -> None:
    from engine.providers.gemini_speech import GeminiSpeechModel

    for capability, description, factory in (
        (Capability.TEXT, "Google Gemini chat, streaming and JSON output (google-genai SDK)", GeminiTextModel),
        (Capability.IMAGE, "Google Gemini image generation (STUDIO_GEMINI_IMAGE_MODEL)", GeminiImageModel),
        (Capability.IMAGE_EDIT, "Google Gemini instruction edits of a picture", GeminiImageEditor),
        (Capability.SPEECH, "Google Gemini text-to-speech (STUDIO_GEMINI_SPEECH_MODEL)", GeminiSpeechModel),
    ):
        registry.register(
            AdapterSpec(
                provider=PROVIDER,
                capability=capability,
                description=description,
                check=_check,
                local=False,
                factory=lambda s, device, build=factory: build(s),
            )
        )
