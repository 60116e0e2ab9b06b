#!/usr/bin/env python3
"""The lifecycle benchmark measured from outside: `oha` (a standard HTTP load generator) against
`anton serve` as an operator runs it, so the in-process `anton-tools bench lifecycle` can be checked.

Two phases, each on a fresh database and a fresh node process:

1. `anton serve --role api` (creation only: no rail, no dispatcher);
2. `anton serve --role all` (rail and dispatcher on), every merchant's endpoint at a receiver
   (`anton-tools bench receiver`, a process of its own) subscribed to every event; the phase ends
   when the receiver has three deliveries per payout created (`payout.created`, `.processing`,
   `.paid`).

Each phase: `oha -z <seconds>s -c <connections>` POSTs payouts (no Idempotency-Key, so each request
is a new payout) over HTTPS, verifying the node's certificate against the node's generated CA
(`--cacert`). The lifecycle rate is computed as in the in-process benchmark: payouts created divided
by (first request → last delivery − the simulator's configured delays).

It also reports CPU per payout from /proc (the node process, the receiver, and the rest of the
machine: oha and the database), and ceilings measured in the same run: the node's own
`GET /healthz` under the same connections, and durable commits on the backend (single-row SQLite
commits, or pgbench).

Usage (from the repository root; builds what it needs, installs oha into ./target/tools):

    python3 scripts/bench-outside.py [--backend sqlite|postgres://…] [--seconds 10]
        [--connections 64] [--merchants 1] [--report docs/benchmarks.md]

The Markdown report is appended to --report (default bench-report.md).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

OHA_VERSION = "1.16.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "target")


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def build():
    sh("cargo", "build", "--release", "--locked", "-p", "anton-server", "-p", "anton-tools", cwd=ROOT)
    oha = os.path.join(TARGET, "tools", "bin", "oha")
    if not os.path.exists(oha):
        sh("cargo", "install", "oha", "--locked", "--version", OHA_VERSION,
           "--root", os.path.join(TARGET, "tools"))
    return (os.path.join(TARGET, "release", "anton"),
            os.path.join(TARGET, "release", "anton-tools"), oha)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def https(url, ca, key=None, body=None):
    """A request that verifies the server against `ca` (never without verification)."""
    ctx = ssl.create_default_context(cafile=ca)
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode())
    if key:
        req.add_header("Authorization", "Bearer " + key)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return json.loads(r.read() or b"null")


def wait_for(pred, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


class Node:
    """`anton serve` on a fresh data directory (and database), stopped with SIGTERM."""

    def __init__(self, anton, backend, role, delays, extra_ca=None):
        self.anton = anton
        self.dir = tempfile.mkdtemp(prefix="anton-outside-")
        os.chmod(self.dir, 0o700)
        self.db = None
        env = dict(os.environ, ANTON_LOG="warn",
                   ANTON_SIMULATOR__PROCESSING_DELAY_MS=str(delays[0]),
                   ANTON_SIMULATOR__SETTLE_DELAY_MS=str(delays[1]),
                   ANTON_WEBHOOKS__RATE_PER_ENDPOINT_PER_S="1000000",
                   ANTON_WEBHOOKS__ALLOW_PRIVATE='["localhost"]',
                   ANTON_METRICS__LISTEN="127.0.0.1:0")
        if extra_ca:
            env["ANTON_WEBHOOKS__EXTRA_ROOT_CA"] = extra_ca
        if backend != "sqlite":
            self.admin = backend
            self.db = "anton_outside_" + os.urandom(5).hex()
            sh("psql", backend, "-qc", f"CREATE DATABASE {self.db}")
            env["ANTON_DATABASE_URL"] = backend.rsplit("/", 1)[0] + "/" + self.db
        self.env = env
        self.port = free_port()
        self.base = f"https://localhost:{self.port}"
        self.ca = os.path.join(self.dir, "tls", "ca.pem")
        self.proc = subprocess.Popen(
            [anton, "serve", "--data-dir", self.dir, "--listen", f"127.0.0.1:{self.port}",
             "--role", role], env=env, stdout=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.ca) and https(self.base + "/healthz", self.ca) is not None,
                 60, "the node to start")

    def cli(self, *args):
        """An operator command against the node's database."""
        return subprocess.run([self.anton, *args, "--data-dir", self.dir], env=self.env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        if self.db:
            sh("psql", self.admin, "-qc", f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)


def merchant(node, i, hook=None):
    """A merchant with raised limits, a key, a funded balance, a recipient (and an endpoint)."""
    mer = node.cli("merchants", "create", f"outside bench {i}")
    node.cli("merchants", "set-rate-limit", mer, "--live", "1000000", "--test", "1000000")
    key = node.cli("keys", "create", "--merchant", mer, "--env", "test", "--quiet")
    https(node.base + "/v1/test_helpers/balance/fund", node.ca, key,
          {"amount": 10_000_000_000_000, "currency": "USD"})
    rcp = https(node.base + "/v1/recipients", node.ca, key, {
        "name": "Bench Recipient", "bank_account": {
            "type": "us_ach", "routing_number": "110000000",
            "account_number": "000123456789", "account_type": "checking"}})["id"]
    if hook:
        https(node.base + "/v1/webhook_endpoints", node.ca, key,
              {"url": hook, "enabled_events": ["*"]})
    return key, rcp


def load(oha, node, targets, seconds, connections):
    """oha against POST /v1/payouts, connections split over the merchants; its JSON summaries."""
    per = max(1, connections // len(targets))
    procs = []
    for key, rcp in targets:
        body = json.dumps({"amount": 100, "currency": "USD", "recipient": rcp})
        procs.append(subprocess.Popen(
            [oha, "--no-tui", "--output-format", "json", "-z", f"{seconds}s", "-c", str(per),
             "-m", "POST", "-H", "Authorization: Bearer " + key, "-T", "application/json",
             "-d", body, "--cacert", node.ca, "--http-version", "1.1",
             node.base + "/v1/payouts"], stdout=subprocess.PIPE))
    return [json.loads(p.communicate()[0]) for p in procs]


def summary(results):
    ok = sum(r.get("statusCodeDistribution", {}).get("200", 0) for r in results)
    total = sum(sum(r.get("statusCodeDistribution", {}).values()) for r in results)
    # Percentiles of the merchants' loads: the largest (the slowest merchant's) is reported.
    p50 = max(r["latencyPercentiles"]["p50"] or 0 for r in results) * 1000
    p99 = max(r["latencyPercentiles"]["p99"] or 0 for r in results) * 1000
    secs = max(r["summary"]["total"] for r in results)
    return ok, total - ok, secs, p50, p99


TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid):
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu_s():
    """CPU seconds the whole machine has been busy (every state but idle and iowait)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def cpu_sample(node, receiver):
    return (proc_cpu_s(node.proc.pid), proc_cpu_s(receiver.pid) if receiver else 0.0,
            machine_cpu_s())


def phase(args, tools, lifecycle):
    anton, anton_tools, oha = tools
    receiver, info = None, None
    if lifecycle:
        info_path = os.path.join(tempfile.mkdtemp(prefix="anton-receiver-"), "info.json")
        receiver = subprocess.Popen([anton_tools, "bench", "receiver", "--info", info_path])
        wait_for(lambda: os.path.exists(info_path) and os.path.getsize(info_path) > 0, 30,
                 "the receiver")
        with open(info_path) as f:
            info = json.load(f)
    node = Node(anton, args.backend, "all" if lifecycle else "api",
                (args.processing_delay_ms, args.settle_delay_ms), info and info["ca"])
    try:
        targets = [merchant(node, i, info and info["url"]) for i in range(args.merchants)]
        count = (lambda: int(urllib.request.urlopen(
            info["count_url"], context=ssl.create_default_context(cafile=info["ca"])).read())) \
            if lifecycle else None
        before = count() if count else 0
        cpu_before = cpu_sample(node, receiver)
        started = time.monotonic()
        results = load(oha, node, targets, args.seconds, args.connections)
        ok, errors, secs, p50, p99 = summary(results)
        out = {"created": ok, "errors": errors, "seconds": secs, "p50": p50, "p99": p99}
        if lifecycle:
            load_end = time.monotonic()
            want = before + 3 * ok
            deadline = load_end + args.drain_limit_s
            while count() < want and time.monotonic() < deadline:
                time.sleep(0.01)
            done = time.monotonic()
            delays = (args.processing_delay_ms + args.settle_delay_ms) / 1000
            out["kept_up"] = count() >= want
            out["drain"] = done - load_end
            out["sustained"] = ok / max(done - started - delays, secs)
        # Per payout, from the first request to the last delivery: the node's own CPU, the
        # receiver's (the merchant's servers) and the rest (oha, the database, everything else).
        node_s, receiver_s, machine_s = (b - a for a, b in zip(cpu_before, cpu_sample(node, receiver)))
        per = 1e6 / max(ok, 1)
        out["cpu_us"] = {"node": node_s * per, "receiver": receiver_s * per,
                         "rest": (machine_s - node_s - receiver_s) * per}
        if not lifecycle:
            out["ceilings"] = ceilings(args, oha, node)
        return out
    finally:
        node.stop()
        if receiver:
            receiver.send_signal(signal.SIGINT)
            receiver.wait(timeout=30)


def ceilings(args, oha, node):
    """What this host can do at all, measured in the same run: the node's own `GET /healthz`
    (oha, the same connections), and durable commits on the backend (single-row SQLite commits
    with WAL and synchronous=FULL in the data directory's filesystem, or pgbench's simple-update
    transactions against the server)."""
    health = json.loads(subprocess.run(
        [oha, "--no-tui", "--output-format", "json", "-z", "5s", "-c", str(args.connections),
         "--cacert", node.ca, "--http-version", "1.1", node.base + "/healthz"],
        check=True, capture_output=True).stdout)
    out = {"healthz": health["summary"]["requestsPerSec"]}
    if args.backend == "sqlite":
        import sqlite3
        path = os.path.join(tempfile.mkdtemp(prefix="anton-ceiling-"), "c.db")
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        n, start = 0, time.monotonic()
        while time.monotonic() - start < 3:
            db.execute("INSERT INTO t (v) VALUES ('x')")
            n += 1
        out["commits"] = n / (time.monotonic() - start)
        out["commits_what"] = "single-row durable SQLite commits/s"
        db.close()
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    else:
        db = "anton_pgbench_" + os.urandom(5).hex()
        sh("psql", args.backend, "-qc", f"CREATE DATABASE {db}")
        url = args.backend.rsplit("/", 1)[0] + "/" + db
        try:
            sh("pgbench", "-q", "-i", "-s", "1", url, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
            run = subprocess.run(["pgbench", "-c", str(args.connections), "-j", "2", "-T", "5",
                                  "-N", url], check=True, capture_output=True, text=True).stdout
            tps = [l for l in run.splitlines() if l.startswith("tps")][0]
            out["commits"] = float(tps.split("=")[1].split()[0])
            out["commits_what"] = f"pgbench -c {args.connections} -j 2 -N tps"
        finally:
            sh("psql", args.backend, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return out


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", default="sqlite")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--merchants", type=int, default=1)
    p.add_argument("--processing-delay-ms", type=int, default=500)
    p.add_argument("--settle-delay-ms", type=int, default=500)
    p.add_argument("--drain-limit-s", type=int, default=120)
    p.add_argument("--report", default="bench-report.md")
    args = p.parse_args()
    tools = build()
    creation = phase(args, tools, lifecycle=False)
    life = phase(args, tools, lifecycle=True)
    label = "SQLite (WAL, synchronous=FULL)" if args.backend == "sqlite" \
        else "PostgreSQL (synchronous_commit=on)"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"\n## Payout lifecycle, outside load generator (oha {OHA_VERSION}) — {label}\n",
        f"- Machine: {cpu_name()}, {os.cpu_count()} cores (node, receiver, oha and database on the same cores)",
        f"- Date: {when}",
        f"- Load: oha, {args.connections} HTTPS/1.1 connections over {args.merchants} merchant(s), "
        f"{args.seconds} s per phase; `anton serve` processes; simulator delays "
        f"{args.processing_delay_ms} ms + {args.settle_delay_ms} ms",
        f"- Ceilings, same run: the node's `GET /healthz` {creation['ceilings']['healthz']:.0f}/s; "
        f"{creation['ceilings']['commits_what']} {creation['ceilings']['commits']:.0f}",
        f"- `--role api` (creation only): {creation['created'] / creation['seconds']:.0f} payouts/s, "
        f"errors {creation['errors']}, p50 {creation['p50']:.1f} ms, p99 {creation['p99']:.1f} ms",
        f"- `--role all` (rail and dispatcher on, 3 deliveries per payout): created "
        f"{life['created'] / life['seconds']:.0f}/s (p50 {life['p50']:.1f} ms, p99 {life['p99']:.1f} ms, "
        f"errors {life['errors']}); every delivery {life['drain']:.2f} s after the load"
        f"{'' if life['kept_up'] else ' (DID NOT FINISH)'}; sustained lifecycle "
        f"**{life['sustained']:.0f} payouts/s**",
        f"- Sustained lifecycle ÷ creation-only: **{life['sustained'] / max(creation['created'] / creation['seconds'], 1e-9):.2f}**",
        "- CPU per payout (µs; node · receiver · the rest: oha, database, other): creation only "
        + " · ".join(f"{creation['cpu_us'][k]:.0f}" for k in ("node", "receiver", "rest"))
        + "; lifecycle " + " · ".join(f"{life['cpu_us'][k]:.0f}" for k in ("node", "receiver", "rest")),
        f"- The node's own CPU per payout, creation only ÷ lifecycle (the ratio a CPU-bound node "
        f"could reach with the receiver and the load generator on other machines): "
        f"**{creation['cpu_us']['node'] / max(life['cpu_us']['node'], 1e-9):.2f}**",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.report, "a") as f:
        f.write(text)


if __name__ == "__main__":
    main()
