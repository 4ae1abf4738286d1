//! Long lists read as one value: the database gathers a query's rows into one JSON array, which
//! serde decodes.
//!
//! Through sqlx's `Any` driver every row of a result costs far more than the database spends on
//! it. On SQLite each row is handed from the connection's thread to the task reading it, and each
//! value is copied into a SQLite row and then into an `AnyRow`. The load harness measured 50 event
//! rows at about 600 µs in the app against under 100 µs in `sqlite3`. One aggregated row of text
//! costs one handoff and one copy. The lists on busy pages (agendas, a group's events, the
//! batch reads in `batch`) are read this way. Lookups of a row or two stay plain.
//!
//! Each row is a JSON array of its values, in the order of the columns, which serde reads into
//! a struct whose fields come in that order (serde's derive takes a sequence as well as a
//! map). Objects keyed by column name were twice the text, and building and sorting them was
//! most of a 200-event list's time in SQLite.

use serde::de::DeserializeOwned;

use crate::{Backend, Db, Result};

/// One list of [`Db::json_parts_sql`]: its field name, query, columns and order (as for
/// [`Db::json_rows_sql`]).
pub(crate) struct JsonPart<'a> {
    pub name: &'a str,
    pub inner: &'a str,
    pub cols: &'a [&'a str],
    pub order_by: &'a str,
}

/// `t.a, t.b, …` for each column.
fn values(cols: &[&str]) -> String {
    cols.iter().map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ")
}

/// A query made by [`Db::json_rows_sql`] or [`Db::json_parts_sql`], being bound.
pub(crate) type JsonQuery<'q> = sqlx::query::QueryScalar<'q, sqlx::Any, String, sqlx::any::AnyArguments<'q>>;

impl Db {
    /// `inner` (a SELECT whose columns are named `cols`) rewritten to return a single row: a
    /// JSON array holding one array per row of `inner`, its values in the order of `cols`,
    /// the rows in the order of `order_by` (SQL over the columns as `t.name`; empty for any
    /// order). Columns must be integers, text or NULL. Bind `inner`'s parameters to the result
    /// as usual, then read it with [`Db::json_list`] into a struct whose fields are `cols`, in
    /// that order.
    pub(crate) fn json_rows_sql(&self, inner: &str, cols: &[&str], order_by: &str) -> String {
        let values = values(cols);
        let order = if order_by.is_empty() { String::new() } else { format!(" ORDER BY {order_by}") };
        match self.backend() {
            Backend::Sqlite => {
                format!(
                    "SELECT COALESCE(json_group_array(json_array({values}){order}), '[]') FROM ({inner}) t"
                )
            }
            Backend::Postgres => format!(
                "SELECT COALESCE(json_agg(json_build_array({values}){order})::text, '[]') FROM ({inner}) t"
            ),
        }
    }

    /// Several lists in one row: a JSON object whose field `name` holds the rows of its query
    /// as [`Db::json_rows_sql`] would. Every part shares the statement's parameters. Read the
    /// result with [`Db::json_value`]. `with`, unless empty, is a `WITH` list (without the
    /// keyword) the parts may read: a set several parts need is then found once.
    ///
    /// The object is joined as text: SQLite's `json_object` would parse each array again (a
    /// subquery's value loses its JSON subtype), which for a long list cost more than the
    /// statement it saves.
    pub(crate) fn json_parts_sql(&self, with: &str, parts: &[JsonPart<'_>]) -> String {
        let fields: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                debug_assert!(p.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                let open = if i == 0 { "{" } else { "," };
                format!("'{open}\"{}\":' || ({})", p.name, self.json_rows_sql(p.inner, p.cols, p.order_by))
            })
            .collect();
        let with = if with.is_empty() { String::new() } else { format!("WITH {with} ") };
        format!("{with}SELECT {} || '}}'", fields.join(" || "))
    }

    /// Runs a query made by [`Db::json_rows_sql`] on the read pool and decodes its rows.
    pub(crate) async fn json_list<T: DeserializeOwned>(&self, query: JsonQuery<'_>) -> Result<Vec<T>> {
        self.json_value(query).await
    }

    /// Runs a query made by [`Db::json_parts_sql`] on the read pool and decodes its row.
    pub(crate) async fn json_value<T: DeserializeOwned>(&self, query: JsonQuery<'_>) -> Result<T> {
        let text = query.fetch_one(self.read()).await?;
        serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)).into())
    }
}
