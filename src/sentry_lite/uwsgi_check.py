"""Warn when uWSGI runs the app without the thread support the SDK needs.

Events are sent from a background thread. uWSGI runs no Python threads unless started
with ``--enable-threads``, and in its default preforking mode a worker inherits stale
thread state unless ``--py-call-uwsgi-fork-hooks`` is on: events would silently stay
queued. sentry_sdk warns about the same flags at init.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from sentry_lite.value_checks import FALSY_ENV_VALUES

__all__ = ["check_uwsgi_thread_support"]


def _enabled(opt: Any, name: str) -> bool:
    value = opt.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return bool(value) and str(value).lower() not in FALSY_ENV_VALUES


def check_uwsgi_thread_support() -> bool:
    """False (after one warning naming the missing flags) when uWSGI lacks thread support."""
    uwsgi = sys.modules.get("uwsgi")  # only present inside a uWSGI worker
    opt = getattr(uwsgi, "opt", None) if uwsgi is not None else None
    if opt is None:
        return True
    try:
        threads = "threads" in opt or _enabled(opt, "enable-threads")
        fork_hooks = _enabled(opt, "py-call-uwsgi-fork-hooks")
        lazy = _enabled(opt, "lazy-apps") or _enabled(opt, "lazy")
    except Exception:  # noqa: BLE001 - an odd uwsgi.opt must not break init
        return True
    if lazy and not threads:
        missing = '"--enable-threads"'
    elif not lazy and not (threads and fork_hooks):
        missing = '"--enable-threads" and "--py-call-uwsgi-fork-hooks"'
    else:
        return True
    warnings.warn(
        Warning(
            "IMPORTANT: sentry_lite detected uWSGI without thread support; events may "
            f"never be sent and workers may crash. Please run uWSGI with {missing}."
        ),
        stacklevel=3,
    )
    return False
