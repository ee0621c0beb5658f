//! `online`: what an `autogen upgrade` costs the application writing to the table it changes.
//!
//! One run, for one dialect and one mode: a fresh database with `accounts` (1,000 rows) and
//! `items` (`--rows`, default one million), both created by autogen itself from models; the
//! models then gain an index and a foreign key on `items.account_id`, a CHECK on `items.qty` and
//! `NOT NULL` on it (`--changes full`; `--changes inplace` leaves out the foreign key and the
//! CHECK, which MySQL/MariaDB can only add by copying the table), and autogen writes that revision (with `safety = "online"` in autogen.toml
//! in online mode). A writer task then inserts a row and updates a random row in a loop, each on
//! its own statement, while the real `autogen upgrade` process applies the revision. Every write
//! is timed; the report gives the writer's longest stall and its p99 and median latency over the
//! upgrade's window, the upgrade's own time, and whether `autogen check` exits 0 afterwards.
//!
//! Nothing here judges: `cargo xtask bench-online` runs both modes on each server and prints the
//! table. The writer's statements carry literal integers only, so `execute_script` serves.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use autogen_db::{Connection, DatabaseUrl};
use autogen_schema::Dialect;
use serde_json::json;

pub struct OnlineArgs {
    pub dialect: Dialect,
    /// A URL of any existing database on the server.
    pub server: String,
    pub rows: usize,
    /// `default` or `online`.
    pub mode: String,
    /// `full` (index, foreign key, CHECK, NOT NULL) or `inplace` (index and NOT NULL only: the
    /// part MySQL/MariaDB can do without copying the table).
    pub changes: String,
    /// The `autogen` binary to time.
    pub autogen: PathBuf,
    pub dir: PathBuf,
}

const ACCOUNTS: usize = 1000;

/// The models: `accounts`, and `items` with `table_attr` on the struct, `account_attr` on
/// `account_id` and `qty` of type `qty`.
fn models(table_attr: &str, account_attr: &str, qty: &str) -> String {
    format!(
        "use autogen::Model;\n\n\
         #[derive(Model)]\n#[model(table = \"accounts\")]\npub struct Account {{\n\
         \x20   #[model(primary_key)]\n    pub id: i64,\n\
         \x20   #[model(max_length = 100)]\n    pub name: String,\n}}\n\n\
         #[derive(Model)]\n#[model(table = \"items\")]\n{table_attr}pub struct Item {{\n\
         \x20   #[model(primary_key, auto_increment)]\n    pub id: i64,\n\
         \x20   {account_attr}pub account_id: i64,\n\
         \x20   pub qty: {qty},\n\
         \x20   #[model(max_length = 100)]\n    pub note: String,\n}}\n"
    )
}

/// Before: no index, key, CHECK or NOT NULL.
fn before() -> String {
    models("", "", "Option<i32>")
}

/// After, `full`: an index and a foreign key on `account_id`, a CHECK and NOT NULL on `qty`.
fn after_full() -> String {
    models(
        "#[model(check(name = \"ck_items_qty\", expr = \"qty >= 0\"))]\n",
        "#[model(references = \"accounts.id\", index)]\n    ",
        "i32",
    )
}

/// After, `inplace`: [`after_full`] without the foreign key and the CHECK, which MySQL/MariaDB
/// can only add by copying the table.
fn after_inplace() -> String {
    models("", "#[model(index)]\n    ", "i32")
}

pub async fn online(args: OnlineArgs) -> Result<serde_json::Value> {
    if !matches!(args.mode.as_str(), "default" | "online") {
        bail!("--mode is `default` or `online`, not {:?}", args.mode);
    }
    if !matches!(args.changes.as_str(), "full" | "inplace") {
        bail!("--changes is `full` or `inplace`, not {:?}", args.changes);
    }
    if args.dialect == Dialect::Sqlite {
        bail!("the write-availability bench runs on PostgreSQL and MySQL/MariaDB servers");
    }
    let url = create_database(&args).await?;
    let result = run(&args, &url).await;
    let dropped = crate::prepare::drop_database(url.expose()).await;
    let value = result?;
    dropped?;
    Ok(value)
}

async fn create_database(args: &OnlineArgs) -> Result<DatabaseUrl> {
    let server = DatabaseUrl::parse(&args.server)?;
    let name = format!("autogen_bench_online_{}", std::process::id());
    let q = |n: &str| match args.dialect {
        Dialect::Postgres => format!("\"{n}\""),
        _ => format!("`{n}`"),
    };
    let mut conn = Connection::connect(&server).await?;
    conn.execute_script(&format!("DROP DATABASE IF EXISTS {}", q(&name)))
        .await?;
    conn.execute_script(&format!("CREATE DATABASE {}", q(&name)))
        .await?;
    conn.close().await?;
    Ok(server.with_database(&name)?)
}

