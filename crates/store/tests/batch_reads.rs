//! Lists read as one JSON row keep every value as the plain read does, and windowed batch reads
//! return what lies in their window and nothing else, on both backends.

mod common;

use common::{fresh, user};
use store::events::{Answer, EventFields, Override};

fn fields(title: &str, first: i64) -> EventFields {
    EventFields {
        title: title.into(),
        first_start_at: first,
        last_end_at: Some(first + 5_400_000),
        ..common::fields()
    }
}

/// A member, another host, a third member to block, and a weekly series the member hosts from 1,000 ms.
struct Cast {
    me: String,
    host: String,
    blocked: String,
    hosted: String,
}

async fn cast(db: &store::Db) -> Cast {
    let me = user(db, 0).await;
    let host = user(db, 1).await;
    let blocked = user(db, 2).await;
    let mut series = fields("Mine, weekly", 1_000);
    series.last_end_at = None;
    series.rrule = "FREQ=WEEKLY".into();
    let hosted = db.create_event(&me, &series, 0).await.expect("event");
    Cast { me, host, blocked, hosted }
}

/// The occurrence keyed `at`, cancelled.
fn cancelled(at: i64) -> Override {
    Override { occurrence_start: at, cancelled: 1, start_local: None, duration_minutes: None, title: None }
}

#[tokio::test]
async fn an_event_list_read_as_one_row_keeps_every_value_and_the_order() {
    let (_t, db) = fresh().await;
    let host = user(&db, 0).await;
    let mut awkward = fields("Quotes \"here\", a back\\slash, a tab\tand ünïcödé ☕ 𝄞", 3_000);
    awkward.description = format!("line one\nline two\r\n{}", "long ".repeat(4_000));
    awkward.city_id = Some(2_267_057);
    awkward.city_label = "Lisbon, PT".into();
    awkward.capacity = Some(i64::from(i32::MAX) + 7);
    awkward.last_end_at = None;
    awkward.rrule = "FREQ=WEEKLY;BYDAY=WE".into();
    awkward.is_virtual = true;
    let ids = [
        db.create_event(&host, &fields("Second", 2_000), 1).await.expect("event"),
        db.create_event(&host, &awkward, 2).await.expect("event"),
        db.create_event(&host, &fields("First", 1_000), 3).await.expect("event"),
    ];
    let listed = db.events_between(&host, 0, 10_000).await.expect("list");
    let titles: Vec<&str> = listed.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["First", "Second", awkward.title.as_str()]);
    for e in &listed {
        let alone = db.event(&e.id).await.expect("read").expect("exists");
        assert_eq!(format!("{e:?}"), format!("{alone:?}"), "the list and the plain read differ");
    }
    let odd = listed.iter().find(|e| e.id == ids[1]).expect("listed");
    assert_eq!(
        (odd.city_id, odd.capacity, odd.last_end_at),
        (Some(2_267_057), Some(i64::from(i32::MAX) + 7), None)
    );
    assert_eq!(odd.description.len(), awkward.description.len());
    assert!(db.events_between(&host, 0, 500).await.expect("empty list").is_empty());
}

#[tokio::test]
async fn windowed_batch_reads_return_the_window_and_nothing_else() {
    let (_t, db) = fresh().await;
    let host = user(&db, 0).await;
    let me = user(&db, 1).await;
    let other = user(&db, 2).await;
    let mut events = Vec::new();
    for n in 0..12 {
        let mut f = fields(&format!("Weekly {n}"), 1_000);
        f.last_end_at = None;
        f.rrule = "FREQ=WEEKLY".into();
        events.push(db.create_event(&host, &f, 0).await.expect("event"));
    }
    for (n, e) in events.iter().enumerate() {
        for key in [1_000, 5_000, 9_000] {
            db.answer(e, key, &me, Answer::Going, None, None, false, 1).await.expect("mine");
            if n % 2 == 0 {
                db.answer(e, key, &other, Answer::Maybe, None, None, false, 1).await.expect("theirs");
            }
        }
        let o = cancelled(5_000);
        db.set_override(e, &o).await.expect("override");
        db.set_override(e, &Override { occurrence_start: 9_000, ..o }).await.expect("override");
    }
    let window = 4_000..9_000;
    let none = db.occurrence_state_of(&[], &me, window.clone()).await.expect("no events");
    assert!(none.overrides.is_empty() && none.counts.is_empty() && none.mine.is_empty());
    assert!(db.overrides_of(&[], window.clone()).await.expect("no events").is_empty());
    // One event (looked up by key) and all twelve (read by the member's range) agree.
    let one = db.occurrence_state_of(&events[..1], &me, window.clone()).await.expect("one").mine;
    assert_eq!(one.len(), 1);
    assert_eq!(one[&events[0]], vec![(5_000, "going".to_owned())]);
    let all = db.occurrence_state_of(&events, &me, window.clone()).await.expect("all");
    assert_eq!(all.mine.len(), 12);
    assert!(all.mine.values().all(|v| *v == vec![(5_000, "going".to_owned())]));
    let some = db.occurrence_state_of(&events[2..11], &me, window.clone()).await.expect("nine").mine;
    assert_eq!(some.len(), 9);
    assert!(!some.contains_key(&events[0]) && !some.contains_key(&events[11]));

    assert_eq!(all.counts[&events[0]], vec![(5_000, 1, 0)], "the other member's maybe takes no seat");
    let overrides = db.overrides_of(&events, window).await.expect("overrides");
    assert_eq!(overrides, all.overrides, "both reads of overrides agree");
    assert!(overrides
        .values()
        .all(|v| v.len() == 1 && v[0].occurrence_start == 5_000 && v[0].cancelled == 1));
    assert!(db.overrides_of(&events, 0..1_000).await.expect("none").is_empty());
}

