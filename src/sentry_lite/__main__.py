"""``python -m sentry_lite``: the same as the ``sentry-lite`` command."""

import sys

from sentry_lite.cli import main

sys.exit(main())
