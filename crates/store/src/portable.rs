//! A whole instance as one portable file and back, so a community moves between SQLite and
//! PostgreSQL (either way) with nothing lost: `alongside export PATH` and `alongside import PATH`.
//!
//! The file is JSON Lines, written and read a row at a time (never whole in memory): a header
//! (format, version, the schema's migration number, where it came from), then for each table,
//! parents before the tables that refer to them, a line naming it and its columns, one array a
//! row, and a line counting the rows; a last line says the file is complete. Values are what the
//! `Any` driver knows: integers, floats, text, null, and bytes as `{"base64": …}`. Importing
//! binds each value as its column's type in the database it goes into, in one transaction, into
//! a database that is empty and at the same migration.
//!
//! Written here rather than taken from a crate: a dump format must follow this schema's
//! conventions (instants as integers, the two backends' type names), which no general tool
//! shared by both backends knows.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use base64::Engine;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sqlx::Row;

use crate::{Backend, Db, Result, StoreError};

/// What the first line says.
pub const FORMAT: &str = "alongside-instance";
/// This file layout's version.
pub const VERSION: i64 = 1;

/// What a file held, or what was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

/// How a column's values are bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
    Bytes,
}

impl Kind {
    fn of(declared: &str) -> Kind {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Kind::Int
        } else if t.contains("REAL") || t.contains("DOUB") || t.contains("FLOA") {
            Kind::Float
        } else if t.contains("BLOB") || t.contains("BYTEA") {
            Kind::Bytes
        } else {
            Kind::Text
        }
    }
}

fn refused(why: impl Into<String>) -> StoreError {
    StoreError::Refused(why.into())
}

/// A column's value as the file writes it.
pub(crate) fn value_of(row: &sqlx::any::AnyRow, i: usize) -> Result<Value> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    let bytes: Option<Vec<u8>> = row.try_get(i)?;
    Ok(bytes
        .map_or(Value::Null, |b| json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) })))
}

fn line<W: Write>(out: &mut W, v: &Value) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