#[tokio::test]
async fn an_agenda_read_in_one_statement_holds_its_events_overrides_and_answers() {
    let (_t, db) = fresh().await;
    let Cast { me, host, blocked, hosted } = cast(&db).await;
    let going = db.create_event(&host, &fields("Going", 5_000), 0).await.expect("event");
    let declined = db.create_event(&host, &fields("Declined", 5_000), 0).await.expect("event");
    let theirs = db.create_event(&blocked, &fields("Blocked host", 5_000), 0).await.expect("event");
    let elsewhere = db.create_event(&host, &fields("Not answered", 5_000), 0).await.expect("event");
    db.answer(&going, 5_000, &me, Answer::Going, None, None, false, 1).await.expect("going");
    db.answer(&declined, 5_000, &me, Answer::Declined, None, None, false, 1).await.expect("declined");
    db.answer(&theirs, 5_000, &me, Answer::Going, None, None, false, 1).await.expect("going");
    db.answer(&elsewhere, 5_000, &host, Answer::Going, None, None, false, 1).await.expect("theirs");
    db.block(&me, &blocked, 1).await.expect("block");
    let o = Override { title: Some("Skipped".into()), ..cancelled(5_000) };
    db.set_override(&hosted, &o).await.expect("override");
    db.set_override(&hosted, &Override { occurrence_start: 90_000, ..o.clone() }).await.expect("override");

    let a = db.agenda_of(&me, 4_000, 10_000, 3_000..11_000).await.expect("agenda");
    let titles: Vec<&str> = a.events.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Mine, weekly", "Going"], "hosted and answered; not declined, blocked or others'");
    assert_eq!(a.overrides[&hosted], vec![o], "overrides in the keys' window only");
    assert_eq!(a.answers[&going], vec![(5_000, "going".to_owned())]);
    assert!(!a.answers.contains_key(&elsewhere));
    let later = db.agenda_of(&me, 200_000_000, 300_000_000, 190_000_000..310_000_000).await.expect("agenda");
    assert_eq!(later.events.len(), 1, "only the series runs then");
    assert!(later.overrides.is_empty() && later.answers.is_empty());
}

#[tokio::test]
async fn a_feed_read_in_one_statement_holds_its_events_overrides_answers_and_hosts() {
    let (_t, db) = fresh().await;
    let Cast { me, host, blocked, hosted } = cast(&db).await;
    let maybe = db.create_event(&host, &fields("Maybe", 5_000), 0).await.expect("event");
    let declined = db.create_event(&host, &fields("Declined", 5_000), 0).await.expect("event");
    let earlier = db.create_event(&host, &fields("Before the feed", 500), 0).await.expect("event");
    let theirs = db.create_event(&blocked, &fields("Blocked host", 5_000), 0).await.expect("event");
    db.answer(&maybe, 5_000, &me, Answer::Maybe, None, None, false, 1).await.expect("maybe");
    db.answer(&declined, 5_000, &me, Answer::Declined, None, None, false, 1).await.expect("declined");
    db.answer(&earlier, 500, &me, Answer::Going, None, None, false, 1).await.expect("going");
    db.answer(&theirs, 5_000, &me, Answer::Going, None, None, false, 1).await.expect("going");
    db.block(&blocked, &me, 1).await.expect("block");
    let o = cancelled(1_000);
    db.set_override(&hosted, &o).await.expect("override");
    db.set_override(&hosted, &Override { occurrence_start: 900_000_000, ..o.clone() })
        .await
        .expect("override");

    let f = db.feed_contents(&me, 1_000).await.expect("feed");
    let titles: Vec<&str> = f.events.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Mine, weekly", "Maybe"], "hosted, and answered going or maybe from the start on");
    assert_eq!(f.overrides[&hosted].len(), 2, "every override, however far ahead");
    assert_eq!(f.answers[&maybe], vec![(5_000, "maybe".to_owned())]);
    assert!(!f.answers.contains_key(&earlier), "answers before the feed's start are left out");
    assert_eq!(f.host_names[&me], "Member 00");
    assert_eq!(f.host_names[&host], "Member 01");
}
