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
from itertools import islice
from typing import Any, Dict, List, Optional, Set, Tuple

from sentry_lite import shortcuts
from sentry_lite.events.denylists import (
    DEFAULT_DENYLIST,
    DEFAULT_PII_DENYLIST,
    key_words,
    looks_secret,
    normalize,
)
from sentry_lite.events.meta import (
    FILTERED,
    REM_FILTERED,
    Segment,
    annotate,
    flatten_path,
    note_filtered,
)
from sentry_lite.events.secret_text import (
    needs_text_scrub,
    scrub_argv_extra,
    scrub_command_line,
    scrub_query_string,
    scrub_text,
)
from sentry_lite.events.stacks import event_frames
from sentry_lite.limits import (
    MAX_CACHED_VERDICTS,
    MAX_SCRUB_DEPTH,
    MAX_SCRUB_ITEMS,
    MAX_SCRUB_NODES,
)

__all__ = ["DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST", "EventScrubber"]


_LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})


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
        self._names = frozenset(normalize(name) for name in self.denylist)
        self._verdicts: Dict[str, bool] = {}
        self._texts: Dict[str, str] = {}
        self.patterns = denylist is None and not send_default_pii
        """Beyond sentry_sdk: keys are also judged by pattern (``*token*``, ``*_key``...,
        see ``looks_secret``), and secrets inside text are found (see secret_text.py):
        with the default list and ``send_default_pii`` off."""
        self._key_words = key_words(self._names, self.patterns)

    # -- matching --------------------------------------------------------------------

    def is_denied(self, key: object) -> bool:
        """Does a key name its value as secret? Case, ``-`` and ``_`` are ignored.

        A key that is not a str is judged by the text the serializer shows for it
        (``str(key)``; a str subclass by its own characters); never raises."""
        if type(key) is not str:
            try:
                text = str.__str__(key) if isinstance(key, str) else str(key)
                return isinstance(text, str) and self._denied_name(normalize(str.__str__(text)))
            except Exception:
                return False
        verdict = self._verdicts.get(key)
        if verdict is None:
            # The same few keys come back in every event; remember the answer.
            verdict = self._denied_name(normalize(key))
            if len(self._verdicts) < MAX_CACHED_VERDICTS:
                self._verdicts[key] = verdict
        return verdict

    def _denied_name(self, normalized: str) -> bool:
        return normalized in self._names or (self.patterns and looks_secret(normalized))

    def _text(self, text: str) -> str:
        done = self._texts.get(text)
        if done is None:
            # The same reprs come back in every frame and event: remember the answer.
            done = scrub_text(text, self.is_denied)
            if len(self._texts) < MAX_CACHED_VERDICTS:
                self._texts[text] = done
        return done

    def _secret_text(self, text: str) -> bool:
        """Does a string hold a secret (see secret_text.py)? Cheap test first, cached."""
        return needs_text_scrub(text) and self._text(text) != text

    # -- walking -----------------------------------------------------------------------

    def _plain(self, value: Any, depth: int = 1, text: bool = False) -> int:
        """The shortcut: a dict of leaves under keys already judged harmless, or a list
        of leaves, has nothing to scrub, so no path and no walk. ``depth`` more levels of
        such dicts and lists may sit under harmless keys (``sys.argv`` in extra, the
        trace context's sampling context and span ``data``). Returns how many containers
        the walk would count (0: not plain): skipped only where its budget holds them.

        Gives what the walk would find, as only keys with a cached ``False`` verdict
        pass; a hostile key's ``__eq__`` may raise, and then the walk decides. With
        ``text``, a string that may hold a secret (see secret_text.py) is not plain."""
        kind = type(value)
        if kind is dict:  # (both: only the items the walk looks at, MAX_SCRUB_ITEMS)
            verdicts = self._verdicts
            pairs: Any = value.items()
            if len(value) > MAX_SCRUB_ITEMS:
                pairs = islice(pairs, MAX_SCRUB_ITEMS)
            nodes = 1
            try:
                for name, item in pairs:
                    if verdicts.get(name, True):
                        return 0
                    if type(item) in _LEAF_TYPES:
                        if text and type(item) is str and self._secret_text(item):
                            return 0
                    else:
                        inner = depth and self._plain(item, depth - 1, text)
                        if not inner:
                            return 0
                        nodes += inner
            except Exception:
                return 0
            return nodes
        if kind is list:  # no keys: plain when it holds only leaves
            items = value if len(value) <= MAX_SCRUB_ITEMS else value[:MAX_SCRUB_ITEMS]
            if text and any(type(i) is str and self._secret_text(i) for i in items):
                return 0
            return 1 if all(map(_LEAF_TYPES.__contains__, map(type, items))) else 0
        return 0

    def _scrub(
        self,
        event: Dict[str, Any],
        holder: Any,
        key: Any,
        path: List[Segment],
        fast: bool = False,
        clean: Optional[Dict[Tuple[int, int], int]] = None,
        text: bool = False,
        section: Optional[List[int]] = None,
    ) -> None:
        """Scrub ``holder[key]`` and everything below it; never raises.

        ``section``: the container budget shared by a section's items (breadcrumbs,
        spans), spent here; else ``holder[key]`` has a budget of its own.

        Copy-on-write: a container that needs a change is replaced by a scrubbed copy in
        its parent, so the application's own dicts (``set_extra("cfg", cfg)``) are never
        modified. Untouched containers are kept as they are, for the serializer to copy.
        With ``fast`` (the shortcuts), plain dicts are skipped without a walk and
        ``clean`` remembers containers found to hold nothing to scrub, for data shared
        between frames.
        """
        try:
            value = holder[key]
            limit = MAX_SCRUB_NODES if section is None else max(section[0], 0)
            nodes = fast and self._plain(value, text=text)  # (hot loops ask before calling)
            if 0 < nodes <= limit:
                if section is not None:
                    section[0] -= nodes
                return
            walk = _Walk(event, [limit], fast, clean if fast else None, text)
            new = self._clean(walk, value, (tuple(path),), MAX_SCRUB_DEPTH)  # never raises
            if section is not None:
                section[0] -= limit - walk.budget[0]
            if new is not value:
                holder[key] = new
        except Exception:
            pass

    def _clean(self, walk: _Walk, value: Any, path: Tuple[Any, ...], depth: int) -> Any:
        """``value`` with denylisted keys filtered below it: the same object when nothing
        changed, else a copy. Never raises: a container that cannot be read to the end
        (its iteration or copy raises) is replaced as a whole, as it may hold a secret."""
        kind = type(value)
        if kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
            is_list = False
        elif kind is list or kind is tuple:
            is_list = True
        else:
            return value
        key = id(value)
        budget = walk.budget
        if depth <= 0 or key in walk.active:
            walk.cuts += 1
            return value
        if budget[0] <= 0:
            # Not looked into, yet the serializer may send it (it keeps the first items
            # of each container, where this walk may have spent its budget on the rest).
            walk.cuts += 1
            note_filtered(walk.event, flatten_path(path))
            return FILTERED
        clean = walk.clean
        if clean is not None:
            cost = clean.get((key, depth))
            if cost is not None and budget[0] >= cost:
                budget[0] -= cost  # what walking it again would spend, as the walk
                return value
        budget[0] -= 1
        # (_scrub has asked _plain about the section's own value already)
        if walk.fast and depth < MAX_SCRUB_DEPTH:
            nodes = self._plain(value, text=walk.text)  # inner ones counted as the walk would
            if nodes and (nodes == 1 or depth > 1) and nodes - 1 <= budget[0]:
                budget[0] -= nodes - 1
                return value
        before = budget[0]
        cuts = walk.cuts
        walk.active.add(key)
        try:
            changed = self._items(walk, value, is_list, path, depth - 1)
        except Exception:
            walk.cuts += 1
            note_filtered(walk.event, flatten_path(path))
            return FILTERED
        finally:
            walk.active.discard(key)
        if changed is None:
            # Remembered only if the walk below saw all of it, in any context.
            if clean is not None and walk.cuts == cuts and budget[0] > 0:
                clean[(key, depth)] = before - budget[0] + 1
            return value
        return changed

    def _items(
        self, walk: _Walk, value: Any, is_list: bool, path: Tuple[Any, ...], depth: int
    ) -> Any:
        """The scrubbed copy of a container's items, or None when none changed."""
        if len(value) > MAX_SCRUB_ITEMS:
            walk.cuts += 1
        changed: Any = None
        new: Any
        if is_list:
            for index, item in enumerate(islice(value, MAX_SCRUB_ITEMS)):
                if type(item) in _LEAF_TYPES:
                    if not (walk.text and type(item) is str and self._secret_text(item)):
                        continue
                    new = self._text_leaf(walk, item, (path, index))
                else:
                    new = self._clean(walk, item, (path, index), depth)
                if new is not item:
                    if changed is None:
                        changed = list(value)
                    changed[index] = new
            return changed
        verdicts = self._verdicts
        for name, item in islice(value.items(), MAX_SCRUB_ITEMS):
            denied = verdicts.get(name) if type(name) is str else None
            if denied is None:
                denied = self.is_denied(name)
            if denied:
                new = FILTERED
                note_filtered(walk.event, flatten_path((path, name)))
            elif type(item) in _LEAF_TYPES:
                if not (walk.text and type(item) is str and self._secret_text(item)):
                    continue
                new = self._text_leaf(walk, item, (path, name))
            else:
                new = self._clean(walk, item, (path, name), depth)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[name] = new
        return changed

    def _text_leaf(self, walk: _Walk, item: str, path: Tuple[Any, ...]) -> str:
        new = self._text(item)
        if new == item:
            return item
        annotate(walk.event, flatten_path(path), rem=[REM_FILTERED])
        return new

    def _scrub_query(self, event: Dict[str, Any], request: Dict[str, Any], fast: bool) -> None:
        query = request.get("query_string")
        if isinstance(query, str):
            known = (self._verdicts, self._key_words) if fast else None
            scrubbed = scrub_query_string(query, self.is_denied, known)
            if scrubbed is not None:
                request["query_string"] = scrubbed
                annotate(event, ["request", "query_string"], rem=[REM_FILTERED])

    # -- the sections of an event ----------------------------------------------------------
    # Each takes ``fast``: ``shortcuts.enabled``, read once per event by scrub_event
    # (or here, when called alone).

    def scrub_request(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        request = event.get("request")
        if not isinstance(request, dict):
            return
        for part in ("headers", "cookies", "data", "env"):
            if part in request and not (fast and 0 < self._plain(request[part]) <= MAX_SCRUB_NODES):
                self._scrub(event, request, part, ["request", part], fast)
        try:
            self._scrub_query(event, request, fast)
        except Exception:
            pass

    def scrub_extra(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        if "extra" in event:
            if self.patterns:  # beyond sentry_sdk: secrets on the command line
                scrub_argv_extra(event)
            self._scrub(event, event, "extra", ["extra"], fast)

    def scrub_user(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        user = event.get("user")
        if isinstance(user, dict) and "ip_address" in self._names:
            try:  # as sentry_sdk: dropped, not filtered; from a copy, the dict is the scope's
                if "ip_address" in user:
                    event["user"] = {
                        key: value
                        for key, value in user.items()
                        if not (type(key) is str and key == "ip_address")
                    }
            except Exception:
                pass  # a hostile key: the walk below filters the address instead
        if "user" in event:
            self._scrub(event, event, "user", ["user"], fast)

    def scrub_contexts(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        contexts = event.get("contexts")
        if not isinstance(contexts, dict):
            if contexts is not None:
                self._scrub(event, event, "contexts", ["contexts"], fast)
            return
        plain = self._plain
        for name in list(contexts):
            if not (fast and 0 < plain(contexts[name]) <= MAX_SCRUB_NODES):
                self._scrub(event, contexts, name, ["contexts", name], fast)

    def scrub_breadcrumbs(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        crumbs = event.get("breadcrumbs")
        values = crumbs.get("values") if isinstance(crumbs, dict) else None
        if not isinstance(values, list):
            return
        plain = self._plain
        text = self.patterns  # an outgoing request's http.query, a command line
        section = [MAX_SCRUB_NODES]  # as the serializer's: one per section, not per crumb
        for index, crumb in enumerate(values):
            if text and isinstance(crumb, dict) and crumb.get("category") == "subprocess":
                message = crumb.get("message")
                if isinstance(message, str):
                    crumb["message"] = scrub_command_line(message, self.is_denied)
            if isinstance(crumb, dict) and "data" in crumb:
                nodes = fast and plain(crumb["data"], text=text)
                if 0 < nodes <= section[0]:  # the walk would count them too
                    section[0] -= nodes
                    continue
                path: List[Segment] = ["breadcrumbs", "values", index, "data"]
                self._scrub(event, crumb, "data", path, fast, None, text, section)

    def scrub_frames(
        self, event: Dict[str, Any], fast: Optional[bool] = None, exception: bool = True
    ) -> None:
        """Frames' locals; ``exception=False`` leaves the exception's frames for later."""
        fast = shortcuts.enabled if fast is None else fast
        # Frames share the serialised form of objects passed down the stack (see
        # serialize_value's memo); each shared container is looked at once.
        clean: Dict[Tuple[int, int], int] = {}
        text = self.patterns  # request objects' reprs, URLs with credentials
        for frame, path in event_frames(event):
            if "vars" in frame and (exception or path[0] != "exception"):
                self._scrub(event, frame, "vars", [*path, "vars"], fast, clean, text)

    def scrub_spans(self, event: Dict[str, Any], fast: Optional[bool] = None) -> None:
        fast = shortcuts.enabled if fast is None else fast
        spans = event.get("spans")
        if not isinstance(spans, list):
            return
        plain = self._plain
        section = [MAX_SCRUB_NODES]  # one budget for the section, as the serializer's
        for index, span in enumerate(spans):
            if self.patterns and isinstance(span, dict):
                self._scrub_span_text(span)
            if type(span) is dict:
                data = span.get("data")
                nodes = fast and type(data) is dict and plain(data)
                if 0 < nodes <= section[0]:  # usually plain values under harmless keys
                    section[0] -= nodes  # (the walk would count them too)
                    continue
                if data is None and "data" not in span:
                    continue
            elif not isinstance(span, dict) or "data" not in span:
                continue
            self._scrub(event, span, "data", ["spans", index, "data"], fast, None, False, section)

    def _scrub_span_text(self, span: Dict[str, Any]) -> None:
        """An outgoing request's ``http.query``, a subprocess span's command line."""
        data = span.get("data")
        if isinstance(data, dict):
            query = data.get("http.query")
            if isinstance(query, str) and "=" in query:
                cleaned = self._text(query)
                if cleaned != query:
                    span["data"] = dict(data, **{"http.query": cleaned})
        if span.get("op") == "subprocess":
            for field in ("description", "name"):
                value = span.get(field)
                if isinstance(value, str):
                    span[field] = scrub_command_line(value, self.is_denied)

    def scrub_event(self, event: Dict[str, Any], exception: bool = True) -> None:
        """Replace denylisted values in place with '[Filtered]' and note it in _meta
        (``exception=False``: not in the exception's frames, scrubbed later by the pipeline)."""
        if not isinstance(event, dict):
            return
        fast = shortcuts.enabled
        # Only the sections the event has: most events have few of them. Each section
        # is guarded on its own (inline: a call each costs): a failure in one leaves
        # the others scrubbed.
        if "request" in event:
            try:
                self.scrub_request(event, fast)
            except Exception:
                pass
        if "extra" in event:
            try:
                self.scrub_extra(event, fast)
            except Exception:
                pass
        if "user" in event:
            try:
                self.scrub_user(event, fast)
            except Exception:
                pass
        if "contexts" in event:
            try:
                self.scrub_contexts(event, fast)
            except Exception:
                pass
        if "breadcrumbs" in event:
            try:
                self.scrub_breadcrumbs(event, fast)
            except Exception:
                pass
        if ("exception" in event and exception) or "threads" in event or "stacktrace" in event:
            try:
                self.scrub_frames(event, fast, exception)
            except Exception:
                pass
        spans = event.get("spans")
        if isinstance(spans, list) and list.__len__(spans):  # none: nothing to look at
            try:
                self.scrub_spans(event, fast)
            except Exception:
                pass


class _Walk:
    """State of one section's walk: the event (for _meta), the budget, the cycle guard."""

    __slots__ = ("active", "budget", "clean", "cuts", "event", "fast", "text")

    def __init__(
        self,
        event: Dict[str, Any],
        budget: List[int],
        fast: bool,
        clean: Optional[Dict[Tuple[int, int], int]],
        text: bool = False,
    ) -> None:
        self.text = text
        """Also look for secrets inside strings (frames' locals; see secret_text.py)."""
        self.event = event
        self.budget = budget
        self.fast = fast
        self.clean = clean
        self.active: Set[int] = set()
        self.cuts = 0
        """Containers left unlooked-at (depth, cycle, budget, breadth): a container with
        one below it cannot be remembered as clean, as another context may see more."""
