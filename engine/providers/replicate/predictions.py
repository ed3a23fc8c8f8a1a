"""Replicate predictions through the official `replicate` SDK: create, poll, cancel, download.

Each HTTP request that Replicate answers with 429 or 5xx is tried again (tenacity) after
the `retry-after` it names, else after an exponential backoff with jitter; a retry-after
longer than `MAX_RETRY_AFTER_S` is not waited for but raised as `RateLimited`, so the
queue can place the job later. A prediction is polled every `STUDIO_REPLICATE_POLL_S`,
its progress (the percentage in its logs, else its status) reported to the queue; it is
cancelled on Replicate when its job is cancelled or when it runs past
`STUDIO_REPLICATE_TIMEOUT_S`. SDK and HTTP errors become studio errors here.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import tenacity

from engine.errors import ContentRejected, JobCancelled, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.progress import cancelled, report

if TYPE_CHECKING:
    import replicate
    from replicate.prediction import Prediction

__all__ = ["INSTALL_HINT", "MAX_RETRY_AFTER_S", "Finished", "PredictionRunner"]

INSTALL_HINT = "the replicate package is not installed: pip install replicate==1.0.7"
MAX_RETRY_AFTER_S = 60.0
_TERMINAL = {"succeeded", "failed", "canceled"}
_REFUSALS = ("nsfw", "safety", "content policy", "flagged")
T = TypeVar("T")
log = logging.getLogger(__name__)


class _Transient(Exception):
    """Replicate answered 429 or 5xx: worth another try."""

    def __init__(self, status: int, retry_after: float | None, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.retry_after = retry_after
        self.detail = detail


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _raise_transient(response: httpx.Response) -> None:
    """httpx response hook: a 429 or 5xx becomes `_Transient`, carrying its retry-after."""
    if response.status_code == 429 or response.status_code >= 500:
        response.read()
        try:
            detail = str(response.json().get("detail") or response.reason_phrase)
        except ValueError:
            detail = response.text[:200] or response.reason_phrase
        raise _Transient(response.status_code, _retry_after(response.headers.get("retry-after")), detail)


def _wait(backoff: Callable[[tenacity.RetryCallState], float]) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state)

    return wait


def _worth_retrying(exc: BaseException) -> bool:
    return isinstance(exc, _Transient) and (exc.retry_after or 0.0) <= MAX_RETRY_AFTER_S


class _TimeoutFloor(httpx.BaseTransport):
    """Give every request a timeout: the SDK sends predictions and uploads with `timeout=None`
    (no limit at all), so an unanswered create would hang its worker for good."""

    def __init__(self, inner: httpx.BaseTransport, timeout: httpx.Timeout) -> None:
        self._inner = inner
        self._timeout = timeout.as_dict()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        given = request.extensions.get("timeout") or {}
        if all(value is None for value in given.values()):
            request.extensions["timeout"] = self._timeout
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class Finished:
    """A prediction that succeeded: its raw output, id and the seconds Replicate says it ran."""

    id: str
    model: str
    output: Any
    predict_seconds: float | None


class PredictionRunner:
    """One SDK client; `predict(model, input, index)` runs a prediction to its end."""

    def __init__(self, *, token: str, base_url: str | None, request_timeout_s: float, poll_s: float,
                 timeout_s: float, attempts: int, backoff_s: float = 0.5) -> None:  # fmt: skip
        try:
            import replicate
        except ImportError as exc:
            raise ProviderUnavailable(INSTALL_HINT) from exc
        timeout = httpx.Timeout(request_timeout_s)

        def client() -> replicate.Client:
            return replicate.Client(
                api_token=token, base_url=base_url, timeout=timeout, event_hooks={"response": [_raise_transient]},
                transport=_TimeoutFloor(httpx.HTTPTransport(), timeout),
            )  # fmt: skip

        self._new_client = client
        self._client = client()
        self._poll_s = poll_s
        self._timeout_s = timeout_s
        self._retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(attempts),
            wait=_wait(tenacity.wait_exponential_jitter(initial=backoff_s, max=30.0, jitter=backoff_s)),
            retry=tenacity.retry_if_exception(_worth_retrying),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        self.waits: deque[float] = deque(maxlen=100)  # the latest backoffs, in seconds

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        self.waits.append(wait)
        log.warning("Replicate answered %s; try %d again in %.2f s", state.outcome.exception() if state.outcome else "?",
                    state.attempt_number + 1, wait)  # fmt: skip

    # -- one HTTP exchange, retried and translated ------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        from replicate.exceptions import ReplicateError

        try:
            for attempt in self._retrying.copy():
                with attempt:
                    return fn()
        except _Transient as exc:
            if exc.status == 429:
                wait = exc.retry_after if exc.retry_after is not None else 10.0
                raise RateLimited(f"Replicate is rate limiting requests ({what}); try again in {wait:.0f} s.", wait) from exc
            raise ProviderUnavailable(f"Replicate answered {exc} while trying to {what}.") from exc
        except ReplicateError as exc:
            if exc.status in (401, 403):
                raise ProviderUnavailable("Replicate refused the token; check STUDIO_REPLICATE_API_TOKEN.") from exc
            if exc.status == 404:
                raise ProviderUnavailable(f"Replicate does not know what we asked for ({what}): {exc.detail}") from exc
            raise ProviderError(f"Replicate refused to {what}: HTTP {exc.status} {exc.detail or exc.title}") from exc
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"Replicate did not answer in time to {what} (STUDIO_PROVIDER_TIMEOUT_S).") from exc
        except httpx.HTTPStatusError as exc:  # a file download refused
            raise ProviderError(f"Replicate output could not be downloaded: HTTP {exc.response.status_code}") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"Cannot reach Replicate to {what}: {exc}") from exc
        raise AssertionError("tenacity returned without a result")  # pragma: no cover

    # -- a prediction, start to end ----------------------------------------------------------------
    def predict(self, model: str, inputs: dict[str, Any], index: int = 0) -> Finished:
        """Run `model` on `inputs` (files uploaded first); progress and cancellation are item `index`'s."""
        from replicate.helpers import encode_json

        report(index, 0.01, f"{model}: uploading inputs")
        encoded = self._call("upload the inputs", lambda: encode_json(inputs, client=self._client))
        prediction = self._call(f"start {model}", lambda: self._client.models.predictions.create(model=model, input=encoded))
        try:
            prediction = self._follow(model, prediction, index)
        except BaseException:  # cancelled, timed out, interrupted (Ctrl-C), lost: stop paying for it
            self._cancel(prediction)
            raise
        if prediction.status == "canceled":
            raise JobCancelled(f"The Replicate prediction {prediction.id} of {model} was cancelled.")
        if prediction.status == "failed":
            error = str(prediction.error or "no reason given")
            if any(word in error.lower() for word in _REFUSALS):
                raise ContentRejected(f"{model} refused this request: {error}")
            raise ProviderError(f"{model} failed on Replicate: {error}")
        report(index, 0.95, f"{model}: done, downloading")
        seconds = (prediction.metrics or {}).get("predict_time")
        return Finished(prediction.id, model, prediction.output, float(seconds) if seconds is not None else None)

    def _follow(self, model: str, prediction: Prediction, index: int) -> Prediction:
        """Poll until the prediction ends; raise on cancellation or timeout (`predict` cancels it)."""
        started = time.monotonic()
        while prediction.status not in _TERMINAL:
            if cancelled(index):
                raise JobCancelled(f"Cancelled; the Replicate prediction {prediction.id} was cancelled too.")
            if time.monotonic() - started > self._timeout_s:
                raise ProviderUnavailable(
                    f"{model} ran past {self._timeout_s:.0f} s (STUDIO_REPLICATE_TIMEOUT_S); its prediction was cancelled."
                )
            fraction, message = _progress(prediction)
            report(index, fraction, f"{model}: {message}")
            time.sleep(self._poll_s)
            prediction = self._call(f"follow {model}", lambda pid=prediction.id: self._client.predictions.get(pid))
        return prediction

    def _cancel(self, prediction: Prediction) -> None:
        try:
            self._call("cancel the prediction", lambda: self._client.predictions.cancel(prediction.id))
        except ProviderError:
            pass  # the caller's own error says what happened; a failed cancel must not hide it

    def download(self, url: str) -> bytes:
        """An output file's bytes (an https URL or a data: URL), through the SDK's client."""
        from replicate.helpers import FileOutput

        if not isinstance(url, str) or not url.startswith(("http://", "https://", "data:")):
            raise ProviderError(f"Replicate returned an output that is not a file URL: {str(url)[:80]!r}")
        return self._call("download the output", lambda: FileOutput(url, self._client).read())

    def close(self) -> None:
        """Close the connections; a later prediction opens new ones (the SDK's client offers no close)."""
        closing, self._client = self._client, self._new_client()
        closing._client.close()


def _progress(prediction: Prediction) -> tuple[float, str]:
    """How far along, from the percentage a model prints in its logs, else from its status."""
    progress = prediction.progress
    if progress is not None:
        return 0.1 + 0.8 * progress.percentage, f"{progress.current}/{progress.total} ({progress.percentage:.0%})"
    return (0.05, "starting") if prediction.status == "starting" else (0.1, prediction.status)
