#!/usr/bin/env bash
# Check-in load on loopback, in one run: `warden serve` (Native AOT) on SQLite, then on PostgreSQL (a throwaway
# cluster, tests/postgres.sh, fsync on), each driven by the same generator (load/): MACHINES reporter tokens, then
# CONNECTIONS check-ins in flight for SECONDS; check-ins per second and latency percentiles from the client's side.
# Goal (issue 8): at least 2,000 check-ins/s with p99 under 50 ms on PostgreSQL on this 2-core machine.
# Writes results.md beside this script. SECONDS_PER_RUN (default 20), CONNECTIONS (16), MACHINES (1000) from the environment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${SECONDS_PER_RUN:-20}
connections=${CONNECTIONS:-16}
machines=${MACHINES:-1000}

out="$repo/artifacts/bench"
echo "publishing warden (Native AOT) and the load generator ..."
dotnet publish "$repo/src/Warden.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out/warden-aot" --nologo -v q >/dev/null
dotnet build "$here/load/load.csproj" -c Release -o "$out/load" --nologo -v q >/dev/null
warden="$out/warden-aot/warden"

work=$(mktemp -d /var/tmp/warden-server-bench.XXXXXX)
chmod 755 "$work"  # the PostgreSQL cluster inside runs as the postgres user
export WARDEN_PG_DIR="$work/pg" WARDEN_PG_PORT=55439
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$repo/tests/postgres.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg=$("$repo/tests/postgres.sh" start)

run() { # engine, database arguments...
  local engine=$1; shift
  local port=$((8800 + RANDOM % 500))
  "$warden" serve --listen "http://127.0.0.1:$port" "$@" >"$work/$engine.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local admin
  admin=$(grep -o 'wdn_[A-Za-z0-9_-]*' "$work/$engine.log" | head -1)
  "$out/load/warden-load" "http://127.0.0.1:$port" "$admin" "$seconds" "$connections" "$machines" >"$work/$engine.json"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  echo "$engine: $(cat "$work/$engine.json")"
}
run sqlite --data "$work/warden.db"
run postgresql --db "$pg"

python3 - "$work/sqlite.json" "$work/postgresql.json" "$here/results.md" "$warden" "$seconds" <<'PY'
import datetime, json, os, subprocess, sys
sqlite, pg = (json.load(open(p)) for p in sys.argv[1:3])
out, warden, seconds = sys.argv[3], sys.argv[4], sys.argv[5]
version = subprocess.run([warden, "--version"], capture_output=True, text=True).stdout.strip()
pgv = subprocess.run(["bash", "-c", "ls /usr/lib/postgresql | sort -V | tail -1"], capture_output=True, text=True).stdout.strip()
load = os.getloadavg()
rows = "\n".join(f"| {name} | {r['checkins']:,} | {r['per_second']:,.0f} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} |"
                 for name, r in (("SQLite (WAL, synchronous=NORMAL)", sqlite), (f"PostgreSQL {pgv} (fsync on, synchronous_commit on)", pg)))
goal = "met" if pg["per_second"] >= 2000 and pg["p99_ms"] < 50 else "NOT met"
open(out, "w").write(f"""# `warden serve` check-in load (benchmarks/server/run.sh)

{datetime.date.today()}, {os.cpu_count()} cores, load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; warden {version} (Native AOT),
server and load generator on the same machine (loopback). {pg['machines']:,} machines, each with its own reporter token;
{pg['connections']} check-ins in flight for {seconds} s per engine; every check-in has 5 findings and is committed before its 201.

| database | check-ins | per second | p50 ms | p90 ms | p99 ms | max ms | errors |
|---|---:|---:|---:|---:|---:|---:|---:|
{rows}

Goal (issue 8): at least 2,000 check-ins/s with p99 under 50 ms on PostgreSQL: **{goal}** ({pg['per_second']:,.0f}/s, p99 {pg['p99_ms']} ms).
""")
print(open(out).read())
PY
