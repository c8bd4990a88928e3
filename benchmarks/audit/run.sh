#!/usr/bin/env bash
# Side-by-side benchmark of `warden audit` against jq and ripgrep on the same generated OTLP JSON-lines file, in ONE
# hyperfine run (page cache warm, every invocation a fresh process, stdout to /dev/null):
#   warden audit FILE --format json --fail-on critical   read every log record, run every detection, write the alerts;
#   jq -c 'select(...)'   the log records whose event.name is one of the five the detections read (a comparable select);
#   rg -c                 count the lines that name one of those five events (the floor: no JSON parsing at all).
# Then memory: /usr/bin/time -v max RSS of the same warden command on 256 MiB and on 1 GiB (streaming: flat is the goal).
# Goal (issue): at least 10x jq's throughput, within 4x of ripgrep's, memory flat as input grows.
# The file is generate.py's replay of the real Codex 0.171.0 recordings (tests/fixtures/telemetry/*/otlp.jsonl).
# Needs hyperfine, ripgrep, jq and GNU time (apt), python3. Writes results.md beside this script.
# SIZE (bytes, default 1 GiB), SMALL (default 256 MiB) and RUNS (default 3) can be set in the environment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
size=${SIZE:-$((1 << 30))}
small=${SMALL:-$((256 << 20))}
runs=${RUNS:-3}
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
command -v jq >/dev/null || missing+=(jq)
[ -x /usr/bin/time ] || missing+=(time)
[ ${#missing[@]} -eq 0 ] || apt-get install -y "${missing[@]}" >/dev/null

out="$repo/artifacts/bench/warden-aot"
echo "publishing warden (Native AOT) ..."
dotnet publish "$repo/src/Warden.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out" --nologo -v q >/dev/null
warden="$out/warden"

work=$(mktemp -d /var/tmp/warden-audit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
big="$work/otlp-big.jsonl"
little="$work/otlp-small.jsonl"
python3 "$here/generate.py" "$big" "$size"
python3 "$here/generate.py" "$little" "$small"
# Measure the files as any existing file is read: flushed, dropped from the page cache, read back from disk (the warm
# step below). Pages of a file just written stay small in the page cache: rg (memory-mapped, memory-bound) read the
# same bytes in 0.6-0.9 s freshly written and in 0.11-0.15 s once read back from disk, and the 0.7-0.9 s of sessions 7-8
# flattered every ratio to it. warden (read(), CPU-bound) is the same either way. Needs root for drop_caches.
sync
if [ -w /proc/sys/vm/drop_caches ]; then echo 1 >/proc/sys/vm/drop_caches; else echo "note: cannot drop the page cache (not root): rg will look slower than it is" >&2; fi
bytes=$(stat -c %s "$big")

# The five events the detections read fields of; jq selects those records, rg counts the lines naming them.
events='codex.tool_result codex.tool_decision codex.sandbox_outcome codex.conversation_starts codex.user_prompt'
jq_list=$(printf '"%s",' $events)
jq_filter=".resourceLogs[].scopeLogs[].logRecords[] | select(any(.attributes[]?; .key == \"event.name\" and (.value.stringValue | IN(${jq_list%,}))))"
rg_pattern="codex\\.($(echo $events | sed 's/codex\.//g; s/ /|/g'))"

# Warm the page cache (read from disk); check that warden reads the file (exit 0 or 1 = alerts, never 2 = nothing readable).
cat "$big" "$little" >/dev/null
set +e
"$warden" audit "$big" --format json --fail-on critical >"$work/alerts.json" 2>"$work/stderr.txt"
rc=$?
set -e
if [ "$rc" -gt 1 ]; then
  echo "warden audit exited $rc:" >&2
  head -5 "$work/stderr.txt" >&2
  exit 1
fi
rg_lines=$(rg -c -e "$rg_pattern" "$big")
jq_records=$(jq -c "$jq_filter" "$big" | wc -l)

hyperfine --warmup 1 --runs "$runs" --ignore-failure --shell=none \
  --command-name "warden audit --format json" "$warden audit $big --format json --fail-on critical" \
  --command-name "jq select (5 event names)" "jq -c '$jq_filter' $big" \
  --command-name "rg -c (5 event names)" "rg -c -e '$rg_pattern' $big" \
  --export-markdown "$work/table.md" --export-json "$work/results.json"

rss() { /usr/bin/time -v "$warden" audit "$1" --format json --fail-on critical 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'; }
rss_small=$(rss "$little")
rss_big=$(rss "$big")

python3 - "$work/results.json" "$work/table.md" "$work/alerts.json" "$here/results.md" "$bytes" "$(stat -c %s "$little")" \
  "$rss_small" "$rss_big" "$rg_lines" "$jq_records" "$warden" <<'PY'
import datetime, json, os, platform, subprocess, sys
results, table, alerts, out = sys.argv[1:5]
size, small, rss_small, rss_big, rg_lines, jq_records = map(int, sys.argv[5:11])
warden = sys.argv[11]
mean = {r["command"]: r for r in json.load(open(results))["results"]}
w, j, g = (mean[k]["mean"] for k in ("warden audit --format json", "jq select (5 event names)", "rg -c (5 event names)"))
mbs = lambda t: size / t / 1e6
summary = json.load(open(alerts))["summary"]
def version(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except Exception:
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0) / 1024 / 1024
lines = [
    "# `warden audit` beside jq and ripgrep (benchmarks/audit/run.sh)", "",
    f"{datetime.date.today()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, load average at the end "
    f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares the machine); warden {version(warden, '--version')} "
    f"(Native AOT), {version('jq', '--version')}, {version('rg', '--version')}, {version('hyperfine', '--version')}.", "",
    f"Input: generate.py's replay of the 24 recorded Codex 0.171.0 OTLP sessions, {size:,} bytes "
    f"({size / 2**30:.2f} GiB): {summary['sessions']:,} sessions, {sum(summary['events'].values()):,} log records, "
    f"{summary['alerts']:,} alerts; {rg_lines:,} lines name one of the five events, jq selects {jq_records:,} records. "
    f"Page cache warm (files flushed, dropped and read back from disk first), one hyperfine run (1 warmup, {len(mean[next(iter(mean))]['times'])} runs each).", "",
    open(table).read().strip(), "",
    "| command | mean | throughput |", "|---|---|---|",
    f"| `warden audit FILE --format json --fail-on critical` | {w:.2f} s | {mbs(w):.0f} MB/s |",
    f"| `jq -c 'select(event.name in the five)'` | {j:.2f} s | {mbs(j):.0f} MB/s |",
    f"| `rg -c 'codex\\.(the five)'` | {g:.2f} s | {mbs(g):.0f} MB/s |", "",
    f"- warden vs jq: **{j / w:.1f}x** jq's throughput (goal: at least 10x).",
    f"- warden vs rg: **{w / g:.1f}x** ripgrep's time (goal: within 4x).",
    f"- warden max RSS: **{rss_small / 1024:.0f} MiB** on {small / 2**20:.0f} MiB, **{rss_big / 1024:.0f} MiB** on "
    f"{size / 2**20:.0f} MiB ({rss_big / rss_small:.2f}x for {size / small:.1f}x the input; goal: flat).", "",
    "MB = 10^6 bytes. Every invocation is a fresh process reading the whole file.",
]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
