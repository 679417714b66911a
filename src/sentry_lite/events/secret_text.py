"""Secrets inside text: credentials in URLs, denied keys in query strings, password flags.

Why: keys are not the only way a secret leaves. A request object in a frame's locals is
sent as its repr (``<Request 'http://host/cb?access_token=...' [GET]>``), an outgoing
request's query lands in span data as ``http.query``, and a subprocess span is named after
its command line (``mysqldump --password=...``). These functions replace only the secret
part of such text with ``[Filtered]`` and say whether they changed anything. Each first
checks for the one character its pattern needs, so most text costs a ``in`` or two.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Match, Optional, Tuple
from urllib.parse import parse_qsl, quote_plus, unquote_plus

from sentry_lite.events.denylists import may_name_a_secret
from sentry_lite.events.meta import FILTERED, REM_FILTERED, annotate
from sentry_lite.limits import MANY_QUERY_PARAMS, MAX_SCRUB_ITEMS

__all__ = [
    "needs_text_scrub",
    "scrub_argv",
    "scrub_argv_extra",
    "scrub_command_line",
    "scrub_query_string",
    "scrub_text",
]

KeyCheck = Callable[[str], bool]

# Each pattern runs on app text of any length (reprs, command lines, span data), so each
# may only begin where a secret can (right after ``://``, at the start of a token or of a
# query pair) and then scans a run that the next separator ends: linear time. (The first
# versions let a scheme or a flag name begin at any character: 16,000 dashes in a command
# line took 14 s to scrub, on the thread that captured it.)
_URL_CREDENTIALS = re.compile(r"(?<=[a-zA-Z0-9+.-])://([^\s/?#@'\"<>]+)@")
"""``scheme://user:password@``: the userinfo (everything before the ``@``) is replaced."""
_URL_PASSWORD = re.compile(r"(?<=[a-zA-Z0-9+.-])(://[^\s/?#@:'\"<>]*:)([^\s/?#@'\"<>]+)@")
"""``scheme://user:password@``: the password only (``user@host`` names no secret)."""
_QUERY_PAIR = re.compile(r"(^['\"]?|[?&;])([^=&;#?\s'\"<>\[\]]+)=([^&;#\s'\"<>\[\]]*)")
"""``key=value`` at the start of the text or after ``?``, ``&`` or ``;``."""
_FLAG = re.compile(r"(?<![^\s'\"])(--?[A-Za-z0-9_.-]+)(=|\s+)(?!-)(\S+)")
"""A flag and its value (``--name=x``, ``--name x``); a secret if the name says so."""
_FLAG_NAME = re.compile(r"--?[A-Za-z0-9_.-]+")
_SECRET_WORD = re.compile(r"password|passwd|secret|token|api[_-]?key|credential", re.IGNORECASE)
"""What makes a flag secret: ``--password``, ``--db-password``, ``-api-key``, ``--token``."""
_USER_FLAG = re.compile(r"((?:^|\s)(?:-u|--user)(?:=|\s+)[^\s:]+:)(\S+)")
"""``curl -u name:password``: the part after the colon."""


def _filter_flag(match: Match[str]) -> str:
    if _SECRET_WORD.search(match.group(1)) is None:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{FILTERED}"


def _filter_flag_values(text: str) -> str:
    """The values of secret flags and of ``-u name:password`` filtered."""
    text = _FLAG.sub(_filter_flag, text)
    return _USER_FLAG.sub(lambda m: f"{m.group(1)}{FILTERED}", text)


def _is_secret_flag(arg: str) -> bool:
    """A secret flag alone, whose value is the next argument: ``--password``."""
    return _FLAG_NAME.fullmatch(arg) is not None and _SECRET_WORD.search(arg) is not None


def needs_text_scrub(text: str) -> bool:
    """Could ``text`` hold a secret these functions find? (The cheap test first.)"""
    return "=" in text or "@" in text


def scrub_text(text: str, is_denied: KeyCheck) -> str:
    """``text`` with URL credentials and the values of denied query keys filtered."""
    if "@" in text and "://" in text:
        text = _URL_CREDENTIALS.sub(f"://{FILTERED}@", text)
    if "=" in text:

        def pair(match: Match[str]) -> str:
            name = match.group(2)
            if "%" in name or "+" in name:
                name = unquote_plus(name)  # judged as parse_qsl gives it: api%5Fkey, a+b
            if not is_denied(name) or match.group(3) in ("", FILTERED):
                return match.group(0)
            return f"{match.group(1)}{match.group(2)}={FILTERED}"

        text = _QUERY_PAIR.sub(pair, text)
    return text


