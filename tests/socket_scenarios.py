"""DNS lookups and connections under sentry_sdk or sentry_lite with SocketIntegration.

Usage: python -m tests.socket_scenarios <sdk module> <dsn> <transaction or stream>
Connects to a local listening socket by name (``localhost``, so the connection makes a
lookup of its own) and looks a name up directly. Only the import differs between runs.
"""

from __future__ import annotations

import importlib
import socket
import sys


def main() -> None:
    module, dsn, mode = sys.argv[1:4]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.socket").SocketIntegration
    options = {"trace_lifecycle": "stream"} if mode == "stream" else {}
    sdk.init(dsn=dsn, traces_sample_rate=1.0, integrations=[integration()], **options)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    socket.getaddrinfo("localhost", 0)  # outside any span: nothing to record
    start = (
        sdk.traces.start_span(name="job")
        if mode == "stream"
        else sdk.start_transaction(name="job", op="task")
    )
    with start:
        socket.create_connection(("localhost", port), timeout=5).close()
        socket.getaddrinfo(b"localhost", str(port))
    listener.close()
    sdk.flush(5)


if __name__ == "__main__":
    main()
