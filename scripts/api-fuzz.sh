#!/usr/bin/env bash
# Usage: scripts/api-fuzz.sh [MAX_EXAMPLES]   (default 100 per operation; .ci/run passes fewer)
#
# API fuzzing with schemathesis (PyPI): starts `alongside serve --demo` on a fresh SQLite file,
# checks the document with openapi-spec-validator (PyPI), makes an account and an API token, then
# runs every phase (examples, coverage, fuzzing, stateful) against /api/openapi.json with the
# token and every check: no 5xx, answers and statuses as documented, requests the schema allows
# accepted, requests it forbids refused, authentication not ignored, deleted resources gone.
# scripts/schemathesis.toml lists the operations that also refuse on meaning a schema cannot say
# (a wrong current password, a window that ends before it starts, a city the gazetteer does not
# know), each with its reason. Installs schemathesis if it is missing. Needs target/debug/alongside
# (`cargo build -p app --bin alongside`), or ALONGSIDE_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-100}
bin=${ALONGSIDE_BIN:-target/debug/alongside}
[[ -x $bin ]] || { echo "api-fuzz: build $bin first (cargo build -p app --bin alongside)" >&2; exit 1; }
command -v st >/dev/null && command -v openapi-spec-validator >/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore schemathesis openapi-spec-validator

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
(cd "$dir" && DATABASE_URL="sqlite://$dir/fuzz.db" ALONGSIDE_BIND="127.0.0.1:$port" \
    ALONGSIDE_CONFIG=/nonexistent/alongside.toml ALONGSIDE_RATE_LIMIT_AUTH=1000000 ALONGSIDE_FAILED_SIGN_INS_PER_ADDRESS=1000000 ALONGSIDE_FAILED_SIGN_INS_PER_ACCOUNT=1000000 RUST_LOG=warn \
    exec "$OLDPWD/$bin" serve --demo >"$dir/server.log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

# The document itself must be valid OpenAPI, or client generators break on it.
curl -fs "$base/api/openapi.json" >"$dir/openapi.json"
openapi-spec-validator "$dir/openapi.json"

email="fuzz.$$@example.org" password="a long fuzzing passphrase"
curl -fs -H 'content-type: application/json' "$base/api/v1/accounts" \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Fuzz\"}" >/dev/null
token=$(curl -fs -H 'content-type: application/json' "$base/api/v1/tokens" \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"fuzz\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

set +e
st --no-color --config-file scripts/schemathesis.toml run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$examples" \
    --workers 2 \
    --request-timeout 20 \
    --generation-database none \
    --warnings off
status=$?
set -e
if [[ $status -ne 0 ]]; then
    echo "---- server log (errors) ----"
    grep -iE "error|panick" "$dir/server.log" | tail -40 || true
fi
exit $status
