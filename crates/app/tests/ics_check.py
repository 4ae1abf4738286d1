#!/usr/bin/env python3
"""Checks .ics files written by Alongside with an independent parser (PyPI `icalendar`).

Usage: python3 crates/app/tests/ics_check.py FILE.ics [FILE.ics ...]

For each file it checks that:
- `icalendar.Calendar.from_ical` reads it;
- every TZID the events use has a VTIMEZONE;
- every VEVENT has UID, DTSTART and DTSTAMP;
- every VEVENT with a RECURRENCE-ID shares its UID with a master VEVENT (one without);
- each VTIMEZONE, read on its own (not looked up by name), gives the same UTC offset as the
  tz database (Python's zoneinfo) at every start, end, recurrence id and EXDATE in the file and at
  each series' occurrences over its first two years (expanded with dateutil, which icalendar
  depends on), so a calendar app that trusts the file shows the times we mean.

Prints one line per good file and exits 0; otherwise prints every problem and exits 1.
"""

import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from dateutil.rrule import rrulestr

SERIES_SPAN = timedelta(days=2 * 366)
MAX_OCCURRENCES = 200


def tzid_of(value):
    params = getattr(value, "params", None) or {}
    return params.get("TZID")


def as_list(value):
    return value if isinstance(value, list) else [value]


def wall_times(value):
    """The datetimes inside a DATE-TIME property value or an EXDATE/RDATE list."""
    dts = getattr(value, "dts", None)
    if dts is not None:
        return [d.dt for d in dts]
    dt = getattr(value, "dt", None)
    return [dt] if dt is not None else []


def checkable(ref, naive):
    """Times in a gap or fold are read differently by design (RFC 5545 §3.3.5); skip those."""
    first, second = naive.replace(tzinfo=ref, fold=0), naive.replace(tzinfo=ref, fold=1)
    if first.utcoffset() != second.utcoffset():
        return False
    back = first.astimezone(timezone.utc).astimezone(ref).replace(tzinfo=None)
    return back == naive


def check(path):
    """Returns (summary, problems) for one file."""
    problems = []
    try:
        with open(path, "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
    except Exception as e:  # the parser's own message is the clearest we have
        return None, [f"icalendar could not parse it: {e}"]

    zones = {str(tz["TZID"]): tz for tz in cal.walk("VTIMEZONE") if "TZID" in tz}
    events = cal.walk("VEVENT")
    if not events:
        problems.append("it has no VEVENT")

    # Wall times to compare, per zone: (what, naive local time).
    times = {}
    masters, overrides = set(), []
    for i, ev in enumerate(events):
        uid = str(ev.get("UID", ""))
        label = f"VEVENT {i + 1} ({uid or 'no UID'})"
        for required in ("UID", "DTSTART", "DTSTAMP"):
            if required not in ev:
                problems.append(f"{label} has no {required}")
        if "RECURRENCE-ID" in ev:
            overrides.append((label, uid))
        else:
            masters.add(uid)
        for name, value in ev.property_items(recursive=False):
            for v in as_list(value):
                tzid = tzid_of(v)
                if tzid is None:
                    continue
                tzid = str(tzid)
                if tzid not in zones:
                    problems.append(f"{label}: {name} uses TZID {tzid} but the file has no VTIMEZONE for it")
                    continue
                for dt in wall_times(v):
                    if isinstance(dt, datetime):
                        times.setdefault(tzid, []).append((f"{label} {name}", dt.replace(tzinfo=None)))
        start = ev.get("DTSTART")
        if "RRULE" in ev and start is not None and tzid_of(start) in zones:
            tzid = str(tzid_of(start))
            try:
                ref = ZoneInfo(tzid)
                first = start.dt.replace(tzinfo=None)
                rule = ev["RRULE"].to_ical().decode()
                occurrences = rrulestr(rule, dtstart=first.replace(tzinfo=ref))
                for n, occ in enumerate(occurrences):
                    if n >= MAX_OCCURRENCES or occ.replace(tzinfo=None) - first > SERIES_SPAN:
                        break
                    times.setdefault(tzid, []).append((f"{label} occurrence", occ.replace(tzinfo=None)))
            except ZoneInfoNotFoundError:
                pass
            except Exception as e:
                problems.append(f"{label}: its RRULE could not be expanded: {e}")

    for label, uid in overrides:
        if uid not in masters:
            problems.append(f"{label} has a RECURRENCE-ID but no master VEVENT with UID {uid}")

    checked = 0
    for tzid, wanted in times.items():
        try:
            ref = ZoneInfo(tzid)
        except ZoneInfoNotFoundError:
            continue
        own = zones[tzid].to_tz(lookup_tzid=False)
        for what, naive in wanted:
            if not checkable(ref, naive):
                continue
            checked += 1
            ours, theirs = own.utcoffset(naive), ref.utcoffset(naive)
            if ours != theirs:
                problems.append(
                    f"{what} {naive.isoformat()} in {tzid}: the VTIMEZONE says UTC{fmt(ours)}, "
                    f"the tz database says UTC{fmt(theirs)}"
                )

    series = sum(1 for ev in events if "RRULE" in ev)
    summary = (
        f"{count(len(events), 'event')} ({series} series, "
        f"{count(len(overrides), 'changed occurrence')}), "
        f"{count(len(zones), 'time zone')} ({', '.join(sorted(zones)) or 'none'}), "
        f"{count(checked, 'local time')} agree with the tz database"
    )
    return summary, problems


def count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fmt(offset):
    if offset is None:
        return "?"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            summary, problems = check(path)
        except OSError as e:
            summary, problems = None, [f"cannot read it: {e}"]
        if problems:
            failed = True
            for p in problems:
                print(f"FAIL {path}: {p}")
        else:
            print(f"ok   {path}: {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
