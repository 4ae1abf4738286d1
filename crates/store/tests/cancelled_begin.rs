//! A transaction whose caller is dropped while its `BEGIN` is on the way (a client hanging up
//! mid-request) leaves no connection inside a transaction, on both backends.

use std::time::Duration;

use store::testing::TestDatabase;
use store::Db;

#[tokio::test]
async fn a_begin_dropped_half_way_leaves_no_connection_in_a_transaction() {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    sqlx::query("CREATE TABLE notes_t (n BIGINT NOT NULL)").execute(db.write()).await.expect("table");

    // Connections are checked from outside the pool, so none of them is in the way.
    let mut probe: Option<sqlx::AnyConnection> = match t.is_postgres() {
        true => Some(sqlx::Connection::connect(&t.url).await.expect("a connection of its own")),
        false => None,
    };
    // Give each `begin` a little longer than the one before and drop it when its time is up:
    // some are dropped after BEGIN went out and before its answer was read. Every tenth is
    // polled once and dropped, which always drops it half-way (tokio's timer counts whole
    // milliseconds, so on a fast machine every timed one may finish in time). After each drop,
    // no connection may be left inside a transaction.
    let mut dropped = 0;
    for round in 0..200_u64 {
        let finished = if round % 10 == 0 {
            polled_once(db.begin()).await
        } else {
            tokio::time::timeout(Duration::from_micros(round * 5), db.begin()).await.is_ok()
        };
        if finished {
            continue;
        }
        dropped += 1;
        let Some(probe) = probe.as_mut() else { continue };
        // A dropped transaction is rolled back in the background: wait for that, up to 2 s.
        let mut stuck = 0;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            (stuck,) = sqlx::query_as(
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
            )
            .fetch_one(&mut *probe)
            .await
            .expect("activity");
            if stuck == 0 {
                break;
            }
        }
        assert_eq!(stuck, 0, "a connection was left inside a transaction after drop {dropped}");
    }
    assert!(dropped > 0, "no begin was dropped half-way; the test did not test anything");

    // Every later transaction is a transaction of its own: rolled back, its write is gone.
    for n in 0..20_i64 {
        let mut tx = db.begin().await.expect("begin after the dropped ones");
        sqlx::query("INSERT INTO notes_t (n) VALUES ($1)").bind(n).execute(&mut *tx).await.expect("insert");
        if n % 2 == 0 {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
    }
    let (kept,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notes_t").fetch_one(db.write()).await.expect("count");
    assert_eq!(kept, 10, "only the committed half is kept");
}

/// Polls `fut` once, then drops it; true when it had finished.
async fn polled_once<F: std::future::Future>(fut: F) -> bool {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}
