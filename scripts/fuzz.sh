#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 600 s each, every target; .ci/run: 30)
#
# Runs the cargo-fuzz targets in fuzz/ (libFuzzer) on stable Rust: cargo-fuzz needs nightly
# flags, which RUSTC_BOOTSTRAP=1 allows. Installs cargo-fuzz if it is missing. Seeds come from
# fuzz/seeds/TARGET; what a run learns goes to fuzz/corpus/TARGET (not committed); a crash is
# written to fuzz/artifacts/TARGET and fails the run. The code is safe Rust, so the targets are
# built without a sanitizer: what they look for is panics, aborts, hangs and broken invariants.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(recurrence ics_import room_protocol forms)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    echo "fuzz: $t for ${seconds}s"
    status=0
    cargo fuzz run --sanitizer none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" || true
    if [[ $status -ne 0 ]] || compgen -G "fuzz/artifacts/$t/*" >/dev/null; then
        grep -m1 -A4 "panicked at" "$log" >&2 || true
        tail -40 "$log" >&2
        echo "fuzz: $t failed (exit $status); artifacts: $(ls "fuzz/artifacts/$t" 2>/dev/null)" >&2
        exit 1
    fi
done
echo "fuzz: no faults"
