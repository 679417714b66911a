"""What a page or JSON view is handed (:class:`Context`) and what it answers (:class:`Reply`).

Views are plain functions ``view(ctx, **url_parts) -> Reply`` listed in
:mod:`sentry_lite.devserver.routes`; they read the store and render, and never touch
the socket, so each page can live in its own module.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sentry_lite.devserver.store import FILTER_FIELDS, Store

__all__ = ["Context", "Reply", "Settings", "Tab"]

Tab = Tuple[str, str, str, str]
"""(key, href, label, key in Store.counts())."""


class Settings:
    """Viewer settings given on the command line."""

    def __init__(self, editor: Optional[str] = None, dsn: str = "") -> None:
        self.editor = editor
        self.dsn = dsn


class Reply:
    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}

    @classmethod
    def html(cls, text: str, status: int = 200) -> Reply:
        return cls(status, text.encode("utf-8", "replace"), "text/html; charset=utf-8")

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        return cls(status, body, "application/json", {"Cache-Control": "no-store"})

    @classmethod
    def redirect(cls, location: str) -> Reply:
        return cls(302, b"", "text/plain", {"Location": location})


class Context:
    """One request as a view sees it."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        path: str,
        params: Mapping[str, List[str]],
        *,
        base_url: str,
        token: str = "",
        tabs: Sequence[Tab] = (),
    ) -> None:
        self.store = store
        self.settings = settings
        self.path = path
        self.params = params
        self.base_url = base_url
        """The server as the browser reached it (``http://localhost:8969``): pages use
        absolute URLs for assets and links, so they work when embedded elsewhere."""
        self.token = token
        self.tabs = tabs
        self._counts: Optional[Dict[str, int]] = None

    def param(self, name: str, default: str = "", limit: int = 200) -> str:
        values = self.params.get(name) or [default]
        return values[0][:limit]

    @property
    def q(self) -> str:
        return self.param("q")

    @property
    def filters(self) -> Dict[str, str]:
        return {name: self.param(name) for name in FILTER_FIELDS if self.param(name)}

    @property
    def counts(self) -> Dict[str, int]:
        if self._counts is None:
            self._counts = self.store.counts()
        return self._counts

    def url(self, path: str) -> str:
        return self.base_url + path
