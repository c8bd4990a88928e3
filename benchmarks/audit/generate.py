#!/usr/bin/env python3
"""Writes an OTLP JSON-lines file (one ExportLogsServiceRequest per line, as the OpenTelemetry Collector's file
exporter writes) of about SIZE bytes (default 1 GiB) for the `warden audit` benchmark, by replaying the real Codex
0.171.0 recordings in tests/fixtures/telemetry/*/otlp.jsonl.

Usage: generate.py OUT [SIZE_BYTES] [SEED]

The mix: every round replays each recorded scenario once (24 of them; `protobuf` has no JSON lines), in a seeded
random order, so by bytes it is about 29 % many-commands (30 commands in one turn), 7 % destructive, 5 % auto-review-
invalid and 2-4 % each of the others (benign, secret reads, sandbox denials, full access, escalation, auto review,
MCP, identity on two hosts, the TUI, prompt logging, web search, config warnings). Eight replays run at a time and
their lines (batches) are interleaved at random, as a collector receiving from many machines would write them; the
lines of one replay keep their order. Per replay: fresh conversation ids (every id of the recording, consistently),
fresh call ids, a user from a pool of 400 (user.email / user.account_id, only where Codex wrote them: identity-host-*),
that user's host as the resource's host.name (identity-host-b: the user's second machine), and all times
(event.timestamp, observedTimeUnixNano) shifted to a new start, rounds about a minute apart. Everything else, the
records' shapes, keys, value types and texts, is byte for byte what Codex wrote. Deterministic for a given seed.
"""
import datetime as dt
import glob
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures", "telemetry")

# The values a replay changes, each as (kind, regex group holding the value).
PATTERN = re.compile(
    r'(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'
    r'|"key":"call_id","value":\{"stringValue":"(?P<call>[^"]*)"'
    r'|"key":"host\.name","value":\{"stringValue":"(?P<host>[^"]*)"'
    r'|"key":"user\.email","value":\{"stringValue":"(?P<email>[^"]*)"'
    r'|"key":"user\.account_id","value":\{"stringValue":"(?P<account>[^"]*)"'
    r'|"key":"event\.timestamp","value":\{"stringValue":"(?P<stamp>[^"]*)"'
    r'|"observedTimeUnixNano":"(?P<observed>[1-9][0-9]*)"')
KINDS = ("uuid", "call", "host", "email", "account", "stamp", "observed")


def template(line):
    """A line as literal text and (kind, original value) holes."""
    parts, at = [], 0
    for m in PATTERN.finditer(line):
        kind = next(k for k in KINDS if m.group(k) is not None)
        start, end = m.span(kind)
        parts.append(line[at:start])
        parts.append((kind, m.group(kind)))
        at = end
    parts.append(line[at:])
    return parts


def stamp_ms(text):
    return int(dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def load():
    scenarios = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*", "otlp.jsonl"))):
        name = os.path.basename(os.path.dirname(path))
        with open(path, encoding="utf-8") as f:
            lines = [template(line.rstrip("\n")) for line in f if line.strip()]
        starts = [stamp_ms(v) for parts in lines for p in parts if isinstance(p, tuple) and p[0] == "stamp" for v in [p[1]]]
        scenarios.append((name, lines, min(starts)))
    return scenarios


def main(out, size, seed):
    rng = random.Random(seed)
    scenarios = load()
    users = [(f"user-{i:04d}@warden-test.invalid", f"acct-warden-test-{i:04d}", f"ws-{i:04d}", f"ws-{i:04d}-laptop") for i in range(400)]
    hex_ = "0123456789abcdef"
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    base_ms = stamp_ms("2026-12-01T08:00:00.000Z")

    def replay(name, lines, start, round_):
        email, account, host, second = users[rng.randrange(len(users))]
        new_start = base_ms + round_ * 60_000 + rng.randrange(60_000)
        ids, calls = {}, {}

        def value(kind, old):
            if kind == "uuid":
                if old not in ids:
                    ids[old] = "".join(rng.choice(hex_) for _ in range(32))
                u = ids[old]
                return f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"
            if kind == "call":
                if old not in calls:
                    calls[old] = "call_" + "".join(rng.choice(alnum) for _ in range(24))
                return calls[old]
            if kind == "host":
                return second if name == "identity-host-b" else host
            if kind == "email":
                return email
            if kind == "account":
                return account
            if kind == "stamp":
                t = dt.datetime.fromtimestamp((stamp_ms(old) - start + new_start) / 1000, dt.timezone.utc)
                return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            return str(int(old) + (new_start - start) * 1_000_000)

        for parts in lines:
            yield "".join(p if isinstance(p, str) else value(*p) for p in parts)

    def replays():
        round_ = 0
        while True:
            order = list(scenarios)
            rng.shuffle(order)
            for name, lines, start in order:
                yield replay(name, lines, start, round_)
            round_ += 1

    source = replays()
    running, written, lines_out = [], 0, 0
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        while True:
            while len(running) < 8:
                running.append(next(source))
            i = rng.randrange(len(running))
            line = next(running[i], None)
            if line is None:
                running.pop(i)
                continue
            line += "\n"
            n = len(line.encode("utf-8"))
            if written + n > size:
                break
            f.write(line)
            written += n
            lines_out += 1
    print(f"{out}: {written:,} bytes, {lines_out:,} lines", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 30, int(sys.argv[3]) if len(sys.argv) > 3 else 42)
