"""Flask + Celery + Redis + SQLAlchemy reporting to Sentry with sentry-lite: the
production shape the Sentry backend tutorial builds (its integrations, one import changed).

Run (a redis-server on localhost:6379):

    SENTRY_DSN=... flask --app examples.flask_celery.app run
    SENTRY_DSN=... celery -A examples.flask_celery.app:celery_app worker -l INFO
    SENTRY_DSN=... celery -A examples.flask_celery.app:celery_app beat -l INFO

Environment: ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), ``DATABASE_URL``
(default a SQLite file; ``postgresql+psycopg://user@host/db`` works the same).

Then ``POST /orders`` stores an order and hands it to a task (one trace from the request
through the worker: SQL, Redis and task spans), ``GET /orders/<id>`` reads it through a
Redis cache, ``POST /orders/<id>/fail`` makes the task fail (reported by the worker).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Tuple

import sentry_lite as sentry_sdk  # the drop-in import: nothing else changes
from sentry_lite.integrations.celery import CeleryIntegration
from sentry_lite.integrations.flask import FlaskIntegration
from sentry_lite.integrations.redis import RedisIntegration
from sentry_lite.integrations.sqlalchemy import SqlalchemyIntegration

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///example-orders.db")

sentry_sdk.init(
    # dsn: taken from SENTRY_DSN when not given
    integrations=[
        FlaskIntegration(),
        SqlalchemyIntegration(),
        RedisIntegration(cache_prefixes=["order:"]),
        CeleryIntegration(monitor_beat_tasks=True),
    ],
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "1.0")),
    send_default_pii=False,
    release="example-flask-celery@1.0",
)

import redis  # noqa: E402 - init first, as the tutorial does
from celery import Celery  # noqa: E402
from celery.schedules import crontab  # noqa: E402
from flask import Flask, request  # noqa: E402
from sqlalchemy import Column, Integer, String, create_engine, select  # noqa: E402
from sqlalchemy.orm import Session, declarative_base  # noqa: E402

Base = declarative_base()


class Order(Base):  # type: ignore[misc, valid-type]
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    item = Column(String(100), nullable=False)
    status = Column(String(20), nullable=False, default="new")


engine = create_engine(DATABASE_URL)
Base.metadata.create_all(engine)
cache = redis.Redis.from_url(REDIS_URL)

celery_app = Celery("examples.flask_celery.app", broker=REDIS_URL, backend=REDIS_URL)
celery_app.conf.update(
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "nightly-cleanup": {"task": "orders.cleanup", "schedule": crontab(hour=3, minute=0)}
    },
)
app = Flask(__name__)


@celery_app.task(name="orders.fulfil")
def fulfil(order_id: int, card_number: str, fail: bool = False) -> str:
    """Mark an order shipped. ``card_number`` stands for a secret argument: it never
    reaches Sentry with ``send_default_pii=False``."""
    with Session(engine) as session:
        order = session.get(Order, order_id)
        if order is None or fail:
            raise LookupError(f"order {order_id} cannot be fulfilled")
        order.status = "shipped"
        session.commit()
    cache.delete(f"order:{order_id}")
    return "shipped"


@celery_app.task(name="orders.cleanup")
def cleanup() -> int:
    with Session(engine) as session:
        done = session.scalars(select(Order).where(Order.status == "shipped")).all()
        return len(done)


@app.post("/orders")
def create_order() -> Tuple[Dict[str, Any], int]:
    body = request.get_json(force=True)
    with Session(engine) as session:
        order = Order(item=str(body.get("item", "?")))
        session.add(order)
        session.commit()
        order_id = order.id
    fulfil.delay(order_id, card_number=str(body.get("card_number", "")))
    return {"id": order_id}, 201


@app.get("/orders/<int:order_id>")
def read_order(order_id: int) -> Dict[str, Any]:
    key = f"order:{order_id}"
    cached = cache.get(key)
    if cached is not None:
        return json.loads(cached)  # type: ignore[no-any-return]
    with Session(engine) as session:
        order = session.get(Order, order_id)
        data = {"id": order_id, "item": order.item, "status": order.status} if order else {}
    cache.set(key, json.dumps(data), ex=60)
    return data


@app.post("/orders/<int:order_id>/fail")
def fail_order(order_id: int) -> Tuple[Dict[str, Any], int]:
    fulfil.delay(order_id, card_number="0000", fail=True)
    return {"queued": order_id}, 202
