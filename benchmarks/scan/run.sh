#!/usr/bin/env bash
# Side-by-side benchmark of `warden scan` against ripgrep on the same trees, in one hyperfine run each:
#   rg --files                the walk alone (.gitignore-aware, parallel): the floor for any scanner;
#   rg --files --hidden       the same walk into hidden folders too (.github, .codex, .agents), which warden must read;
#   rg with patterns          a content search for the same hidden-instruction signals over every file;
#   warden scan --format json the whole scan: walk, read the agent files and workflows, run every rule.
# Trees: a generated monorepo (generate.py, 100,000 files by default) and a real checkout (REAL_REPO, default: a
# `git archive` of the dotnet/aspire mirror if present). Goal: warden scan within 1.5x of rg --files.
# Needs hyperfine and ripgrep (apt), python3. Writes results.md beside this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
files=${FILES:-100000}
command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
command -v rg >/dev/null || apt-get install -y ripgrep >/dev/null

out="$repo/artifacts/bench/warden-aot"
echo "publishing warden (Native AOT) ..."
dotnet publish "$repo/src/Warden.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out" --nologo -v q >/dev/null

work=$(mktemp -d /var/tmp/warden-scan-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$here/generate.py" "$work/monorepo" "$files"
git -C "$work/monorepo" init -q

real=${REAL_REPO:-}
if [ -z "$real" ] && [ -d /work/.mirror/dotnet+aspire/repo ]; then
  mkdir -p "$work/aspire" && git --git-dir=/work/.mirror/dotnet+aspire/repo archive HEAD | tar -x -C "$work/aspire"
  git -C "$work/aspire" init -q
  real="$work/aspire"
fi

# The same signals warden looks for, as one ripgrep pattern file (PCRE2).
printf '%s\n' $'\u200b' $'\u2060' $'\u202e' $'\U000E0041' '<!--' '(?i)ignore (all )?previous instructions' \
  '(?i)curl .*\$[A-Z_]*(KEY|TOKEN|SECRET)' 'dangerously-bypass' 'openai/codex-action' > "$work/patterns.txt"
: > "$here/results.md"
for tree in "$work/monorepo" ${real:+"$real"}; do
  name=$(basename "$tree")
  n=$(rg --files "$tree" | wc -l)
  echo "## $name ($n files after .gitignore)" >> "$here/results.md"
  hyperfine --warmup 2 --runs 10 --ignore-failure --shell=none \
    --command-name "rg --files" "rg --files $tree" \
    --command-name "rg --files --hidden" "rg --files --hidden $tree" \
    --command-name "rg (hidden-instruction patterns, all files)" "rg -c -P -f $work/patterns.txt $tree" \
    --command-name "warden scan --format json" "$out/warden scan $tree --format json" \
    --export-markdown "$work/$name.md" --export-json "$work/$name.json" >/dev/null
  cat "$work/$name.md" >> "$here/results.md"
  python3 - "$work/$name.json" >> "$here/results.md" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"\nwarden scan / rg --files = {r['warden scan --format json'] / r['rg --files']:.2f}; "
      f"warden scan / rg --files --hidden = {r['warden scan --format json'] / r['rg --files --hidden']:.2f}\n")
PY
done
cat "$here/results.md"
