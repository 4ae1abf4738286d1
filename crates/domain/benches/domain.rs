//! Benchmarks for the domain's hot paths: city search-as-you-type, password checks, distances,
//! recurrence expansion, time-finding, pairing, discovery, venue suggestion.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::{Africa, America, Asia, Australia, Europe};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use domain::discovery::{self, Item, Place, Search};
use domain::matching;
use domain::partners::{top, Between, Member, Mode, SkillIndex, Week};
use domain::profile::{Company, Window};
use domain::recurrence::{Rule, Series};
use domain::timefinding::{propose, Invitee, SlotRequest};
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

/// A tiny linear congruential generator (Knuth's MMIX constants): deterministic inputs without a
/// new dependency, so every run measures the same work.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn small(&mut self, n: u16) -> u16 {
        u16::try_from(self.below(n.into())).expect("below a u16")
    }
}

fn timefinding(c: &mut Criterion) {
    let zones = [
        Europe::Berlin,
        Europe::London,
        Europe::Lisbon,
        America::New_York,
        America::Los_Angeles,
        America::Sao_Paulo,
        Asia::Kolkata,
        Asia::Tokyo,
        Australia::Sydney,
        Africa::Lagos,
    ];
    // Two weeks over the EU's spring change, so some zones shift mid-range.
    let from = local(2026, 3, 23, 0).and_utc();
    let mut rng = Lcg(42);
    let invitees: Vec<Invitee> = (0..50)
        .map(|_| {
            let zone = zones[usize::from(rng.small(10))];
            // Three to six windows a week, starting 07:00–19:45 on the quarter hour, one to four hours long.
            let windows = (0..3 + rng.below(4))
                .map(|_| {
                    let start_min = 7 * 60 + 15 * rng.small(52);
                    let end_min = (start_min + 60 + 15 * rng.small(13)).min(1440);
                    Window { weekday: u8::try_from(rng.below(7)).expect("a weekday"), start_min, end_min }
                })
                .collect();
            // Two to five existing events of 30 minutes to two hours.
            let busy = (0..2 + rng.below(4))
                .map(|_| {
                    let start = from + TimeDelta::minutes(15 * i64::from(rng.small(14 * 96)));
                    (start, start + TimeDelta::minutes(30 + 15 * i64::from(rng.small(7))))
                })
                .collect();
            Invitee { zone, windows: profile::normalise_windows(windows), busy }
        })
        .collect();
    let req = SlotRequest {
        from,
        to: from + TimeDelta::days(14),
        duration_minutes: 60,
        step_minutes: 15,
        not_before: from,
        limit: 10,
    };
    c.bench_function("timefinding/propose 50 invitees over 14 days (15-min steps)", |b| {
        b.iter(|| propose(black_box(&invitees), black_box(&req)))
    });
}

fn pairing(c: &mut Criterion) {
    // One busy slot: 2,000 bookings, about 90% of pairs allowed (the rest blocked), weights 1..=1000.
    let n = 2_000;
    let mut rng = Lcg(7);
    let mut edges = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.below(10) < 9 {
                edges.push((i, j, u32::try_from(1 + rng.below(1_000)).expect("below 1001")));
            }
        }
    }
    let mut group = c.benchmark_group("matching");
    // Each run takes a sizeable fraction of a second; ten samples keep the bench short.
    group.sample_size(10);
    group.bench_function("pair one slot of 2,000 bookings (dense)", |b| {
        b.iter(|| matching::pair(black_box(n), black_box(&edges)))
    });
    group.finish();
}

fn partners(c: &mut Criterion) {
    // 100,000 virtual members in ten zones, each offering and needing two of 40 skills and free
    // three to six windows a week; one of them asks for their top 20. Members are placed on the
    // week ahead of time, as the server keeps them between requests.
    const SKILLS: [&str; 40] = [
        "seo",
        "copywriting",
        "branding",
        "ux",
        "ui",
        "illustration",
        "photography",
        "video",
        "rust",
        "python",
        "javascript",
        "devops",
        "data",
        "marketing",
        "sales",
        "accounting",
        "legal",
        "translation",
        "editing",
        "podcasting",
        "3d",
        "motion",
        "product",
        "research",
        "strategy",
        "pr",
        "social",
        "email",
        "wordpress",
        "shopify",
        "ads",
        "analytics",
        "coaching",
        "hr",
        "finance",
        "tax",
        "writing",
        "speaking",
        "design",
        "printing",
    ];
    let zones = [
        Europe::Berlin,
        Europe::London,
        Europe::Lisbon,
        America::New_York,
        America::Los_Angeles,
        America::Sao_Paulo,
        Asia::Kolkata,
        Asia::Tokyo,
        Australia::Sydney,
        Africa::Lagos,
    ];
    let mut rng = Lcg(11);
    let pick = |rng: &mut Lcg, k: usize| -> Vec<String> {
        (0..k).map(|_| SKILLS[usize::try_from(rng.below(40)).expect("small")].to_owned()).collect()
    };
    let members: Vec<Member> = (0..100_000)
        .map(|_| {
            let windows = (0..3 + rng.below(4))
                .map(|_| {
                    let start_min = 7 * 60 + 15 * rng.small(52);
                    let end_min = (start_min + 60 + 15 * rng.small(13)).min(1440);
                    Window { weekday: u8::try_from(rng.below(7)).expect("a weekday"), start_min, end_min }
                })
                .collect();
            Member {
                offers: pick(&mut rng, 2),
                needs: pick(&mut rng, 2),
                windows: profile::normalise_windows(windows),
                zone: zones[usize::from(rng.small(10))],
                coords: None,
                in_person: false,
                is_virtual: true,
                company: Company::Either,
                reliability: Some(0.5 + f64::from(rng.small(50)) / 100.0),
            }
        })
        .collect();
    let week = Week::containing(local(2026, 3, 25, 12).and_utc());
    let prepared: Vec<_> = members.iter().map(|m| week.prepare(m)).collect();
    let index = SkillIndex::new(&prepared);
    let me = week.prepare(&members[0]);
    c.bench_function("partners/top 20 of 100,000 virtual members", |b| {
        b.iter(|| {
            top(
                black_box(&me),
                black_box(&prepared),
                &index,
                Mode::Virtual,
                20,
                |i| i == 0,
                |_| Between::default(),
            )
        })
    });
}

