//! RSVPs keep capacity under concurrency and promote the waitlist in order, on both backends.

mod common;

use common::{fresh, user};
use store::events::{Answer, EventFields};

#[tokio::test]
async fn fifty_simultaneous_rsvps_for_ten_seats_give_ten_going_and_forty_waitlisted() {
    let (_t, db) = fresh().await;
    let host = user(&db, 0).await;
    let event = db
        .create_event(&host, &EventFields { capacity: Some(10), ..common::fields() }, 0)
        .await
        .expect("event");
    let mut members = Vec::new();
    for n in 1..=50 {
        members.push(user(&db, n).await);
    }
    let tasks: Vec<_> = members
        .iter()
        .map(|m| {
            let (db, m, event) = (db.clone(), m.clone(), event.clone());
            tokio::spawn(async move {
                db.answer(&event, 1_000, &m, Answer::Going, None, Some(10), false, 5).await
            })
        })
        .collect();
    let mut going = 0;
    let mut waitlisted = 0;
    for t in tasks {
        match t.await.expect("task").expect("answer").status.as_str() {
            "going" => going += 1,
            "waitlisted" => waitlisted += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((going, waitlisted), (10, 40));
    assert_eq!(db.rsvp_counts(&event).await.expect("counts"), vec![(1_000, 10, 40)]);
}

#[tokio::test]
async fn a_freed_seat_goes_to_the_longest_waiting_member_and_late_cancels_are_marked() {
    let (_t, db) = fresh().await;
    let host = user(&db, 0).await;
    let event = db
        .create_event(&host, &EventFields { capacity: Some(1), ..common::fields() }, 0)
        .await
        .expect("event");
    let (a, b, c) = (user(&db, 1).await, user(&db, 2).await, user(&db, 3).await);
    assert_eq!(
        db.answer(&event, 1_000, &a, Answer::Going, Some("Invoices"), Some(1), false, 10)
            .await
            .expect("a")
            .status,
        "going"
    );
    assert_eq!(
        db.answer(&event, 1_000, &b, Answer::Going, None, Some(1), false, 20).await.expect("b").status,
        "waitlisted"
    );
    assert_eq!(
        db.answer(&event, 1_000, &c, Answer::Going, None, Some(1), false, 30).await.expect("c").status,
        "waitlisted"
    );
    // Asking again keeps one's place in the queue.
    assert_eq!(
        db.answer(&event, 1_000, &c, Answer::Going, Some("Logo"), Some(1), false, 40)
            .await
            .expect("c")
            .status,
        "waitlisted"
    );
    let out =
        db.answer(&event, 1_000, &a, Answer::Declined, None, Some(1), true, 50).await.expect("a cancels");
    assert_eq!(out.promoted.as_deref(), Some(b.as_str()), "first come, first served");
    let list = db.rsvps(&event, 1_000).await.expect("list");
    let by = |id: &str| list.iter().find(|r| r.user_id == id).expect("rsvp").clone();
    assert_eq!(by(&b).status, "going");
    assert_eq!(by(&c).status, "waitlisted");
    assert_eq!(by(&c).goal, "Logo");
    assert_eq!(by(&a).goal, "Invoices", "the goal stays when not sent");
    assert_eq!(
        db.reliability_marks(&a).await.expect("marks"),
        vec![("late_cancel".into(), event.clone(), 1_000)]
    );
    // The host removes b: c moves up. A no-show is recorded, and undone if corrected.
    assert_eq!(db.remove_attendee(&event, 1_000, &b, 60).await.expect("remove").as_deref(), Some(c.as_str()));
    assert!(db.mark_attendance(&event, 1_000, &c, false, 70).await.expect("mark"));
    assert_eq!(db.reliability_marks(&c).await.expect("marks").len(), 1);
    assert!(db.mark_attendance(&event, 1_000, &c, true, 80).await.expect("mark"));
    assert!(db.reliability_marks(&c).await.expect("marks").is_empty());
    assert!(db.set_goal_done(&event, 1_000, &c, true, 90).await.expect("goal"));
}
