//! The `alongside` command line: serve, migrate, demo, admin, backup.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use store::Backend;

use crate::config::{Config, LogFormat};
use crate::startup::{open_db, shutdown_signal, Application};

/// Alongside: find coworking and accountability partners, and keep each other going.
#[derive(Debug, Parser)]
#[command(name = "alongside", version, about)]
pub struct Cli {
    /// Configuration file (TOML); missing is fine.
    #[arg(long, global = true, env = "ALONGSIDE_CONFIG", default_value = "alongside.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database first).
    Serve {
        /// Load the demo community first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Fill the database with a believable demo community (running it again adds nothing).
    Demo,
    /// Administer accounts.
    #[command(subcommand)]
    Admin(Admin),
    /// Write a consistent copy of the SQLite database to PATH.
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Write the whole instance, whatever its database, to one portable file at PATH (to move
    /// it to another database with `import`). The file holds password hashes and the server's
    /// keys: it is made readable by its owner only.
    Export {
        /// Where to write it (must not exist).
        path: PathBuf,
    },
    /// Read a file written by `export` into this database, which must be new and empty.
    Import {
        /// The file `export` wrote.
        path: PathBuf,
    },
}

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum Admin {
    /// Create an admin account, or make an existing account an admin. The password is read
    /// from standard input (one line) or from ALONGSIDE_ADMIN_PASSWORD.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Admin")]
        name: String,
    },
    /// Suspend an account (it can no longer sign in and disappears from the directory).
    Suspend {
        #[arg(long)]
        email: String,
        /// Lift the suspension instead.
        #[arg(long)]
        lift: bool,
    },
}

/// Runs the command line; errors are printed as one line and give exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_tracing(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo } => {
            if demo || config.demo {
                let db = open_db(&config).await?;
                crate::demo::load(&db, false).await?;
            }
            let app = Application::build(config).await?;
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate => {
            open_db(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo => {
            let db = open_db(&config).await?;
            let report = crate::demo::load(&db, true).await?;
            println!("demo community: {} members added, {} already there", report.created, report.existing);
            Ok(())
        }
        Command::Admin(Admin::Create { email, name }) => {
            let db = open_db(&config).await?;
            let password = match std::env::var("ALONGSIDE_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_to_string(&mut line)
                        .context("reading the password from standard input")?;
                    line.lines().next().unwrap_or_default().to_owned()
                }
            };
            let id = admin_create(&db, &email, &name, &password).await?;
            println!("{email} is an admin (id {id})");
            Ok(())
        }
        Command::Admin(Admin::Suspend { email, lift }) => {
            let db = open_db(&config).await?;
            let user = db
                .user_by_email(&email.trim().to_lowercase())
                .await?
                .with_context(|| format!("no account with email {email}"))?;
            let at = (!lift).then(crate::web::now_ms);
            db.set_suspended(&user.id, at).await?;
            // A running server closes the member's room connections within a second or two.
            db.note_access_change(store::access_changes::Scope::User, &user.id, crate::web::now_ms()).await?;
            println!("{email} {}", if lift { "may sign in again" } else { "is suspended" });
            Ok(())
        }
        Command::Export { path } => {
            let db = open_db(&config).await?;
            let file = new_private_file(&path)?;
            let mut out = std::io::BufWriter::new(file);
            let done = db.export_to(&mut out, crate::web::now_ms()).await;
            let done = match done {
                Ok(d) => d,
                Err(e) => {
                    drop(out);
                    let _ = std::fs::remove_file(&path);
                    return Err(e.into());
                }
            };
            eprintln!(
                "warning: {} holds every member's data, password hashes and the server's keys: keep it \
                 private, and delete it once the move is done",
                path.display()
            );
            println!("{} tables, {} rows written to {}", done.tables, done.rows, path.display());
            Ok(())
        }
        Command::Import { path } => {
            let db = open_db(&config).await?;
            let file =
                std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            let done = db.import_from(std::io::BufReader::new(file)).await?;
            println!("{} tables, {} rows imported from {}", done.tables, done.rows, path.display());
            Ok(())
        }
        Command::Backup { path } => {
            let db = open_db(&config).await?;
            if db.backend() == Backend::Postgres {
                anyhow::bail!("backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. pg_dump -Fc \"$DATABASE_URL\" > alongside.dump)");
            }
            anyhow::ensure!(!path.exists(), "{} already exists; choose a new file", path.display());
            let target = path.to_str().context("the backup path must be valid UTF-8")?;
            db.backup_sqlite(target).await?;
            println!("backup written to {}", path.display());
            Ok(())
        }
    }
}

/// A new file only its owner may read or write; an existing one is refused.
fn new_private_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

/// Creates an admin, or promotes an existing account; the password rules apply to new accounts.
pub async fn admin_create(db: &store::Db, email: &str, name: &str, password: &str) -> anyhow::Result<String> {
    let email = domain::profile::check_email(email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
    if let Some(u) = db.user_by_email(&email).await? {
        db.set_admin(&u.id).await?;
        return Ok(u.id);
    }
    let name = domain::profile::check_display_name(name).map_err(|e| anyhow::anyhow!("name: {e}"))?;
    domain::password::check(password, &email).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = crate::accounts::password::hash_now(password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = store::users::NewUser {
        email: &email,
        password_hash: &hash,
        display_name: &name,
        timezone: "UTC",
        admin_if_first: true,
    };
    let user = db.create_user(new, crate::web::now_ms()).await?;
    db.set_admin(&user.id).await?;
    // The operator of the instance typed this address in on its own machine.
    db.mark_email_verified(&user.id, crate::web::now_ms()).await?;
    Ok(user.id)
}
