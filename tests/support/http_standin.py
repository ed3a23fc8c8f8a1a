"""A small threaded local HTTP server that answers with scripted responses.

Used to test remote adapters through their real SDK clients offline: a test queues
the responses it wants (JSON, raw bytes, server-sent events, an HTTP status with
headers, a delay longer than the client's timeout) and reads back what was sent.
Unlike `openai_standin` it keeps request bodies as bytes (multipart uploads, binary
audio answers) and lets a response carry headers such as `retry-after`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["HttpStandIn", "Received", "Reply"]


@dataclass
class Reply:
    """One scripted answer. `events`: server-sent events, each sent as `data: <json>`."""

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    events: list[Any] | None = None
    delay_s: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class HttpStandIn:
    script: deque[Reply] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def start(self) -> HttpStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length", 0) or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                standin.received.append(
                    Received(self.command, parts.path, parse_qs(parts.query), {name.lower(): value for name, value in self.headers.items()}, body)
                )
                reply = standin.script.popleft() if standin.script else Reply(status=500, body={"error": "unscripted"})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.events is not None:
                    payload = b"".join(f"data: {json.dumps(event)}\r\n\r\n".encode() for event in reply.events)
                    content_type = "text/event-stream"
                elif reply.raw is not None:
                    payload, content_type = reply.raw, reply.content_type
                else:
                    payload, content_type = json.dumps(reply.body).encode(), reply.content_type
                self.send_response(reply.status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_POST = _answer
            do_GET = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
