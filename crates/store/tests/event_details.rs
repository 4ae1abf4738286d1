//! One event's details, read in one statement, hold what the separate reads held: the host's
//! name, the group, every override, and the window's seat counts and the member's answers.

mod common;

use common::{fresh, user};
use store::events::{Answer, EventFields, Override};
use store::groups::GroupFields;

fn weekly(group: Option<String>) -> EventFields {
    EventFields { rrule: "FREQ=WEEKLY".into(), last_end_at: None, group_id: group, ..common::fields() }
}

#[tokio::test]
async fn details_hold_the_host_group_overrides_counts_and_answers() {
    let (_t, db) = fresh().await;
    let host = user(&db, 0).await;
    let me = user(&db, 1).await;
    let other = user(&db, 2).await;
    let group = GroupFields {
        name: "Quiet \"writers\" ☕".into(),
        description: String::new(),
        is_virtual: true,
        city_id: None,
        city_label: String::new(),
        time_zone: "UTC".into(),
        visibility: "public".into(),
        members_public: true,
        topics: Vec::new(),
    };
    let g = db.create_group(&host, &group, 0).await.expect("group");
    let id = db.create_event(&host, &weekly(Some(g.clone())), 0).await.expect("event");
    let e = db.event(&id).await.expect("read").expect("exists");
    for key in [1_000, 5_000, 9_000] {
        db.answer(&id, key, &me, Answer::Going, None, None, false, 1).await.expect("mine");
        db.answer(&id, key, &other, Answer::Maybe, None, None, false, 1).await.expect("theirs");
    }
    let moved = Override {
        occurrence_start: 1_000,
        cancelled: 0,
        start_local: Some("2026-12-03T09:30".into()),
        duration_minutes: Some(45),
        title: Some("Moved, with a \"quote\"".into()),
    };
    let cancelled = Override {
        occurrence_start: 20_000,
        cancelled: 1,
        start_local: None,
        duration_minutes: None,
        title: None,
    };
    db.set_override(&id, &cancelled).await.expect("override");
    db.set_override(&id, &moved).await.expect("override");

    let d = db.event_details(&e, &me, 4_000..10_000).await.expect("details");
    assert_eq!(d.host_name, "Member 00");
    assert_eq!(d.group, Some((g.clone(), group.name.clone())));
    assert_eq!(d.overrides, vec![moved.clone(), cancelled.clone()], "every override, outside the window too");
    assert_eq!(d.counts, vec![(5_000, 1, 0), (9_000, 1, 0)], "a maybe takes no seat");
    assert_eq!(d.mine, vec![(5_000, "going".to_owned()), (9_000, "going".to_owned())]);
    assert_eq!(db.overrides(&id).await.expect("plain read"), d.overrides);

    // No group, nobody's answers: empty parts, not an error.
    let alone = db.create_event(&other, &weekly(None), 0).await.expect("event");
    let alone = db.event(&alone).await.expect("read").expect("exists");
    let d = db.event_details(&alone, &me, 0..10_000).await.expect("details");
    assert_eq!((d.host_name.as_str(), d.group, d.overrides.len(), d.counts.len()), ("Member 02", None, 0, 0));
    assert!(d.mine.is_empty());
}
