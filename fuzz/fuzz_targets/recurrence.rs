//! RRULE text, as an import or the API brings it: parsed, summarised, written back and read
//! again, and expanded over a year in a zone with clock changes. Nothing may panic or hang, and
//! a rule that reads must read back the same after it is written.
#![no_main]

use chrono::{NaiveDate, TimeZone, Utc};
use domain::recurrence::{Rule, Series};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(rule) = Rule::parse(text) else { return };
    let again = Rule::parse(&rule.to_string()).expect("a written rule reads back");
    assert_eq!(again, rule, "{text}");
    let start = NaiveDate::from_ymd_opt(2026, 3, 27).and_then(|d| d.and_hms_opt(2, 30, 0)).expect("date");
    let zone: chrono_tz::Tz = chrono_tz::Europe::Berlin;
    let series = Series::repeating(start, zone, 90, rule);
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("from");
    let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().expect("to");
    let mut last = None;
    for o in series.occurrences(from, to).take(2_000) {
        assert!(o.end >= o.start && o.start >= from && o.start < to);
        assert!(last.is_none_or(|l| o.start >= l), "in order");
        last = Some(o.start);
    }
});
