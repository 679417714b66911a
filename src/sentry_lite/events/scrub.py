"""Denylist scrubbing of secrets and PII, compatible with sentry_sdk's EventScrubber.

Why: frame locals, request data and breadcrumbs routinely hold passwords, tokens and
cookies; they must be replaced before an event leaves the process. Same constructor,
lists and ``[Filtered]`` text as sentry_sdk, but more thorough: keys match ignoring case
and ``-``/``_``, nested values are always scrubbed, and ``contexts``, ``request.env`` and
``request.query_string`` are covered too. Each replacement is noted in ``_meta`` as
Relay expects. The differences are listed in ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import parse_qsl, quote_plus

from sentry_lite.events.meta import FILTERED, REM_FILTERED, Segment, annotate
from sentry_lite.limits import (
    MAX_CACHED_VERDICTS,
    MAX_SCRUB_DEPTH,
    MAX_SCRUB_ITEMS,
    MAX_SCRUB_NODES,
)

__all__ = ["DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST", "EventScrubber"]

DEFAULT_DENYLIST: List[str] = [
    # Relay's default secret names
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "auth",
    "credentials",
    "mysql_pwd",
    "privatekey",
    "private_key",
    "token",
    "session",
    # Django
    "csrftoken",
    "sessionid",
    # WSGI header names
    "x_csrftoken",
    "x_forwarded_for",
    "set_cookie",
    "cookie",
    "authorization",
    "proxy-authorization",
    "x_api_key",
    # session and CSRF cookie names of common frameworks
    "aiohttp_session",
    "connect.sid",
    "csrf_token",
    "csrf",
    "_csrf",
    "_csrf_token",
    "PHPSESSID",
    "_session",
    "symfony",
    "user_session",
    "_xsrf",
    "XSRF-TOKEN",
]
"""Always scrubbed (the same names, in the same order, as sentry_sdk 2.x)."""

DEFAULT_PII_DENYLIST: List[str] = [
    "x_forwarded_for",
    "x_real_ip",
    "ip_address",
    "remote_addr",
]
"""Also scrubbed unless ``send_default_pii`` is on (same as sentry_sdk 2.x)."""


_FACT_CONTEXTS = frozenset({"os", "runtime"})

_LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})


def _flatten(path: Tuple[Any, ...]) -> List[Segment]:
    """Turn the nested (parent, key) tuples built during the walk into a flat path."""
    out: List[Segment] = []
    node: Any = path
    while len(node) == 2:
        node, key = node
        out.append(key)
    out.extend(reversed(node[0]))
    out.reverse()
    return out


def _normalize(key: str) -> str:
    return key.lower().replace("-", "_")


class EventScrubber:
    """Replaces the values of denylisted keys with ``[Filtered]`` throughout an event."""

    def __init__(
        self,
        denylist: Optional[List[str]] = None,
        recursive: bool = False,
        send_default_pii: bool = False,
        pii_denylist: Optional[List[str]] = None,
    ) -> None:
        names = list(DEFAULT_DENYLIST if denylist is None else denylist)
        if not send_default_pii:
            names += list(DEFAULT_PII_DENYLIST if pii_denylist is None else pii_denylist)
        self.denylist: List[str] = [str(name).lower() for name in names]
        self.recursive = recursive
        """Accepted for compatibility: nested values are always scrubbed here."""
        self._names = frozenset(_normalize(name) for name in self.denylist)
        self._verdicts: Dict[str, bool] = {}

    # -- matching --------------------------------------------------------------------

    def is_denied(self, key: object) -> bool:
        """Does a key name its value as secret? Case, ``-`` and ``_`` are ignored."""
        if type(key) is not str:
            return isinstance(key, str) and _normalize(key) in self._names
        verdict = self._verdicts.get(key)
        if verdict is None:
            # The same few keys come back in every event; remember the answer.
            verdict = _normalize(key) in self._names
            if len(self._verdicts) < MAX_CACHED_VERDICTS:
                self._verdicts[key] = verdict
        return verdict

    # -- walking -----------------------------------------------------------------------

    def _plain(self, value: Any) -> bool:
        """A dict of plain values under keys known harmless (headers, span data, the
        response context): nothing to scrub, so no path to build and no walk."""
        if type(value) is not dict:
            return False
        verdicts = self._verdicts
        try:  # a hostile key's __eq__ may raise; _scrub then handles the dict
            for name, item in value.items():
                if verdicts.get(name, True) or type(item) not in _LEAF_TYPES:
                    return False
        except Exception:
            return False
        return True

    def _scrub(
        self,
        event: Dict[str, Any],
        holder: Any,
        key: Any,
        path: List[Segment],
        clean: Optional[Set[Tuple[int, int]]] = None,
    ) -> None:
        """Scrub ``holder[key]`` and everything below it; never raises.

        Copy-on-write: a container that needs a change is replaced by a scrubbed copy in
        its parent, so the application's own dicts (``set_extra("cfg", cfg)``) are never
        modified. Untouched containers are kept as they are, for the serializer to copy.
        ``clean`` remembers containers already found to hold nothing to scrub, for data
        shared between frames.
        """
        try:
            value = holder[key]
            if type(value) is dict:
                # The usual case (headers, env, span data): plain values under keys
                # already known to be harmless; nothing to set up for the full walk.
                verdicts = self._verdicts
                for name, item in value.items():
                    if verdicts.get(name, True) or type(item) not in _LEAF_TYPES:
                        break
                else:
                    return
            budget = [MAX_SCRUB_NODES]
            new = self._clean(event, value, (tuple(path),), set(), MAX_SCRUB_DEPTH, budget, clean)
            if new is not value:
                holder[key] = new
        except Exception:
            pass

    def _clean(
        self,
        event: Dict[str, Any],
        value: Any,
        path: Tuple[Any, ...],
        active: Set[int],
        depth: int,
        budget: List[int],
        clean: Optional[Set[Tuple[int, int]]] = None,
    ) -> Any:
        kind = type(value)
        if kind is dict and budget[0] > 0:
            # Most dicts hold only plain values under harmless keys: check that in one
            # pass without the bookkeeping of the full walk below.
            verdicts = self._verdicts
            for name, item in value.items():
                if verdicts.get(name, True) or type(item) not in _LEAF_TYPES:
                    break
            else:
                budget[0] -= 1
                return value
        if kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
            pairs: Any = value.items()
        elif kind is list or kind is tuple:
            pairs = enumerate(value)
        else:
            return value
        if depth <= 0 or id(value) in active or budget[0] <= 0:
            return value
        if clean is not None and (id(value), depth) in clean:
            return value
        budget[0] -= 1
        active.add(id(value))
        changed: Any = None
        try:
            for index, (name, item) in enumerate(pairs):
                if index >= MAX_SCRUB_ITEMS:
                    break
                if kind is not list and kind is not tuple and self.is_denied(name):
                    new: Any = FILTERED
                    annotate(event, _flatten((path, name)), rem=[REM_FILTERED])
                elif type(item) in _LEAF_TYPES:
                    continue
                else:
                    new = self._clean(event, item, (path, name), active, depth - 1, budget, clean)
                if new is not item:
                    if changed is None:
                        changed = list(value) if kind is list or kind is tuple else dict(value)
                    changed[name] = new
        finally:
            active.discard(id(value))
        if changed is None:
            if clean is not None and budget[0] > 0:
                clean.add((id(value), depth))
            return value
        return changed

    def _scrub_query(self, event: Dict[str, Any], request: Dict[str, Any]) -> None:
        query = request.get("query_string")
        if not isinstance(query, str) or "=" not in query:
            return
        if "%" not in query and "+" not in query and ";" not in query:
            # Nothing to unquote (and no ``;``, a separator on some 3.9 patch releases):
            # the keys are the text before each ``=``, as parse_qsl would find them.
            verdicts = self._verdicts
            for part in query.split("&"):
                name = part.partition("=")[0]
                if verdicts.get(name, True) and part and self.is_denied(name):
                    break
            else:
                return
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(self.is_denied(key) for key, _ in pairs):
            return
        request["query_string"] = "&".join(
            f"{quote_plus(key)}={FILTERED if self.is_denied(key) else quote_plus(value)}"
            for key, value in pairs
        )
        annotate(event, ["request", "query_string"], rem=[REM_FILTERED])

    # -- the sections of an event ----------------------------------------------------------

    def scrub_request(self, event: Dict[str, Any]) -> None:
        request = event.get("request")
        if not isinstance(request, dict):
            return
        for part in ("headers", "cookies", "data", "env"):
            if part in request and not self._plain(request[part]):
                self._scrub(event, request, part, ["request", part])
        try:
            self._scrub_query(event, request)
        except Exception:
            pass

    def scrub_extra(self, event: Dict[str, Any]) -> None:
        if "extra" in event:
            self._scrub(event, event, "extra", ["extra"])

    def scrub_user(self, event: Dict[str, Any]) -> None:
        user = event.get("user")
        if isinstance(user, dict) and "ip_address" in self._names:
            user.pop("ip_address", None)  # as sentry_sdk: dropped, not filtered
        if "user" in event:
            self._scrub(event, event, "user", ["user"])

    def scrub_contexts(self, event: Dict[str, Any]) -> None:
        contexts = event.get("contexts")
        if not isinstance(contexts, dict):
            if contexts is not None:
                self._scrub(event, event, "contexts", ["contexts"])
            return
        for name in list(contexts):
            if name in _FACT_CONTEXTS:
                continue  # built by the SDK from the machine, never app data
            context = contexts[name]
            if name == "trace" and isinstance(context, dict):
                # span data set by the app
                if "data" in context and not self._plain(context["data"]):
                    self._scrub(event, context, "data", ["contexts", "trace", "data"])
                continue
            if not self._plain(context):
                self._scrub(event, contexts, name, ["contexts", name])

    def scrub_breadcrumbs(self, event: Dict[str, Any]) -> None:
        crumbs = event.get("breadcrumbs")
        values = crumbs.get("values") if isinstance(crumbs, dict) else None
        if not isinstance(values, list):
            return
        for index, crumb in enumerate(values):
            if isinstance(crumb, dict) and "data" in crumb:
                self._scrub(event, crumb, "data", ["breadcrumbs", "values", index, "data"])

    def scrub_frames(self, event: Dict[str, Any]) -> None:
        # Frames share the serialised form of objects passed down the stack (see
        # serialize_value's memo); each shared container is looked at once.
        clean: Set[Tuple[int, int]] = set()
        for frame, path in _frames(event):
            if "vars" in frame:
                self._scrub(event, frame, "vars", [*path, "vars"], clean)

    def scrub_spans(self, event: Dict[str, Any]) -> None:
        spans = event.get("spans")
        if not isinstance(spans, list):
            return
        verdicts = self._verdicts
        for index, span in enumerate(spans):
            if type(span) is dict:
                data = span.get("data")
                if type(data) is dict:
                    # Usually plain values under keys known harmless: no call, no path.
                    try:  # a hostile key's __eq__ may raise; _scrub then handles it
                        for name, item in data.items():
                            if verdicts.get(name, True) or type(item) not in _LEAF_TYPES:
                                break
                        else:
                            continue
                    except Exception:
                        pass
                elif data is None and "data" not in span:
                    continue
            elif not isinstance(span, dict) or "data" not in span:
                continue
            self._scrub(event, span, "data", ["spans", index, "data"])

    def scrub_event(self, event: Dict[str, Any]) -> None:
        """Replace denylisted values in place with '[Filtered]' and note it in _meta."""
        if not isinstance(event, dict):
            return
        # Only the sections the event has: most events have few of them. Each section
        # is guarded on its own: a failure in one leaves the others scrubbed.
        if "request" in event:
            try:
                self.scrub_request(event)
            except Exception:
                pass
        if "extra" in event:
            self._section(self.scrub_extra, event)
        if "user" in event:
            self._section(self.scrub_user, event)
        if "contexts" in event:
            try:
                self.scrub_contexts(event)
            except Exception:
                pass
        if "breadcrumbs" in event:
            self._section(self.scrub_breadcrumbs, event)
        if "exception" in event or "threads" in event or "stacktrace" in event:
            self._section(self.scrub_frames, event)
        spans = event.get("spans")
        if isinstance(spans, list) and list.__len__(spans):  # none: nothing to look at
            self._section(self.scrub_spans, event)

    @staticmethod
    def _section(scrub: Callable[[Dict[str, Any]], None], event: Dict[str, Any]) -> None:
        try:
            scrub(event)
        except Exception:
            pass


def _frames(event: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], List[Segment]]]:
    """Every frame of the event's stack traces with its path in the event."""
    traces: List[Tuple[Any, List[Segment]]] = [(event.get("stacktrace"), ["stacktrace"])]
    for section in ("threads", "exception"):
        holder = event.get(section)
        values = holder.get("values") if isinstance(holder, dict) else None
        if isinstance(values, list):
            for index, value in enumerate(values):
                if isinstance(value, dict):
                    traces.append(
                        (value.get("stacktrace"), [section, "values", index, "stacktrace"])
                    )
    for trace, path in traces:
        frames = trace.get("frames") if isinstance(trace, dict) else None
        if isinstance(frames, list):
            for index, frame in enumerate(frames):
                if isinstance(frame, dict):
                    yield frame, [*path, "frames", index]
