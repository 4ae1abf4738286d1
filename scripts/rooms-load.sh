#!/usr/bin/env bash
# Usage: scripts/rooms-load.sh   (ROOMS, PER_ROOM, SECONDS, LOAD_DATABASE_URL override the defaults)
#
# Runs the live-rooms load client (crates/app/benches/rooms_load.rs) against a release build of
# `alongside serve`: 10,000 WebSockets in 500 rooms of 20 by default, so both the client and the
# server need well over 10,000 open files. Raises the soft limit to the hard one first.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need=$(( ${ROOMS:-500} * ${PER_ROOM:-20} + 1000 ))
if (( $(ulimit -n) < need )); then
    echo "rooms-load: the open-file limit is $(ulimit -n); $need are needed (raise the hard limit)" >&2
    exit 1
fi
exec cargo bench -p app --bench rooms_load
