#!/usr/bin/env python3
"""Reads and writes vCards with an independent library (PyPI `vobject`), for the contacts tests.

Usage:
  python3 crates/app/tests/vcard_check.py read FILE.vcf   -> JSON list of the cards on stdout
  python3 crates/app/tests/vcard_check.py write FILE.json -> a vCard 3.0 file on stdout

Each card is {"name", "email", "company", "trade", "tags", "notes", "met_at", "cadence_days"};
`met_at` and `cadence_days` travel as X-ALONGSIDE-MET-AT and X-ALONGSIDE-CADENCE-DAYS.
Exits 1 with the reason when a file can't be read.
"""

import json
import sys

import vobject

MET_AT = "x-alongside-met-at"
CADENCE = "x-alongside-cadence-days"


def first(card, name):
    items = card.contents.get(name, [])
    return items[0].value if items else None


def read(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for card in vobject.readComponents(text):
        if card.name != "VCARD":
            raise ValueError(f"unexpected component {card.name}")
        org = first(card, "org")
        tags = []
        for c in card.contents.get("categories", []):
            tags.extend(c.value if isinstance(c.value, list) else [c.value])
        out.append({
            "name": first(card, "fn") or "",
            "email": first(card, "email") or "",
            "company": (org[0] if isinstance(org, list) else org) or "",
            "trade": first(card, "title") or "",
            "tags": tags,
            "notes": "\n".join(n.value for n in card.contents.get("note", [])),
            "met_at": first(card, MET_AT) or "",
            "cadence_days": first(card, CADENCE) or "",
        })
    return out


def write(path):
    with open(path, encoding="utf-8") as f:
        people = json.load(f)
    parts = []
    for p in people:
        card = vobject.vCard()
        card.add("fn").value = p["name"]
        card.add("n").value = vobject.vcard.Name(given=p["name"])
        if p.get("email"):
            card.add("email").value = p["email"]
        if p.get("company"):
            card.add("org").value = [p["company"]]
        if p.get("trade"):
            card.add("title").value = p["trade"]
        if p.get("tags"):
            card.add("categories").value = p["tags"]
        if p.get("notes"):
            card.add("note").value = p["notes"]
        if p.get("met_at"):
            card.add(MET_AT).value = p["met_at"]
        if p.get("cadence_days"):
            card.add(CADENCE).value = str(p["cadence_days"])
        parts.append(card.serialize())
    sys.stdout.write("".join(parts))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if sys.argv[1] == "read":
            json.dump(read(sys.argv[2]), sys.stdout)
        else:
            write(sys.argv[2])
    except Exception as e:  # any failure to parse is the answer
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
