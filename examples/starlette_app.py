"""A Starlette app reporting to Sentry with sentry-lite.

Run:  SENTRY_DSN=... uvicorn examples.starlette_app:app
"""

import os

import sentry_lite as sentry_sdk

sentry_sdk.init(
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "1.0")),
    release="example-starlette@1.0",
)

from starlette.applications import Starlette  # noqa: E402 - auto-enabled on import
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402


async def users(request):
    user_id = request.path_params["user_id"]
    sentry_sdk.set_user({"id": str(user_id)})
    if user_id == 0:
        raise LookupError("no such user")
    return JSONResponse({"id": user_id})


app = Starlette(routes=[Route("/users/{user_id:int}", users)])
