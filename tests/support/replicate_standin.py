"""A local HTTP stand-in for the Replicate API, so the real `replicate` client can be tested offline.

It serves what the adapter uses: file uploads (POST /v1/files), model predictions
(POST /v1/models/OWNER/NAME/predictions), polling (GET /v1/predictions/ID), cancelling
(POST /v1/predictions/ID/cancel) and output downloads (GET /outputs/NAME, /files/ID).
Each test gives a `Plan` per model: the polls before the prediction ends (status and
logs), how it ends (an output, or an error), HTTP failures to answer before the real
answer (status, retry-after), and delays. Everything received is kept for assertions.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    detail: str = "scripted failure"


@dataclass
class Plan:
    """How one model's predictions go. `output`: a JSON value; "{base}" in strings becomes the server URL."""

    output: Any = None
    polls: list[tuple[str, str]] = field(default_factory=lambda: [("starting", ""), ("processing", "")])
    error: str | None = None  # set: the prediction fails with it
    create_failures: deque[Failure] = field(default_factory=deque)
    get_failures: deque[Failure] = field(default_factory=deque)
    create_delay_s: float = 0.0
    metrics: dict[str, Any] = field(default_factory=lambda: {"predict_time": 1.5})


@dataclass
class _Prediction:
    id: str
    model: str
    input: dict[str, Any]
    plan: Plan
    step: int = 0
    status: str = "starting"
    logs: str = ""

    def advance(self) -> None:
        if self.status in ("succeeded", "failed", "canceled"):
            return
        if self.step < len(self.plan.polls):
            self.status, self.logs = self.plan.polls[self.step]
            self.step += 1
            return
        self.status = "failed" if self.plan.error else "succeeded"


@dataclass
class ReplicateStandIn:
    plans: dict[str, Plan] = field(default_factory=dict)
    outputs: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    predictions: dict[str, _Prediction] = field(default_factory=dict)
    received: list[tuple[str, str]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve_output(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve `data` at /outputs/NAME; returns the output URL as a plan writes it."""
        self.outputs[name] = (data, content_type)
        return "{base}/outputs/" + name

    def created(self, model: str | None = None) -> list[_Prediction]:
        return [p for p in self.predictions.values() if model in (None, p.model)]

    def polls(self) -> int:
        return sum(1 for method, path in self.received if method == "GET" and path.startswith("/v1/predictions/"))

    # -- the server --------------------------------------------------------------------------------
    def start(self) -> ReplicateStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
                      raw: bytes | None = None, content_type: str = "application/json") -> None:  # fmt: skip
                payload = raw if raw is not None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _fail(self, failure: Failure) -> None:
                headers = {"retry-after": failure.retry_after} if failure.retry_after is not None else {}
                self._send(failure.status, {"detail": failure.detail, "status": failure.status}, headers)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("content-length", 0)))

            def do_GET(self) -> None:
                standin.received.append(("GET", self.path))
                if match := re.fullmatch(r"/v1/predictions/([\w-]+)", self.path):
                    prediction = standin.predictions.get(match.group(1))
                    if prediction is None:
                        return self._send(404, {"detail": "not found"})
                    if prediction.plan.get_failures:
                        return self._fail(prediction.plan.get_failures.popleft())
                    with standin._lock:
                        prediction.advance()
                    return self._send(200, standin._json(prediction))
                if match := re.fullmatch(r"/outputs/(.+)", self.path):
                    found = standin.outputs.get(match.group(1))
                    if found is None:
                        return self._send(404, {"detail": "no such output"})
                    return self._send(200, None, raw=found[0], content_type=found[1])
                if match := re.fullmatch(r"/files/([\w-]+)", self.path):
                    name, data = standin.uploads[match.group(1)]
                    return self._send(200, None, raw=data, content_type="application/octet-stream")
                self._send(404, {"detail": f"no route {self.path}"})

            def do_POST(self) -> None:
                standin.received.append(("POST", self.path))
                body = self._body()
                standin.tokens.add(self.headers.get("authorization", ""))
                if self.path == "/v1/files":
                    return self._send(201, standin._upload(self.headers.get("content-type", ""), body))
                if match := re.fullmatch(r"/v1/models/([\w.-]+/[\w.-]+)/predictions", self.path):
                    model = match.group(1)
                    plan = standin.plans.setdefault(model, Plan())
                    if plan.create_failures:
                        return self._fail(plan.create_failures.popleft())
                    if plan.create_delay_s:
                        time.sleep(plan.create_delay_s)
                    prediction = _Prediction(uuid.uuid4().hex[:12], model, json.loads(body or b"{}").get("input", {}), plan)
                    standin.predictions[prediction.id] = prediction
                    return self._send(201, standin._json(prediction))
                if match := re.fullmatch(r"/v1/predictions/([\w-]+)/cancel", self.path):
                    prediction = standin.predictions[match.group(1)]
                    with standin._lock:
                        prediction.status = "canceled"
                    standin.cancelled.append(prediction.id)
                    return self._send(200, standin._json(prediction))
                self._send(404, {"detail": f"no route {self.path}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- answers ---------------------------------------------------------------------------------
    def _upload(self, content_type: str, body: bytes) -> dict[str, Any]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        part = next(p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "content")
        file_id = uuid.uuid4().hex[:10]
        name = part.get_filename() or "file"
        data = part.get_payload(decode=True) or b""
        self.uploads[file_id] = (name, data)
        return {
            "id": file_id, "name": name, "content_type": part.get_content_type(), "size": len(data), "etag": file_id,
            "checksums": {}, "metadata": {}, "created_at": "2026-01-01T00:00:00Z", "expires_at": None,
            "urls": {"get": f"{self.base_url}/files/{file_id}"},
        }

    def _json(self, prediction: _Prediction) -> dict[str, Any]:
        done = prediction.status == "succeeded"
        output = _fill(prediction.plan.output, self.base_url) if done else None
        return {
            "id": prediction.id, "model": prediction.model, "version": "v1", "status": prediction.status,
            "input": prediction.input, "output": output, "logs": prediction.logs,
            "error": prediction.plan.error if prediction.status == "failed" else None,
            "metrics": prediction.plan.metrics if done else {},
            "created_at": "2026-01-01T00:00:00Z", "started_at": None, "completed_at": None,
            "urls": {"get": f"{self.base_url}/v1/predictions/{prediction.id}",
                     "cancel": f"{self.base_url}/v1/predictions/{prediction.id}/cancel"},
        }  # fmt: skip


def _fill(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [_fill(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, base) for k, v in value.items()}
    return value
