//! Slot bookings (Focusmate-style): members book a virtual slot with a goal; at the slot's lock
//! time one instance pairs the open bookings, creating a one-to-one event per pair, all in one
//! transaction that also claims the slot in `slot_locks`, so a slot is locked exactly once.

use crate::events::{insert_event, EventFields};
use crate::notifications::{deliver_on, Outgoing};
use crate::{new_id, Backend, Db, Result, StoreError};

/// A booking as stored, with the partner's name once matched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Booking {
    pub id: String,
    pub user_id: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub goal: String,
    /// open | matched | cancelled
    pub status: String,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub event_id: Option<String>,
    pub created_at: i64,
}

const BOOKING_COLS: &str =
    "b.id, b.user_id, b.starts_at, b.duration_minutes, b.goal, b.status, b.partner_id, \
    p.display_name AS partner_name, b.event_id, b.created_at";
const BOOKING_FROM: &str = "FROM bookings b LEFT JOIN users p ON p.id = b.partner_id";

/// A slot: its start (UTC ms) and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    pub starts_at: i64,
    pub duration_minutes: i64,
}

/// One pair to make: two open bookings and the event they will share.
#[derive(Debug, Clone)]
pub struct Pairing {
    pub a: String,
    pub b: String,
    /// The event's id, chosen by the caller so that notices can link to it.
    pub event_id: String,
    pub host_id: String,
    pub event: EventFields,
}

/// What to do with a slot's open bookings.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub pairs: Vec<Pairing>,
    pub notices: Vec<Outgoing>,
}

/// What a pairing pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paired {
    pub pairs: usize,
    pub unmatched: usize,
}

