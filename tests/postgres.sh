#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the server tests: `tests/postgres.sh start` installs PostgreSQL from apt if it is
# missing, creates a cluster in a temporary folder (trust auth, loopback only, its own port and socket folder) and
# prints the connection string; `tests/postgres.sh stop` stops it and removes the folder. Needs root (runs the server
# as the postgres user).
set -euo pipefail
dir=${WARDEN_PG_DIR:-/tmp/warden-test-postgres}
port=${WARDEN_PG_PORT:-55432}
case "${1:-}" in
  start)
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }; } >&2
    fi
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ -f "$dir/postmaster.pid" ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    install -d -o postgres -g postgres -m 700 "$dir"
    runuser -u postgres -- "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -n "$bin" ] && [ -f "$dir/postmaster.pid" ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: tests/postgres.sh start|stop" >&2
    exit 2
    ;;
esac
