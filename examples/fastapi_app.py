"""A FastAPI app reporting to Sentry with sentry-lite.

Run:  SENTRY_DSN=... uvicorn examples.fastapi_app:app
Then try GET /items/3, GET /items/0 (an error), POST /orders with a JSON body.
"""

import os

import sentry_lite as sentry_sdk
from sentry_lite.integrations.fastapi import FastApiIntegration
from sentry_lite.integrations.starlette import StarletteIntegration

sentry_sdk.init(
    integrations=[
        StarletteIntegration(transaction_style="url"),
        FastApiIntegration(transaction_style="url", failed_request_status_codes={500, 503}),
    ],
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "1.0")),
    release="example-fastapi@1.0",
)

from fastapi import FastAPI, HTTPException  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import BaseModel  # noqa: E402

app = FastAPI()


class Order(BaseModel):
    item_id: int
    quantity: int


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    sentry_sdk.set_tag("item_id", item_id)
    if item_id == 0:
        raise ValueError("item 0 does not exist")
    return {"item_id": item_id}


@app.post("/orders")
async def create_order(order: Order):
    if order.quantity > 10:
        raise HTTPException(status_code=503, detail="warehouse busy")
    return {"ok": True}


@app.exception_handler(Exception)
async def on_error(request, exc):
    # Reported once even though the handler captures it too.
    sentry_sdk.capture_exception(exc)
    return JSONResponse({"error": str(exc)}, status_code=500)
