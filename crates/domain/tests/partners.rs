//! Partner suggestions on hand-made pairs: the reasons say what the score saw.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::partners::{
    max_without_skills, rate, score, top, Between, Member, Mode, SkillIndex, Week, WEIGHTS,
};
use domain::profile::{Company, Window};

const LISBON: (f64, f64) = (38.7167, -9.1333);
const SINTRA: (f64, f64) = (38.8029, -9.3817);
const PORTO: (f64, f64) = (41.1496, -8.6110);

fn member(zone: Tz, offers: &[&str], needs: &[&str]) -> Member {
    Member {
        offers: offers.iter().map(|s| (*s).to_owned()).collect(),
        needs: needs.iter().map(|s| (*s).to_owned()).collect(),
        windows: Vec::new(),
        zone,
        coords: Some(LISBON),
        in_person: true,
        is_virtual: true,
        company: Company::Either,
        reliability: None,
    }
}

fn evenings(weekday: u8, from_h: u16, to_h: u16) -> Vec<Window> {
    vec![Window::new(weekday, from_h * 60, to_h * 60).expect("window")]
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 5, 12, 12, 0, 0).single().expect("instant")
}

#[test]
fn complementary_skills_are_named_both_ways() {
    let week = Week::containing(at());
    let me = member(chrono_tz::Europe::Lisbon, &["copywriting"], &["seo", "bookkeeping"]);
    let them = member(chrono_tz::Europe::Lisbon, &["seo"], &["copywriting"]);
    let s =
        score(&week.prepare(&me), &week.prepare(&them), Between::default(), Mode::InPerson).expect("scored");
    assert_eq!(s.reasons[0], "offers seo — you need seo; needs copywriting — you offer copywriting");
    assert!(s.reasons.contains(&"in the same city".to_owned()), "{s:?}");
    // Nothing in common: a lower score and no skills reason.
    let stranger = member(chrono_tz::Europe::Lisbon, &["pottery"], &["knitting"]);
    let t = score(&week.prepare(&me), &week.prepare(&stranger), Between::default(), Mode::InPerson)
        .expect("scored");
    assert!(t.score < s.score);
    assert!(!t.reasons.iter().any(|r| r.contains("offers")), "{t:?}");
}

#[test]
fn shared_evenings_are_found_across_zones_and_said_in_my_zone() {
    let week = Week::containing(at());
    // Wednesday 18:00-20:00 in Lisbon is 19:00-21:00 in Berlin.
    let mut me = member(chrono_tz::Europe::Lisbon, &[], &[]);
    me.windows = evenings(2, 18, 20);
    let mut them = member(chrono_tz::Europe::Berlin, &[], &[]);
    them.windows = evenings(2, 19, 21);
    them.coords = None;
    let s =
        score(&week.prepare(&me), &week.prepare(&them), Between::default(), Mode::Virtual).expect("scored");
    assert!(s.reasons.contains(&"both free Wednesday evenings".to_owned()), "{s:?}");
    assert!(s.reasons.contains(&"1 hour apart in time".to_owned()), "{s:?}");
    // Same wall time in both zones is an hour apart on the time line: only 19:00-20:00 Berlin is shared.
    them.windows = evenings(2, 18, 19);
    let t =
        score(&week.prepare(&me), &week.prepare(&them), Between::default(), Mode::Virtual).expect("scored");
    assert!(!t.reasons.iter().any(|r| r.starts_with("both free")), "{t:?}");
    // In person needs both to have a city.
    assert!(score(&week.prepare(&me), &week.prepare(&them), Between::default(), Mode::InPerson).is_none());
}

#[test]
fn distance_rounds_and_too_far_is_not_suggested_in_person() {
    let week = Week::containing(at());
    let me = member(chrono_tz::Europe::Lisbon, &[], &[]);
    let mut near = member(chrono_tz::Europe::Lisbon, &[], &[]);
    near.coords = Some(SINTRA);
    let s =
        score(&week.prepare(&me), &week.prepare(&near), Between::default(), Mode::InPerson).expect("scored");
    assert!(s.reasons.contains(&"about 25 km apart".to_owned()), "{s:?}");
    let mut far = member(chrono_tz::Europe::Lisbon, &[], &[]);
    far.coords = Some(PORTO);
    assert!(score(&week.prepare(&me), &week.prepare(&far), Between::default(), Mode::InPerson).is_none());
    assert!(score(&week.prepare(&me), &week.prepare(&far), Between::default(), Mode::Virtual).is_some());
    let mut offline = member(chrono_tz::Europe::Lisbon, &[], &[]);
    offline.is_virtual = false;
    assert!(score(&week.prepare(&me), &week.prepare(&offline), Between::default(), Mode::Virtual).is_none());
}

