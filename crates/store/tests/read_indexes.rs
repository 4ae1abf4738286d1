//! Hot reads go through the indexes made for them (migration 0037): visitors' reads through
//! indexes of only what is shown to visitors, so the home page does not read every event in its
//! window to find the few shown; the focus-pair check by event; seat counts from an index alone.

use store::visitors::{VISITOR_EVENT_SQL, VISITOR_GROUP_SQL};

mod common;

/// The query plan's lines for `sql` (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
async fn plan(c: &mut sqlx::AnyConnection, sql: &str, postgres: bool) -> String {
    use sqlx::Row;
    let explain = if postgres { "EXPLAIN" } else { "EXPLAIN QUERY PLAN" };
    let rows = sqlx::raw_sql(&format!("{explain} {sql}")).fetch_all(&mut *c).await.expect("plan");
    // SQLite's plan is (id, parent, notused, detail); PostgreSQL's one text column.
    rows.iter()
        .map(|r| r.try_get::<String, _>(r.len() - 1).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn hot_reads_use_the_indexes_made_for_them() {
    let (t, db) = common::fresh().await;
    let postgres = t.is_postgres();
    let mut c = db.read().acquire().await.expect("connection");
    if postgres {
        // A small table is read whole whatever its indexes; ask PostgreSQL for the index.
        sqlx::raw_sql("SET enable_seqscan = off").execute(&mut *c).await.expect("set");
    }
    let events = format!(
        "SELECT e.id FROM events e WHERE e.first_start_at < 1000 \
         AND (e.last_end_at IS NULL OR e.last_end_at > 0) AND {VISITOR_EVENT_SQL}"
    );
    let p = plan(&mut c, &events, postgres).await;
    assert!(p.contains("events_for_visitors"), "{p}");
    let groups = format!("SELECT g.id FROM groups g WHERE {VISITOR_GROUP_SQL} ORDER BY g.name");
    let p = plan(&mut c, &groups, postgres).await;
    assert!(p.contains("groups_for_visitors"), "{p}");
    let pair = "SELECT COUNT(*) FROM bookings WHERE event_id = 'e' AND status = 'matched'";
    let p = plan(&mut c, pair, postgres).await;
    assert!(p.contains("bookings_event"), "{p}");
    if !postgres {
        // (PostgreSQL chooses between this and the primary key by its statistics.)
        let seats = "SELECT occurrence_start, COUNT(*) FROM rsvps WHERE event_id = 'e' \
                     AND occurrence_start >= 0 AND occurrence_start < 10 AND status = 'going' GROUP BY occurrence_start";
        let p = plan(&mut c, seats, postgres).await;
        assert!(p.contains("COVERING INDEX rsvps_seats"), "{p}");
    }
}