def scrub_command_line(text: str, is_denied: KeyCheck) -> str:
    """A command line with password flags, ``-u user:password`` and URLs filtered."""
    if "-" in text:
        text = _filter_flag_values(text)
    return scrub_text(text, is_denied)


def scrub_argv(args: List[Any]) -> List[Any]:
    """A process's arguments (``sys.argv``) with the values of secret flags, the password
    of ``-u name:password`` and of ``scheme://user:password@`` URLs filtered.

    Why not :func:`scrub_command_line` on the joined line: a flag's value is often the
    next argument (``--token abc``), and an argument may hold spaces. Arguments that are
    not text are kept; a new list is returned, the caller's is not changed."""
    out: List[Any] = []
    hide = ""  # what the previous argument says about this one: "value" or "user"
    for arg in args:
        if type(arg) is not str:
            out.append(arg)
            hide = ""
            continue
        if hide == "value" and not arg.startswith("-"):
            out.append(FILTERED)
        elif hide == "user" and ":" in arg:
            out.append(f"{arg.partition(':')[0]}:{FILTERED}")
        else:
            if arg.startswith("-"):
                arg = _filter_flag_values(arg)
            if "://" in arg and "@" in arg:
                arg = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{FILTERED}@", arg)
            out.append(arg)
            hide = "value" if _is_secret_flag(arg) else "user" if arg in ("-u", "--user") else ""
            continue
        hide = ""
    return out


def scrub_argv_extra(event: Dict[str, Any]) -> None:
    """:func:`scrub_argv` on the event's ``extra["sys.argv"]`` (the argv integration's),
    each filtered argument noted in ``_meta``; the extra dict is copied, not changed (it
    may be a scope's)."""
    extra = event.get("extra")
    args = extra.get("sys.argv") if type(extra) is dict else None
    if type(args) is not list or len(args) < 2:
        return
    # As every container the scrubber walks: its first items only (the serializer then
    # keeps fewer still), so a huge command line costs each error event a bounded time.
    head = args[:MAX_SCRUB_ITEMS]
    cleaned = scrub_argv(head)
    changed = [index for index, arg in enumerate(head) if cleaned[index] is not arg]
    if not changed:
        return
    cleaned += args[MAX_SCRUB_ITEMS:]
    event["extra"] = dict(extra, **{"sys.argv": cleaned})  # type: ignore[arg-type]
    for index in changed:
        annotate(event, ["extra", "sys.argv", index], rem=[REM_FILTERED])


def scrub_query_string(
    query: str, is_denied: KeyCheck, known: Optional[Tuple[Dict[str, bool], Tuple[str, ...]]]
) -> Optional[str]:
    """A request's query string with the values of denied keys ``[Filtered]``; None when
    no key is denied (the usual case: then nothing is re-encoded).

    ``known`` (the shortcuts): the scrubber's cached verdicts, by which a query without
    escapes is judged key by key without parsing it, and the words a denied key must
    contain (see ``denylists.key_words``), by which a query of many keys is passed
    over in one search when it holds none of them."""
    if "=" not in query:
        return None
    if known is not None:
        verdicts, words = known
        if query.count("&") >= MANY_QUERY_PARAMS and not may_name_a_secret(query, words):
            return None
        if "%" not in query and "+" not in query and ";" not in query:
            # Nothing to unquote (and no ``;``, a separator on some 3.9 patch releases):
            # the keys are the text before each ``=``, as parse_qsl would find them.
            for part in query.split("&"):
                name = part.partition("=")[0]
                if verdicts.get(name, True) and part and is_denied(name):
                    break
            else:
                return None
    pairs = parse_qsl(query, keep_blank_values=True)
    denied = {key for key, _ in pairs if is_denied(key)}  # each key judged once
    if not denied:
        return None
    # a value already withheld (sentry_sdk's sanitized URLs) stays readable
    withheld = denied.union(key for key, value in pairs if value == FILTERED)
    return "&".join(
        f"{quote_plus(key)}={FILTERED if key in withheld else quote_plus(value)}"
        for key, value in pairs
    )
