"""``sentry-lite tail``: what a receiver gets, live, one line per item in the terminal
(or one JSON object per line), filtered by type, level, text, release, environment,
project and SDK. Starts a receiver when none runs."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

from sentry_lite.devserver.local import ensure_receiver
from sentry_lite.devserver.server import format_line
from sentry_lite.devserver.store import Received

__all__ = ["LEVELS", "Filter", "read_live", "run_tail"]

LEVELS = ("debug", "info", "warning", "error", "fatal")
_TYPE_NAMES = {"error": "event", "errors": "event", "events": "event", "logs": "log"}
Printer = Callable[[str], None]


class Filter:
    def __init__(
        self,
        types: Sequence[str] = (),
        level: Optional[str] = None,
        grep: Optional[str] = None,
        fields: Optional[Dict[str, str]] = None,
    ) -> None:
        self.types = {_TYPE_NAMES.get(t, t) for t in types if t}
        self.min_level = LEVELS.index(level) if level in LEVELS else None
        self.grep = grep.lower() if grep else None
        self.fields = {k: v for k, v in (fields or {}).items() if v}

    def __call__(self, item: Dict[str, Any]) -> bool:
        if item.get("duplicate") or item.get("item_type") == "clear":
            return False
        if self.types and item.get("item_type") not in self.types:
            return False
        if self.min_level is not None:
            level = str(item.get("level") or "info").lower()
            rank = LEVELS.index(level) if level in LEVELS else LEVELS.index("info")
            if rank < self.min_level:
                return False
        if self.grep and self.grep not in str(item.get("title") or "").lower():
            return False
        for name, wanted in self.fields.items():
            value = str(item.get(name) or "")
            if value != wanted and not (name == "sdk" and value.startswith(wanted)):
                return False
        return True


def read_live(base_url: str, stop: threading.Event) -> Iterator[Dict[str, Any]]:
    """Items from the receiver's live feed (Server-Sent Events on ``/live``)."""
    request = urllib.request.Request(base_url + "/live", headers={"Accept": "text/event-stream"})
    with urllib.request.urlopen(request, timeout=None) as response:  # noqa: S310
        data: List[str] = []
        for raw in response:
            if stop.is_set():
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif not line and data:
                try:
                    item = json.loads("\n".join(data))
                except ValueError:
                    item = None
                data = []
                if isinstance(item, dict):
                    yield item


def _as_received(item: Dict[str, Any]) -> Received:
    fields = {k: v for k, v in item.items() if k in Received.__slots__ and k != "item_type"}
    fields.pop("title", None)
    return Received(str(item.get("item_type")), str(item.get("title") or ""), **fields)


def run_tail(
    url: str,
    keep: Filter,
    as_json: bool = False,
    start: bool = True,
    out: Printer = print,
    err: Printer = print,
    stop: Optional[threading.Event] = None,
) -> int:
    stop = stop or threading.Event()
    lock = threading.Lock()

    def show(item: Dict[str, Any], base: str) -> None:
        if not keep(item):
            return
        if as_json:
            record = dict(item)
            if record.get("link"):
                record["url"] = base + str(record["link"])
            text = json.dumps(record, ensure_ascii=False)
        else:
            text = format_line(_as_received(item), base)
        with lock:
            out(text)

    def on_item(received: Received, base: str) -> None:
        show(received.as_dict(), base)

    try:
        base, server = ensure_receiver(url, on_item=on_item, start=start)
    except (OSError, ValueError) as exc:
        err(f"sentry-lite tail: {exc}")
        return 1
    try:
        if server is not None:
            err(f"No receiver was running; started one at {base}/ (Ctrl-C to stop).")
            err(f"  DSN: {server.dsn()}   Spotlight: {server.spotlight_url}")
            stop.wait()
        else:
            err(f"Following {base}/ (Ctrl-C to stop)...")
            for item in read_live(base, stop):
                show(item, base)
            if not stop.is_set():
                err("sentry-lite tail: the receiver went away")
                return 1
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        err(f"sentry-lite tail: lost the receiver at {base}: {exc}")
        return 1
    finally:
        if server is not None:
            server.stop()
    return 0
