"""Schemathesis hooks for Anton (loaded by scripts/schemathesis.sh).

Schemathesis's `positive_data_acceptance` check sends requests that docs/openapi.json calls valid
and fails on any 4xx other than 401, 403, 404, 409 and 429. Some of what makes a request valid is
not a property of the request that a schema can state: it is a checksum, or the state of the
merchant's data. This hook gives schema-valid requests the parts a client would have in hand
before sending them, and nothing else:

- a fresh `Idempotency-Key` on every request: reusing a key for a different request is refused
  (422, by design), and a client never does it;
- never both `starting_after` and `ending_before` (a page has one direction), and a cursor that
  names an object on that list (a cursor is an id the client was given);
- a new payout's `recipient` that exists, and its `currency` the recipient's account's;
- a resend's `endpoint` that exists;
- a webhook URL the node may send to (localhost, which the node allows, on a port nothing listens
  on: an offline machine resolves no public host);
- bank account numbers with valid check digits (the ABA checksum, an IBAN's mod-97).

Only positive cases are changed; negative ones (which must be refused) go out as generated. What
each refusal means, and its status, is in docs/reference.md §2.
"""

import os
import uuid

import requests
import schemathesis

BASE = os.environ["ANTON_SCHEMATHESIS_URL"]
# On the node's webhook allowlist (scripts/schemathesis.sh).
HOOK_URL = os.environ["ANTON_SCHEMATHESIS_HOOK_URL"]
CURSORS = ("starting_after", "ending_before")

# The node's CA, passed with each request (requests prefers a CA bundle named in the
# environment over the session's).
CA = os.environ["ANTON_SCHEMATHESIS_CA"]
SESSION = requests.Session()
SESSION.headers["Authorization"] = "Bearer " + os.environ["ANTON_SCHEMATHESIS_KEY"]

# Valid IBANs (the registry's examples), one per generated case in turn.
IBANS = [
    "DE89370400440532013000",
    "GB29NWBK60161331926819",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
]
ACCOUNTS = {
    "USD": {"type": "us_ach", "routing_number": "110000000", "account_number": "000123456789",
            "account_type": "checking"},
    "EUR": {"type": "iban", "iban": "DE89370400440532013000"},
    "GBP": {"type": "gb_fps", "sort_code": "108800", "account_number": "00012345"},
}
_recipients: dict[str, str] = {}
_endpoint: list[str] = []


def _api(method: str, path: str, body: dict | None = None) -> requests.Response:
    headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
    return SESSION.request(method, BASE + path, json=body, headers=headers, timeout=30, verify=CA)


def _exists(path: str) -> dict | None:
    r = _api("GET", path)
    return r.json() if r.status_code == 200 else None


def _recipient(currency: str) -> str:
    """A recipient paid in `currency` (made once; again if a test deleted it, or changed its
    bank account to another currency)."""
    rid = _recipients.get(currency)
    found = _exists(f"/v1/recipients/{rid}") if rid is not None else None
    if found is None or found.get("bank_account", {}).get("currency") != currency:
        r = _api("POST", "/v1/recipients", {"name": f"Schemathesis {currency}",
                                            "bank_account": ACCOUNTS[currency]})
        r.raise_for_status()
        rid = _recipients[currency] = r.json()["id"]
    return rid


def _endpoint_id() -> str:
    """An endpoint of this merchant (made once; again if a test deleted it)."""
    if not _endpoint or _exists(f"/v1/webhook_endpoints/{_endpoint[0]}") is None:
        r = _api("POST", "/v1/webhook_endpoints",
                 {"url": HOOK_URL, "enabled_events": ["*"]})
        r.raise_for_status()
        _endpoint[:] = [r.json()["id"]]
    return _endpoint[0]


def _aba(routing: str) -> str:
    """`routing` with its ninth digit made the ABA check digit of the first eight."""
    d = [int(c) for c in routing[:8]]
    partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return routing[:8] + str((10 - partial % 10) % 10)


def _bank_account(account: dict) -> None:
    if account.get("type") == "us_ach" and isinstance(account.get("routing_number"), str):
        account["routing_number"] = _aba(account["routing_number"])
    elif account.get("type") == "iban":
        account["iban"] = IBANS[len(str(account.get("iban"))) % len(IBANS)]


def _cursor(case, query: dict) -> None:
    """One cursor at most, naming an object of the list the case reads."""
    if CURSORS[0] in query and CURSORS[1] in query:
        del query[CURSORS[1]]
    wanted = [name for name in CURSORS if name in query]
    if not wanted:
        return
    page = _exists(case.formatted_path + "?limit=1")
    if page and page["data"]:
        query[wanted[0]] = page["data"][0]["id"]
    else:
        del query[wanted[0]]


def _webhook_url(body: dict) -> None:
    if isinstance(body.get("url"), str):
        body["url"] = f"{HOOK_URL}/{uuid.uuid4().hex}"


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if isinstance(case.query, dict):
        _cursor(case, case.query)
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    operation = (case.method.upper(), case.operation.path)
    if operation == ("POST", "/v1/payouts") and isinstance(body.get("recipient"), str):
        found = _exists(f"/v1/recipients/{body['recipient']}")
        if found is not None:
            body["currency"] = found["bank_account"]["currency"]
        elif body.get("currency") in ACCOUNTS:
            body["recipient"] = _recipient(body["currency"])
    elif operation == ("POST", "/v1/events/{id}/resend") and isinstance(body.get("endpoint"), str):
        if _exists(f"/v1/webhook_endpoints/{body['endpoint']}") is None:
            body["endpoint"] = _endpoint_id()
    elif case.operation.path.startswith("/v1/webhook_endpoints") and case.method.upper() in (
        "POST", "PATCH"
    ):
        _webhook_url(body)
    elif case.operation.path.startswith("/v1/recipients") and isinstance(
        body.get("bank_account"), dict
    ):
        _bank_account(body["bank_account"])
