#!/usr/bin/env bash
# Side-by-side benchmark: `warden effective --format json` and `warden check --format json` against Codex's own `codex doctor --json` on the same case,
# one hyperfine run, every invocation a fresh process (cold start included). Needs root (a private /etc/codex mount),
# hyperfine (apt), npm. Writes results.md beside this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
CODEX_DIR="${WARDEN_CODEX_DIR:-$HOME/.cache/warden/codex/0.171.0}"
command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
[ -x "$CODEX_DIR/node_modules/.bin/codex" ] || (mkdir -p "$CODEX_DIR" && cd "$CODEX_DIR" && npm install --no-audit --no-fund --silent @openai/codex@0.171.0)
# The native binary behind the npm launcher: both sides are then timed without a Node.js start.
codex=$(find "$CODEX_DIR/node_modules/@openai" -path '*/bin/codex' -type f | head -1)

out="$repo/artifacts/bench/warden-aot"
echo "publishing warden (Native AOT) ..."
dotnet publish "$repo/src/Warden.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out" --nologo -v q >/dev/null

work=$(mktemp -d /var/tmp/warden-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$here/case/." "$work/"
grep -rlF '${CASE}' "$work" | while read -r f; do sed -i "s|\${CASE}|$work|g" "$f"; done
git -C "$work/project" init -q

# Both commands see the case's etc/ as /etc/codex, its home/ as CODEX_HOME and its project/ as the cwd.
unshare -m sh -s "$work" "$codex" "$out/warden" "$here" <<'SH'
set -e
work=$1 codex=$2 warden=$3 here=$4
mkdir -p /etc/codex && mount --bind "$work/etc" /etc/codex
cd "$work/project"
export CODEX_HOME="$work/home"
"$warden" effective --format json | head -c 0
hyperfine --warmup 3 --runs 40 --ignore-failure --shell=none \
  --command-name "warden effective --format json" "$warden effective --format json" \
  --command-name "warden check --format json" "$warden check --format json" \
  --command-name "codex doctor --json" "$codex doctor --json" \
  --export-markdown "$here/results.md" --export-json "$work/results.json"
SH
python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c = r["codex doctor --json"]
for name in ("warden effective --format json", "warden check --format json"):
    w = r[name]
    print(f"{name}: mean {w['mean']*1000:.1f} ms, codex doctor mean {c['mean']*1000:.1f} ms, ratio {w['mean']/c['mean']:.2f}")
PY