impl Db {
    /// The last migration applied.
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(self.read()).await?;
        Ok(v.unwrap_or(0))
    }

    /// Every table of the schema (not the migrations' own, nor those the triggers derive), each after
    /// the tables it refers to.
    pub async fn tables_in_order(&self) -> Result<Vec<String>> {
        let (tables, refs): (Vec<String>, Vec<(String, String)>) = match self.backend() {
            Backend::Sqlite => (
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name <> '_sqlx_migrations' ORDER BY name",
                )
                .fetch_all(self.read())
                .await?,
                sqlx::query_as(
                    "SELECT m.name, p.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
                     WHERE m.type = 'table'",
                )
                .fetch_all(self.read())
                .await?,
            ),
            Backend::Postgres => (
                sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                     AND tablename <> '_sqlx_migrations' ORDER BY tablename",
                )
                .fetch_all(self.read())
                .await?,
                sqlx::query_as(
                    "SELECT c.relname::text, p.relname::text FROM pg_constraint k \
                     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE k.contype = 'f' AND n.nspname = current_schema()",
                )
                .fetch_all(self.read())
                .await?,
            ),
        };
        // What the triggers derive from the rest is not data to carry.
        let tables: Vec<String> = tables
            .into_iter()
            .filter(|t| !crate::feed_versions::DERIVED_TABLES.contains(&t.as_str()))
            .collect();
        // Parents first (Kahn's algorithm, by name among equals, so the order is the same on
        // both backends); a table referring to itself waits for nothing.
        let mut waits: BTreeMap<&str, BTreeSet<&str>> =
            tables.iter().map(|t| (t.as_str(), BTreeSet::new())).collect();
        for (child, parent) in &refs {
            if child != parent && waits.contains_key(parent.as_str()) {
                if let Some(w) = waits.get_mut(child.as_str()) {
                    w.insert(parent.as_str());
                }
            }
        }
        let mut order = Vec::with_capacity(tables.len());
        while !waits.is_empty() {
            let ready: Vec<&str> = waits.iter().filter(|(_, w)| w.is_empty()).map(|(t, _)| *t).collect();
            if ready.is_empty() {
                return Err(refused("the tables refer to each other in a circle; they cannot be ordered"));
            }
            for t in ready {
                waits.remove(t);
                for w in waits.values_mut() {
                    w.remove(t);
                }
                order.push(t.to_owned());
            }
        }
        Ok(order)
    }

    /// Each column of `table` with how its values bind, by name.
    async fn columns_of(&self, table: &str) -> Result<BTreeMap<String, Kind>> {
        let cols: Vec<(String, String)> = match self.backend() {
            Backend::Sqlite => sqlx::query_as("SELECT name, type FROM pragma_table_info($1)"),
            Backend::Postgres => sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            ),
        }
        .bind(table)
        .fetch_all(self.read())
        .await?;
        Ok(cols.into_iter().map(|(n, t)| (n, Kind::of(&t))).collect())
    }

    /// Writes every table to `out`, row by row, from one consistent snapshot.
    pub async fn export_to<W: Write>(&self, out: &mut W, now: i64) -> Result<Summary> {
        let tables = self.tables_in_order().await?;
        let backend = match self.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let header = json!({"format": FORMAT, "version": VERSION, "schema": self.schema_version().await?,
                            "from": backend, "exported_at": now});
        line(out, &header)?;
        let mut tx = self.read().begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let mut summary = Summary::default();
        for table in &tables {
            let columns: Vec<String> = self.columns_of(table).await?.into_keys().collect();
            line(out, &json!({"table": table, "columns": columns}))?;
            let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT {list} FROM \"{table}\"");
            let mut rows = sqlx::query(&sql).fetch(&mut *tx);
            let mut n = 0u64;
            while let Some(row) = rows.try_next().await? {
                let values =
                    (0..row.columns().len()).map(|i| value_of(&row, i)).collect::<Result<Vec<_>>>()?;
                line(out, &Value::Array(values))?;
                n += 1;
            }
            drop(rows);
            line(out, &json!({"end": table, "rows": n}))?;
            summary.tables += 1;
            summary.rows += n;
        }
        tx.rollback().await?;
        line(out, &json!({"complete": true, "tables": summary.tables, "rows": summary.rows}))?;
        out.flush()?;
        Ok(summary)
    }

    /// Reads a file written by [`Db::export_to`] into this database, which must be empty and at
    /// the file's migration; all of it or nothing.
    pub async fn import_from<R: BufRead>(&self, input: R) -> Result<Summary> {
        let mut lines = input.lines();
        let mut next = move || -> Result<Option<Value>> {
            match lines.next() {
                None => Ok(None),
                Some(l) => {
                    let l = l?;
                    serde_json::from_str(&l)
                        .map(Some)
                        .map_err(|e| refused(format!("not an Alongside instance file: {e}")))
                }
            }
        };
        let header = next()?.ok_or_else(|| refused("the file is empty"))?;
        if header["format"] != FORMAT {
            return Err(refused("not an Alongside instance file (written by `alongside export`)"));
        }
        if header["version"].as_i64() != Some(VERSION) {
            return Err(refused(format!(
                "this file's layout is version {}; this Alongside reads {VERSION}",
                header["version"]
            )));
        }
        let ours = self.schema_version().await?;
        if header["schema"].as_i64() != Some(ours) {
            return Err(refused(format!(
                "the file was written at migration {} and this database is at {ours}: import it with the same \
                 version of Alongside that wrote it",
                header["schema"]
            )));
        }
        let tables = self.tables_in_order().await?;
        for t in &tables {
            let any: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM \"{t}\" LIMIT 1"))
                .fetch_optional(self.read())
                .await?;
            if any.is_some() {
                return Err(refused(format!(
                    "this database is not empty (table {t} has rows): import only into a new, empty database"
                )));
            }
        }
        let mut tx = self.begin().await?;
        let mut summary = Summary::default();
        loop {
            let Some(head) = next()? else {
                return Err(refused("the file ends before its last line: it was cut short"));
            };
            if head["complete"] == true {
                break;
            }
            let table =
                head["table"].as_str().ok_or_else(|| refused("expected a table's first line"))?.to_owned();
            if !tables.contains(&table) {
                return Err(refused(format!("this database has no table {table}")));
            }
            let ours = self.columns_of(&table).await?;
            let columns: Vec<String> = serde_json::from_value(head["columns"].clone())
                .map_err(|_| refused(format!("table {table}: its columns are not a list of names")))?;
            let kinds = columns
                .iter()
                .map(|c| {
                    ours.get(c)
                        .copied()
                        .ok_or_else(|| refused(format!("table {table} has no column {c} here")))
                })
                .collect::<Result<Vec<_>>>()?;
            let names = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let marks = (1..=columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!("INSERT INTO \"{table}\" ({names}) VALUES ({marks})");
            let mut n = 0u64;
            loop {
                let row = next()?.ok_or_else(|| refused(format!("the file ends inside table {table}")))?;
                let Value::Array(values) = row else {
                    if row["end"] == table.as_str() && row["rows"].as_u64() == Some(n) {
                        break;
                    }
                    return Err(refused(format!("table {table} does not end with its count of {n} rows")));
                };
                if values.len() != kinds.len() {
                    return Err(refused(format!(
                        "table {table}, row {}: {} values for {} columns",
                        n + 1,
                        values.len(),
                        kinds.len()
                    )));
                }
                let mut q = sqlx::query(&sql);
                for (v, k) in values.into_iter().zip(&kinds) {
                    q = bind(q, v, *k)
                        .map_err(|why| refused(format!("table {table}, row {}: {why}", n + 1)))?;
                }
                q.execute(&mut *tx).await?;
                n += 1;
            }
            summary.tables += 1;
            summary.rows += n;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Every row of `table`, columns by name, sorted: for comparing two databases.
    pub async fn table_rows(&self, table: &str) -> Result<Vec<Vec<Value>>> {
        let columns: Vec<String> = self.columns_of(table).await?.into_keys().collect();
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!("SELECT {list} FROM \"{table}\"")).fetch_all(self.read()).await?;
        let mut out = rows
            .iter()
            .map(|row| (0..columns.len()).map(|i| value_of(row, i)).collect::<Result<Vec<_>>>())
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| serde_json::to_string(r).unwrap_or_default());
        Ok(out)
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds `v` as a value of kind `k`.
fn bind(q: Query<'_>, v: Value, k: Kind) -> std::result::Result<Query<'_>, String> {
    Ok(match (k, v) {
        (Kind::Int, Value::Null) => q.bind(None::<i64>),
        (Kind::Float, Value::Null) => q.bind(None::<f64>),
        (Kind::Text, Value::Null) => q.bind(None::<String>),
        (Kind::Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
        (Kind::Int, Value::Number(n)) => {
            q.bind(n.as_i64().ok_or_else(|| format!("{n} is not a whole number"))?)
        }
        (Kind::Float, Value::Number(n)) => q.bind(n.as_f64().ok_or_else(|| format!("{n} is not a number"))?),
        (Kind::Text, Value::String(s)) => q.bind(s),
        (Kind::Bytes, Value::Object(o)) => {
            let text =
                o.get("base64").and_then(Value::as_str).ok_or("bytes are written as {\"base64\": …}")?;
            q.bind(base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| e.to_string())?)
        }
        (k, v) => return Err(format!("{v} is not a value of a {k:?} column")),
    })
}
