"""Verifies a Standard Webhooks `v1a` (Ed25519) delivery with an implementation independent of
Anton's: Python's `cryptography` (OpenSSL underneath). Reads one JSON object on stdin:
{"public_key": "whpk_…", "id": …, "timestamp": …, "signature": "v1a,… v1a,…", "body_b64": …}.
Exit 0 when any v1a signature verifies the content "{id}.{timestamp}.{body}", 1 when none does.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

d = json.load(sys.stdin)
assert d["public_key"].startswith("whpk_")
key = Ed25519PublicKey.from_public_bytes(base64.b64decode(d["public_key"][len("whpk_"):]))
content = f'{d["id"]}.{d["timestamp"]}.'.encode() + base64.b64decode(d["body_b64"])
for entry in d["signature"].split(" "):
    version, _, sig = entry.partition(",")
    if version != "v1a":
        continue
    try:
        key.verify(base64.b64decode(sig), content)
        sys.exit(0)
    except InvalidSignature:
        pass
sys.exit(1)