async fn run(args: &OnlineArgs, url: &DatabaseUrl) -> Result<serde_json::Value> {
    let dir = &args.dir;
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir.join("models"))?;
    std::fs::create_dir_all(dir.join("revisions"))?;
    let mut toml = format!(
        "database_url = {}\nmodels = [\"models/*.rs\"]\nrevisions = \"revisions\"\n",
        serde_json::Value::String(url.expose().to_string())
    );
    write(&dir.join("models/models.rs"), &before())?;
    write(&dir.join("autogen.toml"), &toml)?;
    autogen(&args.autogen, dir, &["-m", "base"])?;
    autogen(&args.autogen, dir, &["upgrade"])?;

    let loaded = Instant::now();
    let mut conn = Connection::connect(url).await?;
    conn.execute_script(&load_sql(args.dialect, args.rows))
        .await
        .context("loading the rows")?;
    conn.close().await?;
    let load_seconds = loaded.elapsed().as_secs_f64();

    if args.mode == "online" {
        toml.push_str("safety = \"online\"\n");
        write(&dir.join("autogen.toml"), &toml)?;
    }
    let (after, message) = match args.changes.as_str() {
        "inplace" => (after_inplace(), "index not null"),
        _ => (after_full(), "index fk check not null"),
    };
    write(&dir.join("models/models.rs"), &after)?;
    autogen(&args.autogen, dir, &["-m", message])?;
    let revision = newest_revision(dir)?;

    // The writer runs before, during and after the upgrade; only writes that overlap the
    // upgrade's window count.
    // (One task, not a spawned one: sqlx's `raw_sql` future is not `Send` enough to spawn.)
    let stop = Arc::new(AtomicBool::new(false));
    let writer = write_loop(url.clone(), args.dialect, args.rows, Arc::clone(&stop));
    let driver = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let up_start = Instant::now();
        let autogen_bin = args.autogen.clone();
        let project = dir.clone();
        let upgrade =
            tokio::task::spawn_blocking(move || autogen(&autogen_bin, &project, &["upgrade"]))
                .await;
        let up_end = Instant::now();
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, Ordering::SeqCst);
        (up_start, up_end, upgrade)
    };
    let (writes, (up_start, up_end, upgrade)) = tokio::join!(writer, driver);
    let writes = writes?;
    let upgrade = upgrade.context("the upgrade task")?;
    upgrade.context("autogen upgrade")?;

    let check = Command::new(&args.autogen)
        .arg("-C")
        .arg(dir)
        .arg("check")
        .env_remove("DATABASE_URL")
        .output()
        .context("cannot run autogen check")?;

    let mut during: Vec<f64> = writes
        .ops
        .iter()
        .filter(|op| op.end >= up_start && op.start <= up_end)
        .map(|op| op.end.duration_since(op.start).as_secs_f64() * 1000.0)
        .collect();
    during.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if during.is_empty() {
            return 0.0;
        }
        let i = ((during.len() as f64 - 1.0) * p).round() as usize;
        during[i.min(during.len() - 1)]
    };
    Ok(json!({
        "dialect": args.dialect.name(),
        "mode": args.mode,
        "changes": args.changes,
        "rows": args.rows,
        "load_seconds": load_seconds,
        "upgrade_seconds": up_end.duration_since(up_start).as_secs_f64(),
        "writes_during_upgrade": during.len(),
        "write_errors": writes.errors,
        "first_error": writes.first_error,
        "longest_stall_ms": during.last().copied().unwrap_or(0.0),
        "p99_ms": pct(0.99),
        "p50_ms": pct(0.5),
        "check_exit": check.status.code(),
        "revision": revision,
    }))
}

/// The rows: `accounts` 1..=1000, `items` with every `qty` set and non-negative.
fn load_sql(dialect: Dialect, rows: usize) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "INSERT INTO accounts (id, name) SELECT g, 'a' || g FROM generate_series(1, {ACCOUNTS}) g;\n\
             INSERT INTO items (account_id, qty, note) SELECT 1 + g % {ACCOUNTS}, g % 50, 'n' || g FROM generate_series(1, {rows}) g;\n\
             ANALYZE accounts; ANALYZE items"
        ),
        // MariaDB's sequence engine; MySQL would need a recursive CTE.
        _ => format!(
            "INSERT INTO accounts (id, name) SELECT seq, concat('a', seq) FROM seq_1_to_{ACCOUNTS};\n\
             INSERT INTO items (account_id, qty, note) SELECT 1 + seq % {ACCOUNTS}, seq % 50, concat('n', seq) FROM seq_1_to_{rows};\n\
             ANALYZE TABLE accounts, items"
        ),
    }
}

struct Op {
    start: Instant,
    end: Instant,
}

struct Writes {
    ops: Vec<Op>,
    errors: usize,
    first_error: Option<String>,
}

/// Inserts a row and updates a random one, alternately, until `stop`; each statement timed.
async fn write_loop(
    url: DatabaseUrl,
    dialect: Dialect,
    rows: usize,
    stop: Arc<AtomicBool>,
) -> Result<Writes> {
    let mut conn = Connection::connect(&url).await?;
    let mut out = Writes {
        ops: Vec::new(),
        errors: 0,
        first_error: None,
    };
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut i = 0u64;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let sql = if i.is_multiple_of(2) {
            let account = 1 + next() % ACCOUNTS as u64;
            format!("INSERT INTO items (account_id, qty, note) VALUES ({account}, 1, 'w{i}')")
        } else {
            let id = 1 + next() % rows.max(1) as u64;
            match dialect {
                Dialect::Postgres => format!("UPDATE items SET note = 'u' || {i} WHERE id = {id}"),
                _ => format!("UPDATE items SET note = concat('u', {i}) WHERE id = {id}"),
            }
        };
        let start = Instant::now();
        let result = conn.execute_script(&sql).await;
        out.ops.push(Op {
            start,
            end: Instant::now(),
        });
        if let Err(e) = result {
            out.errors += 1;
            if out.first_error.is_none() {
                out.first_error = Some(e.to_string());
            }
        }
    }
    conn.close().await?;
    Ok(out)
}

fn autogen(bin: &Path, dir: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new(bin)
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "autogen {} failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn newest_revision(dir: &Path) -> Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("revisions"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    // The base revision is `<id>_base.sql`; the other one is the change.
    files.retain(|p| !p.to_string_lossy().ends_with("_base.sql"));
    let newest = files.first().context("autogen wrote no revision")?;
    Ok(std::fs::read_to_string(newest)?)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
