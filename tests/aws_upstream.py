"""A small stand-in for AWS on 127.0.0.1: answers the few S3 (path-style, XML) and
DynamoDB (JSON 1.0) calls the boto3 scenarios make, and records each request's trace
headers and which headers its SigV4 signature covers.

S3: ``GET /<bucket>?list-type=2`` lists two objects, ``GET /<bucket>/<key>`` returns the
object (404 ``NoSuchKey`` for a key with "missing" in it), ``HEAD`` answers 200, except
that the first ``HEAD`` of a key with "flaky" in it answers 500 (botocore retries it).
DynamoDB: ``ListTables`` lists one table, ``DescribeTable`` answers 400
``ResourceNotFoundException``. Bedrock Runtime: ``Converse`` answers "Hi!".
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Dict, List, Set

LISTING = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Name>bucket</Name><Prefix>foo</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
    b"<IsTruncated>false</IsTruncated>"
    b"<Contents><Key>foo.txt</Key><Size>5</Size></Contents>"
    b"<Contents><Key>foo.bin</Key><Size>10</Size></Contents>"
    b"</ListBucketResult>"
)
NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
    b"<Message>The specified key does not exist.</Message><RequestId>req-404</RequestId>"
    b"<HostId>host-404</HostId></Error>"
)


def _signed(authorization: str) -> List[str]:
    for part in authorization.partition(" ")[2].split(","):
        key, _, value = part.strip().partition("=")
        if key == "SignedHeaders":
            return sorted(name for name in value.split(";") if name in ("sentry-trace", "baggage"))
    return []


def start_aws_upstream(received: List[Dict[str, Any]]) -> Any:
    flaky_seen: Set[str] = set()

    class Aws(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def record(self) -> None:
            received.append(
                {
                    "request": f"{self.command} {self.path}",
                    "target": self.headers.get("X-Amz-Target"),
                    "sentry-trace": self.headers.get_all("sentry-trace") or [],
                    "baggage": self.headers.get_all("baggage") or [],
                    "signed": _signed(self.headers.get("Authorization") or ""),
                }
            )
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)

        def reply(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amz-request-id", headers.pop("request_id", "req-1"))
            self.send_header("x-amz-id-2", "host-1")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            self.record()
            path = self.path.partition("?")[0]
            if "list-type=2" in self.path:
                self.reply(200, LISTING, "application/xml")
            elif "missing" in path:
                self.reply(404, NO_SUCH_KEY, "application/xml", request_id="req-404")
            else:
                self.reply(200, b"hello, world", "application/octet-stream")

        def do_HEAD(self) -> None:  # noqa: N802
            self.record()
            if "flaky" in self.path and self.path not in flaky_seen:
                flaky_seen.add(self.path)
                self.reply(500, b"", "application/xml", request_id="req-500")
            else:
                self.reply(200, b"", "application/octet-stream")

        def do_POST(self) -> None:  # noqa: N802
            self.record()
            target = self.headers.get("X-Amz-Target") or ""
            ctype = "application/x-amz-json-1.0"
            if self.path.endswith("/converse"):  # Bedrock Runtime
                answer = {
                    "output": {"message": {"role": "assistant", "content": [{"text": "Hi!"}]}},
                    "stopReason": "end_turn",
                    "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5},
                    "metrics": {"latencyMs": 12},
                }
                self.reply(200, json.dumps(answer).encode(), "application/json")
                return
            if target.endswith(".ListTables"):
                body = json.dumps({"TableNames": ["orders"]}).encode()
                self.reply(200, body, ctype, x_amzn_RequestId="ddb-1")
            else:
                error = {
                    "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                    "message": "Requested resource not found",
                }
                self.reply(400, json.dumps(error).encode(), ctype, x_amzn_RequestId="ddb-2")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Aws)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
