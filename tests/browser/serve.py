"""Run ``sentry-lite serve`` as a real subprocess and read what it prints."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any, List, Optional

_LISTENING = re.compile(r"listening on (http://\S+)")


class ServeProcess:
    """``with ServeProcess() as srv:`` starts ``python -m sentry_lite serve --port 0``."""

    def __init__(self, *args: str, env: Optional[dict] = None) -> None:
        self.args = ["serve", "--port", "0", *args]
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.lines: List[str] = []
        self.url = ""
        self._cond = threading.Condition()
        self.proc: Optional[subprocess.Popen[str]] = None

    def __enter__(self) -> ServeProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sentry_lite", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 20
        with self._cond:
            while not self.url:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("sentry-lite serve did not start:\n" + "\n".join(self.lines))
                self._cond.wait(0.1)
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                match = _LISTENING.search(line)
                if match and not self.url:
                    self.url = match.group(1)
                self._cond.notify_all()

    def wait_for_line(self, pattern: str, timeout: float = 15.0) -> str:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if regex.search(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no line matching {pattern!r} in:\n" + "\n".join(self.lines)
                    )
                self._cond.wait(remaining)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def dsn(self, key: str = "public", project: str = "1") -> str:
        return self.url.replace("http://", f"http://{key}@") + f"/{project}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return str(response.read().decode("utf-8"))

    def get_json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def wait_json(self, path: str, predicate: Any, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            data = self.get_json(path)
            if predicate(data):
                return data
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} never matched; last: {data!r}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return int(self.proc.returncode)

    def __exit__(self, *exc: Any) -> None:
        self.stop()
