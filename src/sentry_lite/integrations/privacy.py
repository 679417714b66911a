"""The answers of the privacy predicate (``integration_api.may_collect``).

Each data or queue integration asks in exactly one function (``argument_values`` in
Redis, ``_task_arguments`` in Celery, ``_job_arguments`` in RQ, ``_may_send_params``
in SQLAlchemy), so a privacy setting changes one place per integration.
"""

from __future__ import annotations

from sentry_lite.integration_api import FILTER, OMIT, SEND

__all__ = ["FILTER", "OMIT", "SEND"]
