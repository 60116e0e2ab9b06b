"""The whole integration in one run, against a real Anton server in test mode, with the generated
client (anton-client) and the Standard Webhooks library:

- a local webhook receiver, and an endpoint subscribed to `payout.paid`;
- a funded test balance and a recipient;
- a payout created with an Idempotency-Key, and retried with it (the same payout comes back);
- polling until the payout is `paid`;
- the `payout.paid` delivery verified over its raw body (and a tampered copy refused).

    ANTON_BASE_URL=https://localhost:8443 ANTON_API_KEY=sk_test_… \\
    ANTON_CA_FILE=anton-data/tls/ca.pem python example.py

The receiver listens on localhost over plain HTTP, which a test-mode endpoint may use when the
server allows it (`[webhooks] allow_private = ["localhost"]` in anton.toml).
"""

import http.server
import os
import threading
import time
import uuid

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from anton_client import AuthenticatedClient
from anton_client.api.payouts import create_payout, get_payout
from anton_client.api.recipients import create_recipient
from anton_client.api.test_helpers import fund_balance
from anton_client.api.webhook_endpoints import create_endpoint, delete_endpoint
from anton_client.models import (
    Payout,
    PayoutCreate,
    PayoutStatus,
    Recipient,
    RecipientCreate,
    TestBalanceFunding,
    WebhookEndpoint,
    WebhookEndpointCreate,
)


def answer(what, response, expected):
    """The parsed answer, or a failure naming the API's error envelope (never the key)."""
    if not isinstance(response.parsed, expected):
        raise SystemExit(f"{what}: HTTP {response.status_code} {response.content.decode()}")
    return response.parsed


def until(what, seconds, probe):
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.25)


received = []


class Receiver(http.server.BaseHTTPRequestHandler):
    """Keeps each delivery's raw body and headers, and answers 200."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def main():
    anton = AuthenticatedClient(
        base_url=os.environ.get("ANTON_BASE_URL", "https://localhost:8443"),
        token=os.environ["ANTON_API_KEY"],
        # TLS is always verified: a local server's CA is trusted, never verification turned off.
        verify_ssl=os.environ.get("ANTON_CA_FILE", True),
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    endpoint = answer(
        "create the webhook endpoint",
        create_endpoint.sync_detailed(
            client=anton,
            body=WebhookEndpointCreate.from_dict(
                {"url": f"http://localhost:{port}/hook", "enabled_events": ["payout.paid"]}
            ),
            idempotency_key=str(uuid.uuid4()),
        ),
        WebhookEndpoint,
    )
    secret = endpoint.secret
    assert isinstance(secret, str), "the new endpoint's secret is shown once, at creation"
    try:
        answer(
            "fund the test balance",
            fund_balance.sync_detailed(
                client=anton,
                body=TestBalanceFunding.from_dict({"amount": 100_000, "currency": "USD"}),
                idempotency_key=str(uuid.uuid4()),
            ),
            object,
        )
        recipient = answer(
            "create the recipient",
            create_recipient.sync_detailed(
                client=anton,
                body=RecipientCreate.from_dict(
                    {
                        "name": "Ada Lovelace",
                        "bank_account": {
                            "type": "us_ach",
                            "routing_number": "110000000",
                            "account_number": "000123456789",
                            "account_type": "checking",
                        },
                    }
                ),
                idempotency_key=str(uuid.uuid4()),
            ),
            Recipient,
        )

        # One key per payout you mean to make: a retry with it (a timeout, a crash) returns the
        # same payout, never a second one.
        key = f"order-{uuid.uuid4()}"
        new = PayoutCreate.from_dict(
            {"amount": 2_500, "currency": "USD", "recipient": recipient.id,
             "description": "Python example"}
        )
        payout = answer(
            "create the payout",
            create_payout.sync_detailed(client=anton, body=new, idempotency_key=key),
            Payout,
        )
        retried = answer(
            "retry the payout",
            create_payout.sync_detailed(client=anton, body=new, idempotency_key=key),
            Payout,
        )
        assert retried.id == payout.id, "a retry with the same key made a second payout"

        def paid():
            p = answer("read the payout", get_payout.sync_detailed(payout.id, client=anton), Payout)
            if p.status in (PayoutStatus.FAILED, PayoutStatus.CANCELED):
                raise SystemExit(f"payout {p.status.value}")
            return p if p.status == PayoutStatus.PAID else None

        done = until("the payout to be paid", 60, paid)

        # The payout.paid delivery, verified over the raw body (a bad or stale one raises).
        headers, body = until(
            "the payout.paid delivery",
            30,
            lambda: next(
                (d for d in received if payout.id.encode() in d[1] and b'"payout.paid"' in d[1]),
                None,
            ),
        )
        event = Webhook(secret).verify(body, headers)
        assert event["type"] == "payout.paid" and event["data"]["object"]["id"] == payout.id
        try:
            Webhook(secret).verify(body.replace(b"2500", b"9999"), headers)
            raise SystemExit("a tampered delivery verified")
        except WebhookVerificationError:
            pass  # A changed body fails verification, as it must.
        print(f"ok: {done.id} paid {done.amount} {done.currency.value}; "
              f"{event['type']} delivery verified")
    finally:
        delete_endpoint.sync_detailed(endpoint.id, client=anton)
        server.shutdown()


if __name__ == "__main__":
    main()
