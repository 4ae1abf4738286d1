#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL 15 server on 127.0.0.1 (free port, trust auth,
# fsync off), runs CMD with
#   ALONGSIDE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres
# exported (the tests create one fresh database per test from that admin URL),
# then stops the server and deletes its files. Exits with CMD's exit code.
# Installs Debian's postgresql-15 if it is missing (needs root for that).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

log() { echo "with-postgres: $*" >&2; }

# --- locate (or install) the server binaries --------------------------------
pg_bin_dir() {
    # initdb/pg_ctl are not on PATH on Debian; ask dpkg where the package put them.
    local ctl
    ctl=$(dpkg -L postgresql-15 2>/dev/null | grep '/bin/pg_ctl$' | head -n1 || true)
    [[ -n $ctl ]] && dirname "$ctl"
}

PG_BIN=${PG_BIN:-$(pg_bin_dir || true)}
if [[ -z $PG_BIN ]]; then
    log "installing postgresql-15 from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null ||
        apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PG_BIN=$(pg_bin_dir || true)
    PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
fi
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || { log "no initdb/pg_ctl in $PG_BIN"; exit 1; }

# --- run server commands as an unprivileged user -----------------------------
# initdb and postgres refuse to run as root, so as root we use the `postgres`
# system user (creating it if needed); as anyone else we run them directly.
if [[ $EUID -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
    # runuser keeps the cwd, which `postgres` may not be able to read (e.g. /root).
    as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

# --- pick a free TCP port on loopback ---------------------------------------
# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# --- create the cluster and arrange for cleanup ------------------------------
# Under /tmp, not $TMPDIR: `postgres` must be able to reach it, and the Unix
# socket path inside it must stay short (about 100 bytes at most).
dir=$(mktemp -d /tmp/alongside-pg.XXXXXX)
data="$dir/data"
started=""

# shellcheck disable=SC2317  # only ever called from the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n $started ]]; then
        # "immediate" is enough: the data is thrown away anyway.
        as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    # Belt and braces: if the postmaster somehow survived, kill it by its pid.
    if [[ -f $data/postmaster.pid ]]; then
        kill -9 "$(head -n1 "$data/postmaster.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $EUID -eq 0 ]]; then
    chown postgres: "$dir"
fi

as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }

# Another process could grab the port between picking and binding: retry a few times.
port=""
for attempt in 1 2 3; do
    port=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
        start >/dev/null; then
        started=1
        break
    fi
    log "start on port $port failed (attempt $attempt)"
    port=""
done
if [[ -z $port ]]; then
    cat "$dir/server.log" >&2 || true
    log "could not start PostgreSQL"
    exit 1
fi

export ALONGSIDE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port"

# Run CMD in the background and wait for it, rather than `exec` (the EXIT trap
# must still stop the server) or a plain foreground run (bash would hold a
# SIGTERM until CMD finished by itself): a signal to this script is passed on
# to CMD at once. CMD gets our stdin (a background job would otherwise get
# /dev/null), via fd 3 so that a closed stdin (CI has none) is no error.
if ! { exec 3<&0; } 2>/dev/null; then
    exec 3</dev/null
fi
"$@" <&3 3<&- &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
set +e
wait "$child"
rc=$?
# `wait` returns early when a trapped signal arrives; collect CMD's real status.
while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    rc=$?
done
set -e
exit "$rc"
