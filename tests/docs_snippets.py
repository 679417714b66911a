"""Finding the code snippets of README.md and docs/, and running a page's Python
snippets the way a reader would: in order, in one fresh interpreter, sharing names.

What a snippet may rely on is described in docs/writing-docs.md. The run is hermetic:
sockets reach loopback addresses only, and ``sentry_lite.init`` records envelopes in
memory unless the snippet gives its own ``transport``, so a snippet with a real-looking
DSN sends nothing anywhere.
"""

from __future__ import annotations

import pathlib
import re
import textwrap
from typing import List, NamedTuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```", re.M | re.S)
MARK = re.compile(r"<!--\s*snippet:\s*([\w-]+)(?:\s+(\S+))?\s*-->\s*$")


class Snippet(NamedTuple):
    page: str
    line: int
    language: str
    mark: str
    code: str
    source: str = ""


def pages() -> List[pathlib.Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def snippets(path: pathlib.Path) -> List[Snippet]:
    text = path.read_text(encoding="utf-8")
    out = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        out.append(
            Snippet(
                str(path.relative_to(ROOT)),
                text.count("\n", 0, match.start()) + 2,
                match.group(2).lower(),
                mark.group(1) if mark else "",
                textwrap.dedent(match.group(3)),
                (mark.group(2) or "") if mark else "",
            )
        )
    return out


RUNNER = r"""
import ipaddress, json, socket, sys

ALLOWED = {"localhost", "127.0.0.1", "::1"}

def _local(host):
    if not isinstance(host, str) or host in ALLOWED or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

_connect = socket.socket.connect
def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        raise ConnectionRefusedError(f"docs snippets may not reach {address[0]}")
    return _connect(self, address)
socket.socket.connect = connect

_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        raise socket.gaierror(f"docs snippets may not resolve {host}")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo

import sentry_lite
from sentry_lite.testing import RecordingTransport

_init = sentry_lite.init
def init(*args, **kwargs):
    kwargs.setdefault("transport", RecordingTransport)
    return _init(*args, **kwargs)
sentry_lite.init = init

namespace = {"__name__": "__main__"}
for snippet in json.load(open(sys.argv[1])):
    code = compile(snippet["code"], f"{snippet['page']}:{snippet['line']}", "exec")
    exec(code, namespace)
sentry_lite.flush(2)
print("snippets ok")
"""
