//! Benchmarks for the domain's hot paths: city search-as-you-type, password checks, distances.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
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

criterion_group!(benches, gazetteer, rules);
criterion_main!(benches);
