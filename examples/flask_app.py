"""A Flask app reporting to Sentry with sentry-lite (the tutorial's shape).

Run:  SENTRY_DSN=... python examples/flask_app.py   (or: gunicorn examples.flask_app:app)
Then open /hello/you, /boom (an error, reported once) and /checkout (a traced request).
"""

import os

import sentry_lite as sentry_sdk  # the drop-in import: nothing else changes
from sentry_lite.integrations.flask import FlaskIntegration

sentry_sdk.init(
    # dsn: taken from SENTRY_DSN when not given
    integrations=[FlaskIntegration(transaction_style="url")],
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "1.0")),
    send_default_pii=False,
    release="example-flask@1.0",
)

from flask import Flask, jsonify  # noqa: E402 - init first, as the tutorial does

app = Flask(__name__)


@app.route("/hello/<name>")
def hello(name: str):
    sentry_sdk.set_tag("greeted", name)
    return f"hello {name}"


@app.route("/boom")
def boom():
    cart = {"items": 3, "total": 42.0}
    return {"ratio": cart["total"] / (cart["items"] - 3)}  # ZeroDivisionError


@app.route("/checkout")
def checkout():
    with sentry_sdk.start_span(op="db.query", name="SELECT cart"):
        total = sum(range(10))
    return jsonify(total=total)


@app.errorhandler(500)
def internal_error(error):
    # Tutorial code: reports the error itself. sentry-lite still sends one event,
    # for the original exception, not a second one for InternalServerError.
    sentry_sdk.capture_exception(error)
    return jsonify(error="internal error"), 500


if __name__ == "__main__":
    app.run(port=int(os.environ.get("PORT", "5000")))
