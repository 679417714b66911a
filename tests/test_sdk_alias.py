"""``install_as_sentry_sdk()``: a library that imports sentry_sdk itself reaches our
receiver, through sentry-lite, including its submodule imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.receiver import Receiver

LIBRARY = textwrap.dedent(
    """
    import sentry_sdk
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.tracing import Transaction

    def risky():
        try:
            1 / 0
        except ZeroDivisionError:
            sentry_sdk.set_tag("lib", "thirdparty")
            return sentry_sdk.capture_exception()

    def kinds():
        return LoggingIntegration.__module__, Transaction.__module__, sentry_sdk.__name__
    """
)

APP = textwrap.dedent(
    """
    import sys
    import sentry_lite
    assert sentry_lite.install_as_sentry_sdk()
    sentry_lite.init(dsn=sys.argv[1], default_integrations=False)
    import thirdparty
    event_id = thirdparty.risky()
    import sentry_sdk.integrations.logging as via_alias
    import sentry_lite.integrations.logging as direct
    assert via_alias is direct
    print(event_id, *thirdparty.kinds())
    sentry_lite.flush(5)
    """
)


def test_library_calling_sentry_sdk_reaches_the_receiver(
    receiver: Receiver, tmp_path: Path
) -> None:
    (tmp_path / "thirdparty.py").write_text(LIBRARY)
    (tmp_path / "app.py").write_text(APP)
    result = subprocess.run(
        [sys.executable, "app.py", receiver.dsn()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    event_id, logging_module, txn_module, sdk_name = result.stdout.split()
    assert logging_module == "sentry_lite.integrations.logging"
    assert txn_module.startswith("sentry_lite.tracing")
    assert sdk_name == "sentry_lite"
    receiver.wait_for(1)
    (event,) = receiver.events
    assert event["event_id"] == event_id
    assert event["tags"]["lib"] == "thirdparty"
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"


def test_alias_is_a_warning_not_an_error_after_the_real_sdk(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import logging, sys
        logging.basicConfig()
        import sentry_sdk  # the official one, installed as a test dependency
        import sentry_lite
        sentry_lite.install_as_sentry_sdk()
        import sentry_sdk as again
        print(again.__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sentry_lite"
    assert "imported before install_as_sentry_sdk" in result.stderr
