"""A local HTTP stand-in for the OpenAI API, so the real `openai` client can be tested offline.

Each test queues the responses it wants: a JSON body, an SSE stream, an HTTP status,
or a delay longer than the client's timeout; or, for a long conversation (a story), sets
`answer`, which makes the reply to each request the queue has none for. Requests received
are kept for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    stream: list[str] | None = None
    delay_s: float = 0.0
    raw: str | None = None


def chat_completion(content: str, tokens: int = 5) -> dict[str, Any]:
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 0,
        "model": "local-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": tokens, "total_tokens": 3 + tokens},
    }


@dataclass
class OpenAIStandIn:
    script: deque[Scripted] = field(default_factory=deque)
    received: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    answer: Callable[[dict[str, Any]], Scripted] | None = None  # path + body -> reply, once the script is spent

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> OpenAIStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                standin.received.append({"path": self.path, "body": json.loads(self.rfile.read(length) or b"{}")})
                if standin.script:
                    scripted = standin.script.popleft()
                elif standin.answer is not None:
                    scripted = standin.answer(standin.received[-1])
                else:
                    scripted = Scripted(status=500, body={"error": "unscripted"})
                if scripted.delay_s:
                    time.sleep(scripted.delay_s)
                if scripted.stream is not None:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    for piece in scripted.stream:
                        chunk = {
                            "id": "c",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "local-model",
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                payload = scripted.raw if scripted.raw is not None else json.dumps(scripted.body)
                self.send_response(scripted.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload.encode())))
                self.end_headers()
                self.wfile.write(payload.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
