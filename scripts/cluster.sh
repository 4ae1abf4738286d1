#!/usr/bin/env bash
# Usage: scripts/cluster.sh   (CLUSTER_SECONDS overrides 60; CLUSTER_RELEASE=1 builds with --release)
#
# Several instances behaving as one (crates/app/tests/cluster.rs): three `alongside serve`
# processes on a throwaway PostgreSQL server behind HAProxy on loopback, a mixed load through the
# balancer while one instance is killed with SIGKILL and started again, then checks that no GET
# failed, every acknowledged write is stored, room clients resumed without gaps or duplicates,
# queued mail, due reminders, digests and goal nudges went out once, and limits held across
# instances. Prints the table for docs/benchmarks.md. Installs Debian's haproxy if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
export CLUSTER_SECONDS=${CLUSTER_SECONDS:-60}
profile=()
[[ ${CLUSTER_RELEASE:-0} == 1 ]] && profile=(--release)
bash scripts/with-postgres.sh \
    cargo test "${profile[@]}" -p app --test cluster -- --ignored --nocapture
