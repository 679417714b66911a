// Sends an error (with a cause), a message and a trace with the official @sentry/node SDK.
// Usage: node send.js <dsn>            (sends to the DSN)
//        node send.js --spotlight <url>  (no DSN: Spotlight's sidecar URL only)
"use strict";
const Sentry = require("@sentry/node");

const spotlight = process.argv[2] === "--spotlight" ? process.argv[3] : undefined;
const dsn = spotlight ? undefined : process.argv[2];
if (!dsn && !spotlight) {
  console.error("usage: node send.js <dsn> | --spotlight <url>");
  process.exit(2);
}

Sentry.init({
  dsn,
  spotlight,
  tracesSampleRate: 1.0,
  release: "node-check@1.0.0",
  environment: "test",
});
Sentry.setTag("runtime", "node");
Sentry.setUser({ id: "7" });
Sentry.addBreadcrumb({ category: "cart", message: "added 3 apples" });

function parseQuantity(text) {
  const quantity = Number.parseInt(text, 10);
  if (Number.isNaN(quantity)) {
    throw new TypeError(`not a quantity: ${text}`);
  }
  return quantity;
}

async function main() {
  await Sentry.startSpan({ name: "node-checkout", op: "task" }, async () => {
    await Sentry.startSpan({ name: "SELECT * FROM carts", op: "db.query" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    try {
      parseQuantity("three");
    } catch (err) {
      Sentry.captureException(new Error("checkout failed", { cause: err }));
    }
  });
  Sentry.captureMessage("hello from @sentry/node");
  const flushed = await Sentry.flush(10000);
  if (!flushed) {
    console.error("flush timed out");
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