#[test]
fn reliability_groups_referrals_company_and_repeats_move_the_score() {
    let week = Week::containing(at());
    let mut me = member(chrono_tz::Europe::Lisbon, &[], &[]);
    me.company = Company::Quiet;
    let mut them = member(chrono_tz::Europe::Lisbon, &[], &[]);
    them.company = Company::Quiet;
    them.reliability = Some(1.0);
    let (p, q) = (week.prepare(&me), week.prepare(&them));
    let base = score(&p, &q, Between::default(), Mode::InPerson).expect("scored");
    assert!(base.reasons.contains(&"turns up to their sessions".to_owned()), "{base:?}");
    assert!(base.reasons.contains(&"you both like quiet company".to_owned()), "{base:?}");
    let friends = Between { referrals: 2, shared_groups: 1, recent_sessions: 0 };
    let s = score(&p, &q, friends, Mode::InPerson).expect("scored");
    assert!(s.reasons.contains(&"2 referrals passed between you".to_owned()), "{s:?}");
    assert!(s.reasons.contains(&"1 group in common".to_owned()), "{s:?}");
    assert!(s.score > base.score);
    let often = Between { recent_sessions: 3, ..Between::default() };
    assert!(score(&p, &q, often, Mode::InPerson).expect("scored").score < base.score, "repeats count less");
    them.company = Company::Chatty;
    them.reliability = Some(0.5);
    let clash = score(&p, &week.prepare(&them), Between::default(), Mode::InPerson).expect("scored");
    assert!(clash.score < base.score);
    assert!(!clash.reasons.iter().any(|r| r.contains("turns up")), "{clash:?}");
}

#[test]
fn top_finds_the_same_best_as_scoring_everyone() {
    let week = Week::containing(at());
    let me = member(chrono_tz::Europe::Lisbon, &["design"], &["seo"]);
    let mut pool = Vec::new();
    for i in 0..300u32 {
        let offers: &[&str] = if i % 7 == 0 { &["seo"] } else { &["pottery"] };
        let needs: &[&str] = if i % 11 == 0 { &["design"] } else { &["knitting"] };
        let mut m = member(chrono_tz::Europe::Lisbon, offers, needs);
        m.reliability = Some(f64::from(i % 10) / 10.0);
        m.windows = evenings(u8::try_from(i % 7).expect("day"), 17, 19 + u16::try_from(i % 3).expect("h"));
        pool.push(m);
    }
    let prepared: Vec<_> = pool.iter().map(|m| week.prepare(m)).collect();
    let p = week.prepare(&me);
    let blocked = 7usize;
    let index = SkillIndex::new(&prepared);
    // 10 come from those sharing a skill; 100 need the others too (about 70 share one).
    let mut got = Vec::new();
    for limit in [10, 100] {
        got = top(&p, &prepared, &index, Mode::InPerson, limit, |i| i == blocked, |_| Between::default());
        let mut all: Vec<(usize, u32)> = (0..prepared.len())
            .filter(|i| *i != blocked)
            .filter_map(|i| {
                Some((i, rate(&WEIGHTS, &p, &prepared[i], Between::default(), Mode::InPerson)?.score))
            })
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(limit);
        assert_eq!(got.iter().map(|(i, s)| (*i, s.score)).collect::<Vec<_>>(), all, "limit {limit}");
        assert!(!got.iter().any(|(i, _)| *i == blocked));
    }
    got.truncate(10);
    assert_eq!(got[0].1.reasons[0], "offers seo — you need seo; needs design — you offer design");
    // Everyone without a shared skill stays under the ceiling the search relies on.
    let ceiling = max_without_skills(&WEIGHTS).round() as u32;
    for (i, m) in pool.iter().enumerate() {
        let shares = m.offers.contains(&"seo".to_owned()) || m.needs.contains(&"design".to_owned());
        if let Some(s) = rate(&WEIGHTS, &p, &prepared[i], Between::default(), Mode::InPerson) {
            assert!(shares || s.score <= ceiling, "{i}: {} > {ceiling}", s.score);
        }
    }
}
