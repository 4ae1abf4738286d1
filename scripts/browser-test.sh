#!/usr/bin/env bash
# Usage: scripts/browser-test.sh
#
# Runs the browser test (tests/browser/signup.mjs) against a freshly started
# server with its own throwaway SQLite database and mail directory.
# The binary must already be built (cargo build -p app --bin alongside);
# ALONGSIDE_BIN points at another one. CHROMIUM overrides /usr/bin/chromium.
# Installs Debian's chromium (needs root) and the npm packages if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
log() { echo "browser-test: $*" >&2; }

bin=${ALONGSIDE_BIN:-target/debug/alongside}
if [[ ! -x $bin ]]; then
    log "$bin not found: build it first with 'cargo build -p app --bin alongside'"
    exit 1
fi

# --- browser ----------------------------------------------------------------
if [[ -z ${CHROMIUM:-} && ! -x /usr/bin/chromium ]]; then
    log "installing chromium from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# --- npm packages -------------------------------------------------------------
# Reinstall only when node_modules is missing or was installed from another
# package.json/package-lock.json (hashes, not mtimes: git does not keep those).
want=$(cat tests/browser/package.json tests/browser/package-lock.json | sha256sum | cut -d' ' -f1)
stamp=tests/browser/node_modules/.alongside-lock-hash
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "npm ci in tests/browser"
    (cd tests/browser && npm ci --no-audit --no-fund)
    echo "$want" >"$stamp"
fi

# --- server -------------------------------------------------------------------
# shellcheck source=scripts/lib.sh
source scripts/lib.sh # the script has cd-ed to the repository root

http_status() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
    else
        node -e 'fetch(process.argv[1]).then(r => console.log(r.status), () => console.log(0))' "$1"
    fi
}

tmp=$(mktemp -d /tmp/alongside-browser.XXXXXX)
mkdir -p "$tmp/mail"
server_log="$tmp/server.log"
server_pid=""

# shellcheck disable=SC2317  # only ever called from the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        # Give it a few seconds to shut down cleanly, then insist.
        for _ in $(seq 1 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
    echo "----- server log (last 200 lines of $server_log) -----" >&2
    tail -n 200 "$server_log" >&2 || true
    echo "----- end of server log -----" >&2
}

port=$(free_port)
base_url="http://127.0.0.1:$port"
log "starting $bin serve on $base_url"
DATABASE_URL="sqlite://$tmp/browser.db" \
    ALONGSIDE_BIND="127.0.0.1:$port" \
    ALONGSIDE_MAIL_DIR="$tmp/mail" \
    ALONGSIDE_RATE_LIMIT_AUTH=1000 \
    ALONGSIDE_SLOT_LOCK_MINUTES=60 \
    ALONGSIDE_NUDGE_POLL_MS=500 \
    RUST_LOG="${RUST_LOG:-info}" \
    "$bin" serve >"$server_log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + 60))
until [[ $(http_status "$base_url/healthz") == 200 ]]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        log "the server exited before answering /healthz"
        show_server_log
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        log "no 200 from $base_url/healthz within 60s"
        show_server_log
        exit 1
    fi
    sleep 0.25
done
log "server is up"

# --- the test -------------------------------------------------------------------
set +e
BASE_URL="$base_url" ICS_OUT="$tmp/downloaded.ics" DB_PATH="$tmp/browser.db" MAIL_DIR="$tmp/mail" node tests/browser/signup.mjs
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    show_server_log
    exit "$rc"
fi

# --- the downloaded .ics, read by an independent parser (Python's icalendar) ---
if python3 -c 'import icalendar' 2>/dev/null; then
    python3 crates/app/tests/ics_check.py "$tmp/downloaded.ics"
elif [[ -n ${CI:-} ]]; then
    log "Python's icalendar is missing (pip install icalendar)"
    exit 1
else
    log "note: Python's icalendar is not installed; the downloaded .ics was not checked"
fi

# --- every page, one URL per route pattern, on the demo community (tests/browser/routes.mjs) ---
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
demo_email=ana.almeida.0@demo.alongside.test
demo_password=alongside-demo-password
DATABASE_URL="sqlite://$tmp/demo.db" "$bin" demo >"$tmp/demo.log" 2>&1
# The walk's member is an admin too, so the admin's pages are opened with the rest.
DATABASE_URL="sqlite://$tmp/demo.db" ALONGSIDE_ADMIN_PASSWORD="$demo_password" \
    "$bin" admin create --email "$demo_email" >/dev/null
port=$(free_port)
base_url="http://127.0.0.1:$port"
server_log="$tmp/demo-server.log"
DATABASE_URL="sqlite://$tmp/demo.db" ALONGSIDE_BIND="127.0.0.1:$port" ALONGSIDE_MAIL_DIR="$tmp/mail" \
    ALONGSIDE_RATE_LIMIT_AUTH=1000 RUST_LOG="${RUST_LOG:-info}" \
    "$bin" serve >"$server_log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 60))
until [[ $(http_status "$base_url/healthz") == 200 ]]; do
    if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS >= deadline)); then
        log "the demo server did not start"
        show_server_log
        exit 1
    fi
    sleep 0.25
done
set +e
BASE_URL="$base_url" MEMBER_EMAIL="$demo_email" MEMBER_PASSWORD="$demo_password" node tests/browser/routes.mjs
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    show_server_log
    exit "$rc"
fi