/// 10,000 groups and events in 30 cities and online, with words and topics, searched the ways
/// the discovery page does.
fn discover(c: &mut Criterion) {
    let cities: Vec<(f64, f64)> =
        (0..30).map(|i| (36.0 + f64::from(i) * 0.7, -9.0 + f64::from(i) * 1.1)).collect();
    let topics =
        ["wordpress", "seo", "copywriting", "bookkeeping", "coworking", "referrals", "design", "writing"];
    let items: Vec<Item> = (0..10_000u32)
        .map(|i| Item {
            name: format!("{} circle {i}", topics[i as usize % topics.len()]),
            text: format!("Freelancers meeting to work alongside each other, number {i}"),
            topics: vec![
                topics[i as usize % topics.len()].to_owned(),
                topics[(i as usize / 8) % topics.len()].to_owned(),
            ],
            place: if i % 4 == 0 { Place::Virtual } else { Place::At(cities[i as usize % cities.len()]) },
            next_start: (i % 5 != 0).then(|| i64::from(i * 7919 % 100_000)),
        })
        .collect();
    let near = Search::new("", "", Some(cities[3]), 25.0, false);
    c.bench_function("discovery/near a city among 10,000", |b| {
        b.iter(|| discovery::find(black_box(&items), &near))
    });
    let words = Search::new("wordpress alongside", "", None, 25.0, false);
    c.bench_function("discovery/two words among 10,000", |b| {
        b.iter(|| discovery::find(black_box(&items), &words))
    });
    let all = Search::new("", "", None, 25.0, false);
    c.bench_function("discovery/everything among 10,000 (sort only)", |b| {
        b.iter(|| discovery::find(black_box(&items), &all))
    });
}

/// Eight participants around Lisbon choosing among 50,000 venues across Portugal and Spain: a
/// fifth closed on weekdays, a third too loud to cowork in.
fn venues(c: &mut Criterion) {
    use domain::venues::{suggest, Attributes, Candidate, OpeningHours, Participant, VenueIndex};
    let weekdays =
        OpeningHours::parse("Mon-Fri 08:00-19:00; Sat 09:00-13:00", "2026-12-25 closed").expect("hours");
    let weekends = OpeningHours::parse("Sat-Sun 10:00-18:00", "").expect("hours");
    let venues: Vec<Candidate> = (0..50_000u32)
        .map(|i| {
            let (a, b) = (f64::from(i % 223) / 223.0, f64::from(i % 197) / 197.0);
            Candidate {
                at: (36.5 + a * 7.0, -9.4 + b * 12.0),
                zone: Europe::Lisbon,
                hours: if i % 5 == 0 { weekends.clone() } else { weekdays.clone() },
                attributes: Attributes {
                    noise: f64::from(1 + i % 5),
                    wifi: i % 2 == 0,
                    outlets: (i % 3) as u8,
                    good_for_work: None,
                    reviews: 0,
                },
            }
        })
        .collect();
    let index = VenueIndex::new(venues);
    let people: Vec<Participant> = (0..8)
        .map(|i| Participant {
            name: format!("P{i}"),
            home: Some((38.60 + f64::from(i) * 0.03, -9.25 + f64::from(i) * 0.04)),
            near_home: vec![usize::try_from(i).unwrap_or(0) * 7],
        })
        .collect();
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .expect("instant")
        .with_timezone(&chrono::Utc);
    c.bench_function("venues/suggest for 8 among 50,000", |b| {
        b.iter(|| suggest(black_box(&index), &people, "cowork", start, start + TimeDelta::hours(2), 5))
    });
}

criterion_group!(benches, gazetteer, rules, recurrence, timefinding, pairing, partners, discover, venues);
criterion_main!(benches);
