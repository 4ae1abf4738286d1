#!/usr/bin/env bash
# Usage: scripts/load.sh   (LOAD_SECONDS and LOAD_CONNECTIONS override 60 and 64)
#
# The load harness (crates/app/benches/http_load.rs) on SQLite, then on a throwaway PostgreSQL
# server, against the release build; writes both tables, with the machine and the command, into
# docs/benchmarks.md between the "load harness" markers. Installs Debian's wrk and oha (for the
# latencies at a fixed rate; `cargo install --locked oha`) if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
command -v oha >/dev/null || cargo install --locked --quiet oha
export LOAD_SECONDS=${LOAD_SECONDS:-60} LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-64}
run() { cargo bench -q -p app --bench http_load; }

out=$(mktemp)
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), \
$(free -g | awk '/Mem:/ {print $2}') GiB RAM, with \`scripts/load.sh\` (= \`cargo bench -p app --bench http_load\`, \
LOAD_SECONDS=$LOAD_SECONDS LOAD_CONNECTIONS=$LOAD_CONNECTIONS, oha $(oha --version | cut -d" " -f2), on SQLite and then with \`scripts/with-postgres.sh\`). \
wrk and the server share the machine."
    echo
    run
    echo
    bash scripts/with-postgres.sh bash -c "$(declare -f run); run"
} | tee "$out"

python3 - "$out" <<'PY'
import re, sys
table = open(sys.argv[1]).read().strip()
path = "docs/benchmarks.md"
doc = open(path).read()
start, end = "<!-- load harness: start -->", "<!-- load harness: end -->"
block = f"{start}\n{table}\n{end}"
doc = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S) if start in doc else doc + "\n" + block + "\n"
open(path, "w").write(doc)
PY
echo "load: docs/benchmarks.md updated"
