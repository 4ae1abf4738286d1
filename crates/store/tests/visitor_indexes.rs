//! Visitors' reads go through indexes that hold only what is shown to visitors (migration
//! 0037), so the home page does not read every event in its window to find the few shown.

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
async fn visitors_reads_use_the_indexes_of_what_is_shown() {
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
}
