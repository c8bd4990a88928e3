#!/usr/bin/env bash
# Runs every Warden test. Installs what the tests need (idempotently), builds, tests, and ends with one line:
#   N passed, N failed, N skipped
# Needs: the .NET 10 SDK, npm, git, unshare (util-linux) and root (the conformance suite mounts a private /etc/codex;
# PostgreSQL runs as the postgres user).
set -uo pipefail
cd "$(dirname "$0")"

CODEX_VERSION=0.171.0
CODEX_DIR="${WARDEN_CODEX_DIR:-$HOME/.cache/warden/codex/$CODEX_VERSION}"
if [ ! -x "$CODEX_DIR/node_modules/.bin/codex" ]; then
  echo "test.sh: installing @openai/codex@$CODEX_VERSION into $CODEX_DIR (conformance suite)"
  mkdir -p "$CODEX_DIR"
  (cd "$CODEX_DIR" && npm install --no-audit --no-fund --silent "@openai/codex@$CODEX_VERSION") || {
    echo "test.sh: npm could not install @openai/codex@$CODEX_VERSION"; echo "0 passed, 1 failed"; exit 1; }
fi
export WARDEN_CODEX="$CODEX_DIR/node_modules/.bin/codex"

SARIF_MULTITOOL_VERSION=5.7.0
SARIF_MULTITOOL_DIR="$HOME/.cache/warden/sarif-multitool/$SARIF_MULTITOOL_VERSION"
SARIF_MULTITOOL="$SARIF_MULTITOOL_DIR/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$SARIF_MULTITOOL" ]; then
  echo "test.sh: installing @microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION into $SARIF_MULTITOOL_DIR (SARIF validation)"
  mkdir -p "$SARIF_MULTITOOL_DIR"
  (cd "$SARIF_MULTITOOL_DIR" && npm install --no-audit --no-fund --silent "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" \
    && chmod u+x "$SARIF_MULTITOOL") || {
    echo "test.sh: npm could not install @microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION"; echo "0 passed, 1 failed"; exit 1; }
fi
export WARDEN_SARIF_MULTITOOL="$SARIF_MULTITOOL"
if ! command -v chromium >/dev/null; then
  echo "test.sh: installing Debian chromium (browser tests of the HTML report)"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; } \
    && command -v chromium >/dev/null || {
    echo "test.sh: apt-get could not install chromium (needed by tests/Warden.Browser.Tests)"; echo "0 passed, 1 failed"; exit 1; }
fi
for tool in git unshare; do
  command -v "$tool" >/dev/null || { echo "test.sh: $tool is required"; echo "0 passed, 1 failed"; exit 1; }
done

# A throwaway PostgreSQL for the server tests (tests/Warden.Server.Tests run every API test on SQLite and PostgreSQL).
if ! pg=$(tests/postgres.sh start); then
  echo "test.sh: could not start PostgreSQL (tests/postgres.sh start)"; echo "0 passed, 1 failed"; exit 1
fi
export WARDEN_TEST_POSTGRES="$pg"

log=$(mktemp)
trap 'tests/postgres.sh stop >/dev/null 2>&1; rm -f "$log"' EXIT
dotnet test Warden.slnx --nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
  line=$0; gsub(/,/,"",line); n=split(line,a,/[ \t]+/)
  for(i=1;i<n;i++){ if(a[i]=="Failed:")f+=a[i+1]; if(a[i]=="Passed:")p+=a[i+1]; if(a[i]=="Skipped:")s+=a[i+1] } }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s; if (p == 0) exit 1 }' "$log" || rc=1
exit $rc
