/**
 * The whole integration in one run, against a real Anton server in test mode: a local webhook
 * receiver and an endpoint subscribed to `payout.paid`, a funded test balance, a recipient, a
 * payout created with an Idempotency-Key (and retried with it: the same payout), polling until
 * it is paid, and the `payout.paid` delivery verified with the Standard Webhooks library.
 *
 *   ANTON_BASE_URL=https://localhost:8443 ANTON_API_KEY=sk_test_… \
 *   NODE_EXTRA_CA_CERTS=anton-data/tls/ca.pem npm run example
 *
 * The receiver listens on localhost over plain HTTP, which a test-mode endpoint may use when the
 * server allows it (`[webhooks] allow_private = ["localhost"]` in anton.toml).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createAntonClient } from "./index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Fails with the API's error envelope (type, code, message, request id), never the key. */
function check<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${what}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const anton = createAntonClient(process.env.ANTON_BASE_URL ?? "https://localhost:8443", required("ANTON_API_KEY"));

// A local receiver that keeps the raw body and the headers of each delivery.
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const port = (receiver.address() as AddressInfo).port;

const endpoint = check(
  "create the webhook endpoint",
  await anton.POST("/v1/webhook_endpoints", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: { url: `http://localhost:${port}/hook`, enabled_events: ["payout.paid"] },
  }),
);
const secret = endpoint.secret;
if (typeof secret !== "string") throw new Error("the new endpoint's secret is shown once, at creation");

try {
  check(
    "fund the test balance",
    await anton.POST("/v1/test_helpers/balance/fund", {
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: { amount: 100_000, currency: "USD" },
    }),
  );
  const recipient = check(
    "create the recipient",
    await anton.POST("/v1/recipients", {
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: {
        name: "Ada Lovelace",
        bank_account: { type: "us_ach", routing_number: "110000000", account_number: "000123456789", account_type: "checking" },
      },
    }),
  );

  // One key per payout you mean to make: a retry with it (a timeout, a crash) returns the same
  // payout, never a second one.
  const idempotencyKey = `order-${randomUUID()}`;
  const create = () =>
    anton.POST("/v1/payouts", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: { amount: 2_500, currency: "USD", recipient: recipient.id, description: "TypeScript example" },
    });
  const payout = check("create the payout", await create());
  const retried = check("retry the payout", await create());
  if (retried.id !== payout.id) throw new Error("a retry with the same key made a second payout");

  const paid = await until("the payout to be paid", 60, async () => {
    const p = check("read the payout", await anton.GET("/v1/payouts/{id}", { params: { path: { id: payout.id } } }));
    if (p.status === "failed" || p.status === "canceled") throw new Error(`payout ${p.status}`);
    return p.status === "paid" ? p : undefined;
  });

  // The payout.paid delivery, verified over the raw body (a bad or stale one throws).
  const delivery = await until("the payout.paid delivery", 30, async () =>
    received.find((d) => d.body.includes(payout.id) && d.body.includes('"payout.paid"')),
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  const event = new Webhook(secret).verify(delivery.body, headers) as {
    type: string;
    data: { object: { id: string } };
  };
  if (event.type !== "payout.paid" || event.data.object.id !== payout.id) {
    throw new Error("the verified event is not this payout's payout.paid");
  }
  let forged = false;
  try {
    new Webhook(secret).verify(delivery.body.replace("2500", "9999"), headers);
    forged = true;
  } catch {
    // A changed body fails verification, as it must.
  }
  if (forged) throw new Error("a tampered delivery verified");
  console.log(`ok: ${paid.id} paid ${paid.amount} ${paid.currency}; ${event.type} delivery verified`);
} finally {
  await anton.DELETE("/v1/webhook_endpoints/{id}", { params: { path: { id: endpoint.id } } });
  receiver.close();
}
