"""A local stand-in for the OpenAI and Anthropic REST APIs, for the AI client scenarios.

It speaks the subset the clients use for chat completions, responses and embeddings
(``/v1/chat/completions``, ``/v1/responses``, ``/v1/embeddings``) and Anthropic
messages (``/v1/messages``): JSON answers, and server-sent events when the request asks
for ``"stream": true``. A request for the model ``broken`` gets a 400 error (the
clients do not retry a 400), and a streamed request for ``cut`` an error event half-way
through its stream. Stopped with ``.shutdown()`` (or with its process).
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Dict, Iterator, List, Tuple

CREATED = 1_700_000_000


def _chat(body: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": CREATED,
        "model": f"{body['model']}-2024",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello from the model"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16},
    }


def _chat_events(body: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    base = {"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": CREATED}
    base["model"] = f"{body['model']}-2024"
    for text in ("Hel", "lo ", "stream"):
        choice = {"index": 0, "delta": {"content": text}, "finish_reason": None}
        yield "", {**base, "choices": [choice]}
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
        yield "", {**base, "choices": [], "usage": usage}


def _response(body: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": CREATED,
        "model": f"{body['model']}-2024",
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": "Hi from responses", "annotations": []}
                ],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 9,
            "output_tokens": 4,
            "total_tokens": 13,
            "input_tokens_details": {"cached_tokens": 2},
            "output_tokens_details": {"reasoning_tokens": 1},
        },
    }


def _response_events(body: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    done = _response(body)
    started = {**done, "status": "in_progress", "output": [], "usage": None}
    yield (
        "response.created",
        {"type": "response.created", "response": started, "sequence_number": 0},
    )
    for number, text in enumerate(("Hi ", "from ", "stream"), start=1):
        yield (
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "item_id": "msg_1",
                "output_index": 0,
                "content_index": 0,
                "delta": text,
                "logprobs": [],
                "sequence_number": number,
            },
        )
    yield (
        "response.completed",
        {"type": "response.completed", "response": done, "sequence_number": 4},
    )


def _embeddings(body: Dict[str, Any]) -> Dict[str, Any]:
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": [0.5, -0.25]}
            for i in range(len(inputs))
        ],
        "model": body["model"],
        "usage": {"prompt_tokens": 5, "total_tokens": 5},
    }


def _message(body: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": f"{body['model']}-2024",
        "content": [{"type": "text", "text": "Hi from Claude"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 5,
            "cache_read_input_tokens": 2,
            "cache_creation_input_tokens": 1,
        },
    }


def _message_events(body: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    start = {**_message(body), "id": "msg_02", "content": [], "stop_reason": None}
    start["usage"] = {"input_tokens": 11, "output_tokens": 1}
    yield "message_start", {"type": "message_start", "message": start}
    block = {"type": "text", "text": ""}
    yield "content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}
    for text in ("Streamed ", "by ", "Claude"):
        delta = {"type": "text_delta", "text": text}
        yield "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 6},
        },
    )
    yield "message_stop", {"type": "message_stop"}


ROUTES = {
    "/v1/chat/completions": (_chat, _chat_events, True),
    "/v1/responses": (_response, _response_events, False),
    "/v1/embeddings": (_embeddings, None, False),
    "/v1/messages": (_message, _message_events, False),
}
"""path -> (JSON answer, event stream, does the stream end with ``data: [DONE]``)."""


def start_ai_upstream(requests: List[Dict[str, Any]]) -> Any:
    """Serve on a free 127.0.0.1 port; every request body is appended to ``requests``."""

    class Upstream(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            requests.append({"path": self.path, "body": body})
            route = ROUTES.get(self.path)
            if route is None:
                self._json(404, {"error": {"type": "not_found", "message": self.path}})
            elif body.get("model") == "broken":
                error = {"type": "invalid_request_error", "message": "model broken"}
                self._json(400, {"type": "error", "error": error})
            elif body.get("stream") and body.get("model") == "cut" and route[1] is not None:
                first = next(iter(route[1](body)))
                failure = ("error", {"error": {"type": "overloaded_error", "message": "cut"}})
                self._events(iter([first, failure]), False)
            elif body.get("stream") and route[1] is not None:
                self._events(route[1](body), route[2])
            else:
                self._json(200, route[0](body))

        def _json(self, status: int, payload: Dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _events(self, events: Iterator[Tuple[str, Dict[str, Any]]], done: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for name, payload in events:
                head = f"event: {name}\n" if name else ""
                self.wfile.write(f"{head}data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()
            if done:
                self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
