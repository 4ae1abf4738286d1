//! Benchmarks for the domain's hot paths: city search-as-you-type, password checks, distances,
//! recurrence expansion.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Europe;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use domain::recurrence::{Rule, Series};
use domain::{geo, password, profile};

fn gazetteer(c: &mut Criterion) {
    let g = geo::Gazetteer::bundled();
    c.bench_function("gazetteer/search 'lis' top 8", |b| b.iter(|| g.search(black_box("lis"), 8)));
    c.bench_function("gazetteer/search 'sao paulo' top 8", |b| {
        b.iter(|| g.search(black_box("sao paulo"), 8))
    });
    c.bench_function("gazetteer/resolve 'Portland, OR, United States'", |b| {
        b.iter(|| g.resolve(black_box("Portland, OR, United States")))
    });
    c.bench_function("geo/distance_km", |b| {
        b.iter(|| geo::distance_km(black_box((38.72, -9.13)), black_box((41.15, -8.61))))
    });
}

fn rules(c: &mut Criterion) {
    let _ = password::is_common("warm-up");
    c.bench_function("password/check", |b| {
        b.iter(|| password::check(black_box("quiet-cafe-table-42"), black_box("ana@example.org")))
    });
    c.bench_function("profile/parse_windows (5)", |b| {
        b.iter(|| profile::parse_windows(black_box("Mon 9-12, Tue 9-12, Wed 18-20, Thu 9-17, Fri 8-10")))
    });
}

fn local(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("a real date")
}

fn recurrence(c: &mut Criterion) {
    let weekly = |start| {
        Series::repeating(start, Europe::Berlin, 90, Rule::parse("FREQ=WEEKLY").expect("a valid rule"))
    };
    let this_year = weekly(local(2026, 1, 7, 18));
    let (from, to) = (local(2026, 1, 1, 0).and_utc(), local(2027, 1, 1, 0).and_utc());
    c.bench_function("recurrence/expand one year of a weekly series", |b| {
        b.iter(|| this_year.occurrences(black_box(from), black_box(to)).count())
    });
    // The same length of window fifteen years on: skipping ahead should make it cost the same.
    let since_2020 = weekly(local(2020, 1, 8, 18));
    let (from, to) = (local(2035, 1, 1, 0).and_utc(), local(2036, 1, 1, 0).and_utc());
    c.bench_function("recurrence/expand a 2020 weekly series in a 2035 window", |b| {
        b.iter(|| since_2020.occurrences(black_box(from), black_box(to)).count())
    });
}

criterion_group!(benches, gazetteer, rules, recurrence);
criterion_main!(benches);
