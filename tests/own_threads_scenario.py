"""The SDK's first capture starts its sending thread inside the app's span.

Usage: python -m tests.own_threads_scenario <dsn> <transaction or stream>
With SocketIntegration on, any connection made under the app's span is recorded; the
app connects to a local socket of its own, the SDK to its ingest.
"""

from __future__ import annotations

import socket
import sys
import time

import sentry_lite
from sentry_lite.integrations.socket import SocketIntegration


def main() -> None:
    dsn, mode = sys.argv[1:3]
    options = {"trace_lifecycle": "stream"} if mode == "stream" else {}
    sentry_lite.init(dsn=dsn, traces_sample_rate=1.0, integrations=[SocketIntegration()], **options)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    app_port = listener.getsockname()[1]
    if mode == "stream":
        running = sentry_lite.traces.start_span(name="job")
    else:
        running = sentry_lite.start_transaction(name="job", op="task")
    with running:
        sentry_lite.capture_message("first capture: the sending thread starts here")
        time.sleep(0.3)  # it connects to the ingest while the app's span still runs
        sentry_lite.capture_message("second")
        socket.create_connection(("127.0.0.1", app_port), timeout=5).close()
        time.sleep(0.3)
    listener.close()
    sentry_lite.flush(5)
    print(app_port)


if __name__ == "__main__":
    main()