impl Db {
    /// Books a slot for `user`. Conflict("booked") when they already hold a booking for the same
    /// start; Conflict("limit") when they hold `max_open` open bookings already.
    pub async fn create_booking(
        &self,
        user: &str,
        slot: Slot,
        goal: &str,
        max_open: Option<usize>,
        now: i64,
    ) -> Result<Booking> {
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            // One booking at a time per member, so the limit holds under concurrency.
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user).execute(&mut *tx).await?;
        }
        let same: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM bookings WHERE user_id = $1 AND starts_at = $2 AND status IN ('open', 'matched')",
        )
        .bind(user)
        .bind(slot.starts_at)
        .fetch_optional(&mut *tx)
        .await?;
        if same.is_some() {
            return Err(StoreError::Conflict("booked"));
        }
        if let Some(max) = max_open {
            let (open,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM bookings WHERE user_id = $1 AND status = 'open' AND starts_at > $2",
            )
            .bind(user)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if usize::try_from(open).unwrap_or(usize::MAX) >= max {
                return Err(StoreError::Conflict("limit"));
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO bookings (id, user_id, starts_at, duration_minutes, goal, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)",
        )
        .bind(&id)
        .bind(user)
        .bind(slot.starts_at)
        .bind(slot.duration_minutes)
        .bind(goal)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(self.booking(&id).await?.expect("just inserted"))
    }

    /// One booking.
    pub async fn booking(&self, id: &str) -> Result<Option<Booking>> {
        Ok(sqlx::query_as(&format!("SELECT {BOOKING_COLS} {BOOKING_FROM} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(self.write())
            .await?)
    }

    /// `user`'s bookings that end after `from`, soonest first (cancelled ones left out).
    pub async fn bookings_of(&self, user: &str, from: i64) -> Result<Vec<Booking>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BOOKING_COLS} {BOOKING_FROM} WHERE b.user_id = $1 AND b.status <> 'cancelled' \
             AND b.starts_at + b.duration_minutes * 60000 > $2 ORDER BY b.starts_at, b.id"
        ))
        .bind(user)
        .bind(from)
        .fetch_all(self.read())
        .await?)
    }

    /// Cancels an open booking of `user`; false when there is none (matched ones are left to the
    /// event, where the answer can be changed).
    pub async fn cancel_booking(&self, id: &str, user: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', updated_at = $3 WHERE id = $1 AND user_id = $2 AND status = 'open'",
        )
        .bind(id)
        .bind(user)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Slots to pair at `now`: those not yet locked whose lock time (`lead_ms` before the start)
    /// has come, and those locked earlier that have two or more open bookings again (late
    /// bookers). Each with `true` when it is still to be locked.
    pub async fn slots_to_pair(&self, now: i64, lead_ms: i64) -> Result<Vec<(Slot, bool)>> {
        let rows: Vec<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT b.starts_at, b.duration_minutes, COUNT(*), MAX(l.locked_at) FROM bookings b \
             LEFT JOIN slot_locks l ON l.starts_at = b.starts_at AND l.duration_minutes = b.duration_minutes \
             WHERE b.status = 'open' AND b.starts_at > $1 AND b.starts_at <= $2 \
             GROUP BY b.starts_at, b.duration_minutes ORDER BY b.starts_at",
        )
        .bind(now)
        .bind(now + lead_ms)
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, open, locked)| locked.is_none() || *open >= 2)
            .map(|(starts_at, duration_minutes, _, locked)| {
                (Slot { starts_at, duration_minutes }, locked.is_none())
            })
            .collect())
    }

    /// The open bookings of a slot, first booked first.
    pub async fn open_bookings(&self, slot: Slot) -> Result<Vec<Booking>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BOOKING_COLS} {BOOKING_FROM} WHERE b.starts_at = $1 AND b.duration_minutes = $2 \
             AND b.status = 'open' ORDER BY b.created_at, b.id"
        ))
        .bind(slot.starts_at)
        .bind(slot.duration_minutes)
        .fetch_all(self.read())
        .await?)
    }

    /// Pairs a slot's open bookings in one transaction. With `lock`, the slot is claimed first: if
    /// another runner claimed it already, nothing happens and `None` is returned. `plan` sees the
    /// open bookings as they are inside the transaction and says which to pair and whom to tell;
    /// a pair naming a booking that is no longer open is skipped whole.
    pub async fn pair_slot(
        &self,
        slot: Slot,
        lock: bool,
        now: i64,
        plan: impl FnOnce(&[Booking]) -> Plan,
    ) -> Result<Option<Paired>> {
        let mut tx = self.begin().await?;
        if lock {
            let claimed = sqlx::query(
                "INSERT INTO slot_locks (starts_at, duration_minutes, locked_at, pairs, unmatched) \
                 VALUES ($1, $2, $3, 0, 0) ON CONFLICT (starts_at, duration_minutes) DO NOTHING",
            )
            .bind(slot.starts_at)
            .bind(slot.duration_minutes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                return Ok(None);
            }
        } else if self.backend() == Backend::Postgres {
            // Late passes on several instances take turns on the slot's row.
            sqlx::query(
                "SELECT starts_at FROM slot_locks WHERE starts_at = $1 AND duration_minutes = $2 FOR UPDATE",
            )
            .bind(slot.starts_at)
            .bind(slot.duration_minutes)
            .execute(&mut *tx)
            .await?;
        }
        let lock_rows = if self.backend() == Backend::Postgres { " FOR UPDATE OF b" } else { "" };
        let open: Vec<Booking> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLS} {BOOKING_FROM} WHERE b.starts_at = $1 AND b.duration_minutes = $2 \
             AND b.status = 'open' ORDER BY b.created_at, b.id{lock_rows}"
        ))
        .bind(slot.starts_at)
        .bind(slot.duration_minutes)
        .fetch_all(&mut *tx)
        .await?;
        let plan = plan(&open);
        let mut pairs = 0;
        for p in &plan.pairs {
            let user_of =
                |id: &str| open.iter().find(|b| b.id == id).map(|b| (b.user_id.clone(), b.goal.clone()));
            let (Some((ua, ga)), Some((ub, gb))) = (user_of(&p.a), user_of(&p.b)) else { continue };
            insert_event(&mut tx, &p.event_id, &p.host_id, &p.event, now).await?;
            for (me, goal, other, booking) in [(&ua, &ga, &ub, &p.a), (&ub, &gb, &ua, &p.b)] {
                sqlx::query(
                    "INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, queued_at, updated_at) \
                     VALUES ($1, $2, $3, 'going', $4, $5, $5)",
                )
                .bind(&p.event_id)
                .bind(slot.starts_at)
                .bind(me)
                .bind(goal)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE bookings SET status = 'matched', partner_id = $2, event_id = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(booking)
                .bind(other)
                .bind(&p.event_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            pairs += 1;
        }
        for out in &plan.notices {
            deliver_on(&mut tx, out, now).await?;
        }
        let unmatched = open.len() - 2 * pairs;
        sqlx::query(
            "UPDATE slot_locks SET pairs = pairs + $3, unmatched = $4 WHERE starts_at = $1 AND duration_minutes = $2",
        )
        .bind(slot.starts_at)
        .bind(slot.duration_minutes)
        .bind(i64::try_from(pairs).unwrap_or(i64::MAX))
        .bind(i64::try_from(unmatched).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Paired { pairs, unmatched }))
    }

    /// How many times a slot was locked (0 or 1) and the pairs made in it: for checks and tests.
    pub async fn slot_lock(&self, slot: Slot) -> Result<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT pairs, unmatched FROM slot_locks WHERE starts_at = $1 AND duration_minutes = $2",
        )
        .bind(slot.starts_at)
        .bind(slot.duration_minutes)
        .fetch_optional(self.read())
        .await?)
    }
}
