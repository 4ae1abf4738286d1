//! Fresh databases for tests: a SQLite file in its own temporary folder, or — when
//! `ALONGSIDE_TEST_DATABASE_URL` names a PostgreSQL server — a new database on that server.
//! (Never an in-memory SQLite database: its tables vanish when the pool drops a connection.)

use std::path::PathBuf;

use sqlx::Connection;

/// A database that exists only for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to connect to.
    pub url: String,
    dir: Option<PathBuf>,
}

impl TestDatabase {
    /// Creates a fresh, empty database.
    pub async fn create() -> TestDatabase {
        sqlx::any::install_default_drivers();
        let name = format!("alongside_test_{}", crate::new_id());
        match std::env::var("ALONGSIDE_TEST_DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => {
                let mut conn = sqlx::AnyConnection::connect(&admin)
                    .await
                    .expect("connect to the test PostgreSQL server");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let mut url = url::Url::parse(&admin).expect("a valid ALONGSIDE_TEST_DATABASE_URL");
                url.set_path(&name);
                TestDatabase { url: url.to_string(), dir: None }
            }
            _ => Self::sqlite_named(&name),
        }
    }

    /// A fresh SQLite database, whatever `ALONGSIDE_TEST_DATABASE_URL` says (for tests that
    /// move data between the two backends).
    pub fn sqlite() -> TestDatabase {
        Self::sqlite_named(&format!("alongside_test_{}", crate::new_id()))
    }

    fn sqlite_named(name: &str) -> TestDatabase {
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TestDatabase { url: format!("sqlite://{}", dir.join("test.db").display()), dir: Some(dir) }
    }

    /// True when this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
