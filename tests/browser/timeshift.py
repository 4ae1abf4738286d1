"""Moves a browser test's data back in time, so that weeks can pass in seconds.

    python3 timeshift.py DB backdate-goal TITLE DAYS   # the goal was set DAYS days earlier
    python3 timeshift.py DB rollover-board             # every board entry moves a week back
    python3 timeshift.py DB shift-event TITLE DAYS     # a one-off UTC event (and its answers) moves DAYS back
    python3 timeshift.py DB backdate-contacts DAYS     # every contact was added (and touched) DAYS earlier

The server keeps running: SQLite in WAL mode takes this write beside it.
"""

import datetime
import sqlite3
import sys


def previous_week(key: str) -> str:
    year, week = key.split("-W")
    monday = datetime.date.fromisocalendar(int(year), int(week), 1) - datetime.timedelta(days=7)
    iso = monday.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def main() -> None:
    db, command, *args = sys.argv[1:]
    con = sqlite3.connect(db, timeout=10)
    with con:
        if command == "backdate-goal":
            title, days = args
            changed = con.execute(
                "UPDATE goals SET created_at = created_at - ? WHERE title = ?",
                (int(days) * 86_400_000, title),
            ).rowcount
        elif command == "rollover-board":
            rows = con.execute("SELECT group_id, user_id, week FROM board_entries").fetchall()
            # Oldest first, so no entry lands on one that has not moved yet.
            for group_id, user_id, week in sorted(rows, key=lambda r: r[2]):
                con.execute(
                    "UPDATE board_entries SET week = ? WHERE group_id = ? AND user_id = ? AND week = ?",
                    (previous_week(week), group_id, user_id, week),
                )
            changed = len(rows)
        elif command == "shift-event":
            title, days = args
            ms = int(days) * 86_400_000
            rows = con.execute("SELECT id, start_local FROM events WHERE title = ? AND time_zone = 'UTC'", (title,)).fetchall()
            for event_id, start_local in rows:
                moved = datetime.datetime.strptime(start_local, "%Y-%m-%dT%H:%M") - datetime.timedelta(days=int(days))
                con.execute(
                    "UPDATE events SET start_local = ?, first_start_at = first_start_at - ?, "
                    "last_end_at = last_end_at - ? WHERE id = ?",
                    (moved.strftime("%Y-%m-%dT%H:%M"), ms, ms, event_id),
                )
                con.execute("UPDATE rsvps SET occurrence_start = occurrence_start - ? WHERE event_id = ?", (ms, event_id))
            changed = len(rows)
        elif command == "backdate-contacts":
            (days,) = args
            ms = int(days) * 86_400_000
            changed = con.execute(
                "UPDATE contacts SET created_at = created_at - ?, last_contact_at = last_contact_at - ?", (ms, ms)
            ).rowcount
        else:
            sys.exit(f"unknown command {command}")
    if not changed:
        sys.exit(f"{command}: nothing to change")
    print(f"{command}: {changed} row(s)")


if __name__ == "__main__":
    main()
