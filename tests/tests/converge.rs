//! The convergence harness: schemas autogen did not write.
//!
//! `fixtures/converge/<dialect>/<case>/` holds `from.sql` and `to.sql`, hand-written SQL the way
//! people write it (some modelled on the published schema files of real applications, named in
//! each `from.sql` header), and optionally `rows.sql`, rows inserted into FROM. Per case:
//!
//! 1. load FROM (and its rows) into scratch database A and TO into scratch database B;
//! 2. dump both with the server's own printer: `pg_dump --schema-only` on PostgreSQL,
//!    `SHOW CREATE TABLE` per table (and `SHOW CREATE` per view, trigger, routine, event) on
//!    MySQL/MariaDB, `sqlite_master.sql` on SQLite;
//! 3. `autogen diff A B` and `autogen diff A B --downgrade`, through the library call the
//!    command makes, then run the upgrade SQL on A the way a user pipes it into `psql` / `mysql` /
//!    `sqlite3` (on SQLite with foreign keys off, as the `sqlite3` shell has them, followed by
//!    `PRAGMA foreign_key_check`);
//! 4. A's dump must equal B's, the rows of FROM must still be there (every table and column that
//!    FROM and TO share, value for value), and `autogen diff A B` must find nothing (converged);
//! 5. the downgrade SQL must bring A's dump back to FROM's, again with the shared rows intact.
//!
//! Dumps are compared after folding only what autogen documents it does not compare (README,
//! "What autogen compares"): column order inside a table, the names of primary keys, unique
//! constraints, foreign keys and checks (servers and autogen name unnamed ones differently), the
//! `AUTO_INCREMENT=` counter of a MySQL table, a MariaDB event's `STARTS` where it is the time
//! the event was created (the server's fill-in for a statement naming no start; a written one
//! is compared), `RESTRICT` = `NO ACTION` = no action on MySQL,
//! `now()` = `CURRENT_TIMESTAMP` on PostgreSQL, and the order of statements in the dump.
//! PostgreSQL and MariaDB print their own canonical text, compared as printed otherwise. SQLite
//! keeps each `CREATE` statement as it was typed, so there the forms SQLite itself treats alike
//! are folded too (identifier quotes, letter case, spacing, a column's `REFERENCES` / `UNIQUE` /
//! `CHECK` / plain `PRIMARY KEY` against the table-level form, `DEFAULT NULL`, `NO ACTION`; see
//! `sqlite_item`); a declared type, `NOT NULL`, `COLLATE`, `GENERATED` or a table option that
//! changed is a difference.
//!
//! Each case ends `pass` or `fail <first difference>`. The outcomes of all cases are compared
//! with `fixtures/converge/expected.txt` (`<dialect>/<case> pass|fail <reason>`), so a case that
//! regresses fails the test, and so does a case that starts to pass: `cargo xtask bless` (or
//! `AUTOGEN_BLESS=1 cargo test -p autogen-tests --test converge`) rewrites the file; review its
//! diff. The failing cases are the to-do list of issue #15. A table of pass rates per dialect is
//! printed (`cargo test ... -- --nocapture` shows it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use autogen::db::Connection;
use autogen::ops::diff::{diff, SchemaDiff};
use autogen::ops::{SchemaSource, Sources};
use autogen::schema::Dialect;
use autogen::sql::Statement;
use autogen_tests::db::{snapshot, Scratch};
use autogen_tests::{case_dirs, case_name, check_golden, workspace_root};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Token, Tokenizer};

const DIALECTS: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

/// How long a reason may be in `expected.txt`: one readable line.
const REASON_CHARS: usize = 220;

fn converge_dir() -> PathBuf {
    workspace_root().join("fixtures").join("converge")
}

fn dialect_dir(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    }
}

/// One case's outcome: `Ok(())` for pass, or the first difference.
type Outcome = Result<(), String>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converge() {
    // The three dialects run side by side: each waits on its own server most of the time.
    let (sqlite, postgres, mysql) = tokio::join!(
        every_case(Dialect::Sqlite),
        every_case(Dialect::Postgres),
        every_case(Dialect::Mysql)
    );
    let path = converge_dir().join("expected.txt");
    let previous = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines = Vec::new();
    let mut table = vec![format!("{:<10} {:>6} {:>6}", "dialect", "pass", "cases")];
    for (dialect, ran) in DIALECTS.iter().zip([sqlite, postgres, mysql]) {
        let prefix = format!("{}/", dialect_dir(*dialect));
        match ran {
            Ok(Some(outcomes)) => {
                let passed = outcomes.iter().filter(|(_, o)| o.is_ok()).count();
                table.push(format!(
                    "{:<10} {passed:>6} {:>6}",
                    dialect_dir(*dialect),
                    outcomes.len()
                ));
                for (case, outcome) in outcomes {
                    lines.push(match outcome {
                        Ok(()) => format!("{prefix}{case} pass"),
                        Err(reason) => format!("{prefix}{case} fail {}", one_line(&reason)),
                    });
                }
            }
            // A skipped dialect (no server configured, and AUTOGEN_TEST_REQUIRE_ALL unset) keeps
            // its recorded outcomes, so the comparison below covers only what ran.
            Ok(None) => {
                table.push(format!("{:<10} skipped", dialect_dir(*dialect)));
                lines.extend(
                    previous
                        .lines()
                        .filter(|l| l.starts_with(&prefix))
                        .map(str::to_string),
                );
            }
            Err(e) => panic!("{}: {e}", dialect_dir(*dialect)),
        }
    }
    println!(
        "convergence harness, pass rate per dialect:\n{}",
        table.join("\n")
    );
    let mut actual = String::from(
        "# Outcomes of tests/tests/converge.rs, one line per case: <dialect>/<case> pass|fail <first difference>.\n\
         # Written by `cargo xtask bless`; a change here is a case that regressed or got fixed.\n",
    );
    for line in &lines {
        actual.push_str(line);
        actual.push('\n');
    }
    if let Err(e) = check_golden(&path, &actual) {
        panic!("{e}");
    }
}

/// Runs every case of `dialect`; `None` when the dialect's server is not configured.
async fn every_case(dialect: Dialect) -> Result<Option<Vec<(String, Outcome)>>, String> {
    let dirs = case_dirs(&converge_dir().join(dialect_dir(dialect)));
    if dirs.len() < 8 {
        return Err(format!(
            "only {} cases; the harness wants at least 8 per dialect",
            dirs.len()
        ));
    }
    let mut outcomes = Vec::new();
    for dir in dirs {
        let name = case_name(&dir);
        match case(dialect, &dir).await? {
            None => return Ok(None),
            Some(outcome) => {
                if let Err(reason) = &outcome {
                    println!("[{}/{name}] fail: {reason}", dialect_dir(dialect));
                }
                outcomes.push((name, outcome));
            }
        }
    }
    Ok(Some(outcomes))
}

/// One case: `Err` when the harness itself cannot run it (a fixture that does not load, a
/// missing `pg_dump`), `Ok(None)` when the server is not configured, otherwise the outcome.
async fn case(dialect: Dialect, dir: &Path) -> Result<Option<Outcome>, String> {
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file))
            .map_err(|e| format!("{}: {e}", dir.join(file).display()))
    };
    let from_sql = read("from.sql")?;
    let to_sql = read("to.sql")?;
    let rows_sql = read("rows.sql").ok();
    let Some(a) = Scratch::create(dialect).await? else {
        return Ok(None);
    };
    let Some(b) = Scratch::create(dialect).await? else {
        a.drop_now().await;
        return Ok(None);
    };
    let loaded = async {
        script(&a, &from_sql)
            .await
            .map_err(|e| format!("{}/from.sql: {e}", dir.display()))?;
        if let Some(rows) = &rows_sql {
            script(&a, rows)
                .await
                .map_err(|e| format!("{}/rows.sql: {e}", dir.display()))?;
        }
        script(&b, &to_sql)
            .await
            .map_err(|e| format!("{}/to.sql: {e}", dir.display()))
    }
    .await;
    let result = match loaded {
        Ok(()) => Ok(Some(converge_one(&a, &b).await?)),
        Err(e) => Err(e),
    };
    let scrub = scrubber(&[&a, &b]);
    a.drop_now().await;
    b.drop_now().await;
    result.map(|o| o.map(|o| o.map_err(|e| scrub(&e))))
}

/// The steps of one case on loaded databases. The outer `Err` is a harness failure (a dump that
/// cannot be taken), the inner one the case's first difference.
async fn converge_one(a: &Scratch, b: &Scratch) -> Result<Outcome, String> {
    let from_dump = dump(a).await?;
    let to_dump = dump(b).await?;
    let from_columns = columns(a).await?;
    let to_columns = columns(b).await?;
    // Tables and columns FROM and TO share: their rows must survive both directions.
    let kept: BTreeMap<String, Vec<String>> = from_columns
        .iter()
        .filter_map(|(t, cols)| {
            let other = to_columns.get(t)?;
            Some((t.clone(), cols.intersection(other).cloned().collect()))
        })
        .collect();
    let rows = rows_of(a, &kept).await?;

    let up = match autogen_diff(a, b, false).await {
        Ok(d) => d,
        Err(e) => return Ok(Err(format!("autogen diff: {e}"))),
    };
    let down = match autogen_diff(a, b, true).await {
        Ok(d) => d,
        Err(e) => return Ok(Err(format!("autogen diff --downgrade: {e}"))),
    };
    if let Err(e) = apply(a, &up.statements).await {
        return Ok(Err(format!("upgrade SQL failed: {e}")));
    }
    if let Some(first) = first_difference(&to_dump, &dump(a).await?) {
        return Ok(Err(format!("after upgrade, A differs from TO: {first}")));
    }
    if let Some(e) = rows_differ(a, &kept, &rows).await? {
        return Ok(Err(format!("after upgrade: {e}")));
    }
    match autogen_diff(a, b, false).await {
        Ok(again) if again.changes.is_empty() => {}
        Ok(again) => {
            let changes: Vec<String> = again.changes.iter().map(|c| c.describe()).collect();
            return Ok(Err(format!(
                "dumps equal but not converged: autogen diff still finds: {}",
                changes.join("; ")
            )));
        }
        Err(e) => return Ok(Err(format!("autogen diff after upgrade: {e}"))),
    }
    if let Err(e) = apply(a, &down.statements).await {
        return Ok(Err(format!("downgrade SQL failed: {e}")));
    }
    if let Some(first) = first_difference(&from_dump, &dump(a).await?) {
        return Ok(Err(format!(
            "after downgrade, A differs from FROM: {first}"
        )));
    }
    if let Some(e) = rows_differ(a, &kept, &rows).await? {
        return Ok(Err(format!("after downgrade: {e}")));
    }
    Ok(Ok(()))
}

async fn autogen_diff(a: &Scratch, b: &Scratch, reverse: bool) -> Result<SchemaDiff, String> {
    diff(
        &Sources::urls_only(),
        &SchemaSource::Database(a.url().clone()),
        &SchemaSource::Database(b.url().clone()),
        reverse,
    )
    .await
    .map_err(|e| e.to_string())
}

/// Runs a fixture file as one script.
async fn script(db: &Scratch, sql: &str) -> Result<(), String> {
    let mut conn = db.connect().await?;
    let result = conn.execute_script(sql).await.map_err(|e| e.to_string());
    let _ = conn.close().await;
    result
}

/// Runs `autogen diff`'s statements one by one, as a user piping its output into the server's
/// shell would. The `sqlite3` shell starts with foreign keys off (SQLite's default), which table
/// rebuilds need; the check afterwards is what autogen's own runner does before committing.
async fn apply(db: &Scratch, statements: &[Statement]) -> Result<(), String> {
    let mut conn = db.connect().await?;
    let result = async {
        let sqlite = conn.dialect() == Dialect::Sqlite;
        if sqlite {
            conn.execute_script("PRAGMA foreign_keys = OFF")
                .await
                .map_err(|e| e.to_string())?;
        }
        for s in statements {
            conn.execute_script(&s.sql)
                .await
                .map_err(|e| format!("{}: {e}", one_line(&s.sql)))?;
        }
        if let (true, Connection::Sqlite(c)) = (sqlite, &mut conn) {
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(&mut *c)
                    .await
                    .map_err(|e| e.to_string())?;
            if let Some((t,)) = broken.first() {
                return Err(format!(
                    "PRAGMA foreign_key_check: rows of {t} lost their parent"
                ));
            }
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Every base table of the database with its columns (autogen's version table left out).
async fn columns(db: &Scratch) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut conn = db.connect().await?;
    let sql = match conn.dialect() {
        Dialect::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        Dialect::Postgres => {
            "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
             JOIN information_schema.tables t USING (table_schema, table_name) \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        }
        Dialect::Mysql => {
            "SELECT CAST(c.table_name AS CHAR), CAST(c.column_name AS CHAR) \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'"
        }
    };
    let rows: Result<Vec<(String, String)>, sqlx::Error> = match &mut conn {
        Connection::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
        Connection::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
        Connection::Mysql(c) => sqlx::query_as(sql).fetch_all(c).await,
    };
    let _ = conn.close().await;
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, c) in rows.map_err(|e| format!("{sql}: {e}"))? {
        tables.entry(t).or_default().insert(c);
    }
    Ok(tables)
}

type Rows = BTreeMap<String, Vec<String>>;

async fn rows_of(db: &Scratch, kept: &BTreeMap<String, Vec<String>>) -> Result<Rows, String> {
    let mut conn = db.connect().await?;
    let mut out = BTreeMap::new();
    let mut result = Ok(());
    for (table, cols) in kept {
        match snapshot(&mut conn, table, cols).await {
            Ok(rows) => {
                out.insert(table.clone(), rows);
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let _ = conn.close().await;
    result.map(|()| out)
}

/// The first table whose shared rows differ from `before`, described; `None` when all match.
async fn rows_differ(
    db: &Scratch,
    kept: &BTreeMap<String, Vec<String>>,
    before: &Rows,
) -> Result<Option<String>, String> {
    let after = match rows_of(db, kept).await {
        Ok(rows) => rows,
        Err(e) => return Ok(Some(format!("cannot read the rows back: {e}"))),
    };
    for (table, rows) in before {
        let now = after.get(table).cloned().unwrap_or_default();
        if &now != rows {
            let lost = rows.iter().find(|r| !now.contains(r));
            let new = now.iter().find(|r| !rows.contains(r));
            return Ok(Some(format!(
                "rows of {table} changed ({} before, {} after; first lost {:?}, first new {:?})",
                rows.len(),
                now.len(),
                lost.map(String::as_str).unwrap_or("-"),
                new.map(String::as_str).unwrap_or("-"),
            )));
        }
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------------
// Dumps

/// The schema as the server prints it, one normalised statement per entry, sorted.
async fn dump(db: &Scratch) -> Result<Vec<String>, String> {
    let statements = match db.url().dialect() {
        Dialect::Postgres => pg_dump(db).await?,
        Dialect::Mysql => show_create_tables(db).await?,
        Dialect::Sqlite => sqlite_master(db).await?,
    };
    let dialect = db.url().dialect();
    let mut out = Vec::new();
    for s in statements {
        let tokens = normalise(dialect, &s)?;
        if !tokens.is_empty() {
            out.push(tokens);
        }
    }
    out.sort();
    Ok(out)
}

/// `pg_dump --schema-only`, split into statements. pg_dump is part of the PostgreSQL client
/// package that comes with the server (Debian's `postgresql-client`), so wherever the test server
/// runs it is there; a missing one is a harness failure with a clear message, not a skip.
async fn pg_dump(db: &Scratch) -> Result<Vec<String>, String> {
    let output = tokio::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "--no-tablespaces", "--dbname"])
        .arg(db.url().expose())
        .output()
        .await
        .map_err(|e| {
            format!("cannot run pg_dump ({e}); the convergence harness needs PostgreSQL's client tools (Debian: postgresql-client)")
        })?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump {} failed: {}",
            db.url().redacted(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    // psql meta-commands (`\restrict KEY`, with a random key, since 15.14) are not SQL.
    let sql: String = text
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    let tokens = tokenize(Dialect::Postgres, &sql)?;
    Ok(split_statements(&tokens)
        .into_iter()
        .filter(|s| {
            // Session settings, not schema.
            !matches!(s.first(), Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("SET") || w.value.eq_ignore_ascii_case("SELECT"))
        })
        .map(|s| render(&s))
        .collect())
}

/// `SHOW CREATE TABLE` of every base table, then `SHOW CREATE` of every view, trigger, routine
/// and event, then the privileges granted on the database's tables and columns.
async fn show_create_tables(db: &Scratch) -> Result<Vec<String>, String> {
    let mut conn = db.connect().await?;
    let Connection::Mysql(c) = &mut conn else {
        return Err("not a MySQL connection".to_string());
    };
    let result = async {
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for (t,) in tables {
            let sql = format!("SHOW CREATE TABLE `{}`", t.replace('`', "``"));
            let row: (String, String) = sqlx::query_as(&sql)
                .fetch_one(&mut *c)
                .await
                .map_err(|e| format!("{sql}: {e}"))?;
            out.push(row.1);
        }
        // The other objects, each as the server prints it; for an event, whether its STARTS is
        // the time it was created (the server fills that in when a statement names no start).
        let others: Vec<(String, String, i32)> = sqlx::query_as(
            "SELECT 'VIEW', CAST(table_name AS CHAR), 0 FROM information_schema.views \
             WHERE table_schema = DATABASE() \
             UNION ALL SELECT 'TRIGGER', CAST(trigger_name AS CHAR), 0 \
             FROM information_schema.triggers WHERE trigger_schema = DATABASE() \
             UNION ALL SELECT CAST(routine_type AS CHAR), CAST(routine_name AS CHAR), 0 \
             FROM information_schema.routines WHERE routine_schema = DATABASE() \
             UNION ALL SELECT 'EVENT', CAST(event_name AS CHAR), \
             CASE WHEN coalesce(CONVERT_TZ(starts, time_zone, @@session.time_zone), starts) \
             IN (created, last_altered) THEN 1 ELSE 0 END \
             FROM information_schema.events WHERE event_schema = DATABASE()",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| e.to_string())?;
        for (kind, name, starts_when_created) in others {
            let sql = format!("SHOW CREATE {kind} `{}`", name.replace('`', "``"));
            let row = sqlx::query(&sql)
                .fetch_one(&mut *c)
                .await
                .map_err(|e| format!("{sql}: {e}"))?;
            // The statement's column: `Create View`, `SQL Original Statement`, `Create
            // Function` / `Create Procedure`, `Create Event`.
            let column = match kind.as_str() {
                "VIEW" => 1,
                "EVENT" => 3,
                _ => 2,
            };
            let text: Vec<u8> =
                sqlx::Row::try_get(&row, column).map_err(|e| format!("{sql}: {e}"))?;
            let mut text = String::from_utf8_lossy(&text).into_owned();
            // A start nobody wrote is the time of creation, which differs between A and B;
            // a written one is compared like the rest of the schedule.
            if starts_when_created == 1 {
                text = without_starts(&text);
            }
            out.push(text);
        }
        // The privileges on this database's tables and columns, one line each (accounts and
        // roles are the server's, shared by A and B; only what names these tables differs).
        let grants: Vec<(String,)> = sqlx::query_as(
            "SELECT CONCAT('GRANT ', CAST(privilege_type AS CHAR), ' ON ', CAST(table_name AS CHAR), \
             ' TO ', CAST(grantee AS CHAR)) FROM information_schema.table_privileges \
             WHERE table_schema = DATABASE() \
             UNION ALL SELECT CONCAT('GRANT ', CAST(privilege_type AS CHAR), ' (', \
             CAST(column_name AS CHAR), ') ON ', CAST(table_name AS CHAR), ' TO ', \
             CAST(grantee AS CHAR)) FROM information_schema.column_privileges \
             WHERE table_schema = DATABASE() ORDER BY 1",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| e.to_string())?;
        out.extend(grants.into_iter().map(|(g,)| g));
        Ok(out)
    }
    .await;
    let _ = conn.close().await;
    result
}

/// `SHOW CREATE EVENT`'s text without its ` STARTS '...'` (see `show_create_tables`).
fn without_starts(text: &str) -> String {
    let Some(at) = text.find(" STARTS '") else {
        return text.to_string();
    };
    let value = at + " STARTS '".len();
    match text[value..].find('\'') {
        Some(end) => format!("{}{}", &text[..at], &text[value + end + 1..]),
        None => text.to_string(),
    }
}

/// The `CREATE` statements SQLite keeps in `sqlite_master` (its automatic indexes have none).
async fn sqlite_master(db: &Scratch) -> Result<Vec<String>, String> {
    let mut conn = db.connect().await?;
    let Connection::Sqlite(c) = &mut conn else {
        return Err("not a SQLite connection".to_string());
    };
    let rows: Result<Vec<(String,)>, _> = sqlx::query_as(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .fetch_all(&mut *c)
    .await;
    let _ = conn.close().await;
    Ok(rows
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(s,)| s)
        .collect())
}

fn tokenize(dialect: Dialect, sql: &str) -> Result<Vec<Token>, String> {
    let tokens = match dialect {
        Dialect::Sqlite => Tokenizer::new(&SQLiteDialect {}, sql).tokenize(),
        Dialect::Postgres => Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize(),
        Dialect::Mysql => Tokenizer::new(&MySqlDialect {}, sql).tokenize(),
    }
    .map_err(|e| format!("cannot tokenize the dump ({e}): {sql}"))?;
    Ok(tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF))
        .collect())
}

fn split_statements(tokens: &[Token]) -> Vec<Vec<Token>> {
    tokens
        .split(|t| *t == Token::SemiColon)
        .filter(|s| !s.is_empty())
        .map(<[Token]>::to_vec)
        .collect()
}

fn is_word(t: &Token, word: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// One statement in comparable form: tokens joined by single spaces, with what autogen does not
/// compare folded away (see the module comment).
fn normalise(dialect: Dialect, statement: &str) -> Result<String, String> {
    let mut tokens = tokenize(dialect, statement)?;
    if tokens.last() == Some(&Token::SemiColon) {
        tokens.pop();
    }
    // SQLite keeps the statement as typed: `"id"`, `[id]`, `ID` and `id` are one name to it, and
    // keywords are case-blind. PostgreSQL and MariaDB print their own canonical spelling.
    if dialect == Dialect::Sqlite {
        for t in &mut tokens {
            if let Token::Word(w) = t {
                w.value = w.value.to_ascii_lowercase();
                let plain = w
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !w.value.starts_with(|c: char| c.is_ascii_digit());
                w.quote_style = (!plain).then_some('"');
            }
        }
    }
    // MariaDB keeps a trigger's, routine's or event's statement as it was sent: backquotes the
    // writer put around a plain name are not a difference (its tables and views are printed).
    let kept_as_sent = dialect == Dialect::Mysql
        && tokens.first().is_some_and(|t| is_word(t, "CREATE"))
        && tokens.iter().take(12).any(|t| {
            ["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]
                .iter()
                .any(|k| is_word(t, k))
        });
    if kept_as_sent {
        for t in &mut tokens {
            if let Token::Word(w) = t {
                let plain = w
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !w.value.starts_with(|c: char| c.is_ascii_digit());
                if plain {
                    w.quote_style = None;
                }
            }
        }
    }
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // The names of keys, unique constraints, foreign keys and checks are not compared.
        let named_constraint = is_word(t, "CONSTRAINT")
            || (dialect == Dialect::Mysql
                && is_word(t, "KEY")
                && out.last().is_some_and(|p| is_word(p, "UNIQUE")));
        if named_constraint && i + 1 < tokens.len() {
            out.push(t.clone());
            out.push(Token::make_word("<name>", None));
            i += 2;
            continue;
        }
        // InnoDB treats RESTRICT and NO ACTION alike, and leaving the action out means the
        // same; autogen documents that it does not tell them apart on MySQL.
        if dialect == Dialect::Mysql
            && is_word(t, "ON")
            && tokens
                .get(i + 1)
                .is_some_and(|n| is_word(n, "DELETE") || is_word(n, "UPDATE"))
        {
            if tokens.get(i + 2).is_some_and(|n| is_word(n, "RESTRICT")) {
                i += 3;
                continue;
            }
            if tokens.get(i + 2).is_some_and(|n| is_word(n, "NO"))
                && tokens.get(i + 3).is_some_and(|n| is_word(n, "ACTION"))
            {
                i += 4;
                continue;
            }
        }
        // `now()` and `CURRENT_TIMESTAMP` are one default to PostgreSQL and to autogen (README,
        // "What autogen compares"), which may write either.
        if dialect == Dialect::Postgres
            && is_word(t, "now")
            && tokens.get(i + 1) == Some(&Token::LParen)
            && tokens.get(i + 2) == Some(&Token::RParen)
        {
            out.push(Token::make_word("CURRENT_TIMESTAMP", None));
            i += 3;
            continue;
        }
        // A MySQL table's next AUTO_INCREMENT value is data, not schema.
        if dialect == Dialect::Mysql
            && is_word(t, "AUTO_INCREMENT")
            && tokens.get(i + 1) == Some(&Token::Eq)
        {
            i += 3;
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    let create_table = out.len() > 2 && is_word(&out[0], "CREATE") && is_word(&out[1], "TABLE");
    if create_table {
        if let Some(sorted) = sort_table_body(dialect, &out) {
            return Ok(sorted);
        }
    }
    Ok(render(&out))
}

/// A `CREATE TABLE` with the items of its body (columns and table constraints) one per line in
/// sorted order, since column order is not compared.
fn sort_table_body(dialect: Dialect, tokens: &[Token]) -> Option<String> {
    let open = tokens.iter().position(|t| *t == Token::LParen)?;
    let mut depth = 0;
    let mut items: Vec<Vec<Token>> = vec![Vec::new()];
    let mut close = None;
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        match t {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => {
                close = Some(i);
                break;
            }
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                items.push(Vec::new());
                continue;
            }
            _ => {}
        }
        items.last_mut()?.push(t.clone());
    }
    let close = close?;
    let mut lines: Vec<String> = Vec::new();
    for item in &items {
        if dialect == Dialect::Sqlite {
            lines.extend(sqlite_item(item));
        } else {
            lines.push(render(item));
        }
    }
    lines.sort();
    Some(
        format!(
            "{} (\n  {}\n) {}",
            render(&tokens[..open]),
            lines.join("\n  "),
            render(&tokens[close + 1..])
        )
        .trim_end()
        .to_string(),
    )
}

/// One body item of a SQLite `CREATE TABLE`, in one spelling of the forms SQLite treats alike,
/// so that a table autogen rebuilt in its own spelling compares equal to the hand-written one
/// when (and only when) SQLite would treat them the same: a column's `REFERENCES`, `UNIQUE`,
/// `CHECK` and plain `PRIMARY KEY` become table constraints, `ON ... NO ACTION` (the default)
/// and `DEFAULT NULL` go, `DEFAULT (x)` of one token is `DEFAULT x`, and the `ON DELETE` /
/// `ON UPDATE` clauses are sorted. Anything else (NOT NULL, AUTOINCREMENT, COLLATE, GENERATED,
/// the declared type) stays as written, because SQLite behaves differently without it.
fn sqlite_item(item: &[Token]) -> Vec<String> {
    // Constraint names are not compared (`<name>` already), so the prefix goes entirely.
    let mut toks: Vec<Token> = Vec::with_capacity(item.len());
    let mut i = 0;
    while i < item.len() {
        if is_word(&item[i], "constraint") {
            i += 2;
            continue;
        }
        toks.push(item[i].clone());
        i += 1;
    }
    let starts_constraint = |t: &Token| {
        ["primary", "unique", "check", "foreign"]
            .iter()
            .any(|w| is_word(t, w))
    };
    if toks.first().is_none_or(starts_constraint) {
        return vec![render(&fold_fk_actions(&toks))];
    }
    let name = render(&toks[..1]);
    let segment_start = |t: &Token| {
        [
            "primary",
            "not",
            "null",
            "unique",
            "check",
            "default",
            "collate",
            "references",
            "generated",
            "as",
        ]
        .iter()
        .any(|w| is_word(t, w))
    };
    // The declared type, then one segment per column constraint.
    let mut at = 1;
    while at < toks.len() && !segment_start(&toks[at]) {
        at += 1;
    }
    let declared = render(&toks[..at]);
    let mut kept: Vec<String> = Vec::new();
    let mut moved: Vec<String> = Vec::new();
    while at < toks.len() {
        let begin = at;
        at += 1;
        let word = |t: &Token, w: &str| is_word(t, w);
        let first = &toks[begin];
        if word(first, "default") || word(first, "collate") {
            if matches!(toks.get(at), Some(Token::Minus | Token::Plus)) {
                at += 1;
            }
            at = skip_group(&toks, at);
        } else if word(first, "references") {
            at += 1; // the table
            at = if toks.get(at) == Some(&Token::LParen) {
                skip_group(&toks, at)
            } else {
                at
            };
            at = skip_fk_clauses(&toks, at);
        } else if word(first, "generated") || word(first, "as") {
            while at < toks.len() && toks[at] != Token::LParen {
                at += 1;
            }
            at = skip_group(&toks, at);
            if toks
                .get(at)
                .is_some_and(|t| word(t, "stored") || word(t, "virtual"))
            {
                at += 1;
            }
        } else {
            // PRIMARY KEY / NOT NULL / NULL / UNIQUE / CHECK: up to the next segment, with any
            // parenthesised group (a CHECK's expression) taken whole.
            while at < toks.len() && !segment_start(&toks[at]) {
                at = if toks[at] == Token::LParen {
                    skip_group(&toks, at)
                } else {
                    at + 1
                };
            }
            if word(first, "not") && toks.get(at).is_some_and(|t| word(t, "null")) {
                at += 1;
                while at < toks.len() && !segment_start(&toks[at]) {
                    at += 1;
                }
            }
        }
        let seg = &toks[begin..at.min(toks.len())];
        let text = render(seg);
        if word(first, "references") {
            moved.push(format!(
                "foreign key ( {name} ) {}",
                render(&fold_fk_actions(seg))
            ));
        } else if word(first, "unique") && seg.len() == 1 {
            moved.push(format!("unique ( {name} )"));
        } else if word(first, "check") {
            moved.push(text);
        } else if word(first, "primary") && seg.len() == 2 {
            moved.push(format!("primary key ( {name} )"));
        } else if text == "default null" || text == "null" {
        } else if word(first, "default") && seg.len() == 4 && seg[1] == Token::LParen {
            kept.push(format!("default {}", render(&seg[2..3])));
        } else {
            kept.push(text);
        }
    }
    kept.sort();
    let mut column = declared;
    for k in kept {
        column.push(' ');
        column.push_str(&k);
    }
    let mut out = vec![column];
    out.extend(moved);
    out
}

/// The index just past the token at `at`, or past the whole parenthesised group starting there.
fn skip_group(toks: &[Token], at: usize) -> usize {
    if toks.get(at) != Some(&Token::LParen) {
        return at + 1;
    }
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(at) {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// Past a foreign key's `ON DELETE/UPDATE ...`, `MATCH x` and `[NOT] DEFERRABLE ...` clauses.
fn skip_fk_clauses(toks: &[Token], mut at: usize) -> usize {
    loop {
        let w = |i: usize, s: &str| toks.get(i).is_some_and(|t| is_word(t, s));
        if w(at, "on") {
            let two = w(at + 2, "set") || w(at + 2, "no");
            at += if two { 4 } else { 3 };
        } else if w(at, "match") || w(at, "initially") || (w(at, "not") && w(at + 1, "deferrable"))
        {
            at += 2;
        } else if w(at, "deferrable") {
            at += 1;
        } else {
            return at;
        }
    }
}

/// A foreign key's actions in one order, with `NO ACTION` (SQLite's default) left out.
fn fold_fk_actions(toks: &[Token]) -> Vec<Token> {
    let Some(start) = toks.iter().position(|t| is_word(t, "references")) else {
        return toks.to_vec();
    };
    let mut at = start + 2;
    if toks.get(at) == Some(&Token::LParen) {
        at = skip_group(toks, at);
    }
    let mut clauses: Vec<Vec<Token>> = Vec::new();
    let end = skip_fk_clauses(toks, at);
    let mut i = at;
    while i < end {
        let w = |j: usize, s: &str| toks.get(j).is_some_and(|t| is_word(t, s));
        let len = if w(i, "on") {
            if w(i + 2, "set") || w(i + 2, "no") {
                4
            } else {
                3
            }
        } else if w(i, "match") || w(i, "initially") || (w(i, "not") && w(i + 1, "deferrable")) {
            2
        } else {
            1
        };
        let clause = toks[i..(i + len).min(end)].to_vec();
        let no_action = clause.len() == 4 && is_word(&clause[2], "no");
        if !no_action {
            clauses.push(clause);
        }
        i += len;
    }
    clauses.sort_by_key(|c| render(c));
    let mut out = toks[..at].to_vec();
    for c in clauses {
        out.extend(c);
    }
    out.extend_from_slice(&toks[end..]);
    out
}

fn render(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first difference between two dumps, in one line: for two versions of one table, the
/// first body item that differs (what a reader of a long `CREATE TABLE` wants to see first);
/// otherwise the first statement of one dump that the other lacks.
fn first_difference(expected: &[String], actual: &[String]) -> Option<String> {
    let missing: Vec<&String> = expected.iter().filter(|s| !actual.contains(s)).collect();
    let extra: Vec<&String> = actual.iter().filter(|s| !expected.contains(s)).collect();
    // Statements about one object share their opening: a table's first line (`CREATE TABLE t (`),
    // otherwise everything before the first parenthesis.
    let head = |s: &str| -> String {
        match s.split_once('\n') {
            Some((first, _)) => first.to_string(),
            None => s.split(" ( ").next().unwrap_or(s).to_string(),
        }
    };
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(m) = missing.first() {
        if let Some(x) = extra.iter().find(|x| head(x) == head(m)) {
            let items = |s: &str| -> Vec<String> { s.lines().skip(1).map(flat).collect() };
            let (e, a) = (items(m), items(x));
            let lost = e.iter().find(|i| !a.contains(i));
            let new = a.iter().find(|i| !e.contains(i));
            let what = match (lost, new) {
                (Some(l), Some(n)) => format!("expected `{l}`, found `{n}`"),
                (Some(l), None) => format!("missing `{l}`"),
                (None, Some(n)) => format!("unexpected `{n}`"),
                (None, None) => format!("expected `{}`, found `{}`", flat(m), flat(x)),
            };
            return Some(format!("in `{}`: {what}", head(m)));
        }
        return Some(format!("missing `{}`", flat(m)));
    }
    extra.first().map(|x| format!("unexpected `{}`", flat(x)))
}

// ---------------------------------------------------------------------------------------------
// Reasons

/// Makes reasons the same on every run: scratch database names and SQLite file paths replaced.
fn scrubber(dbs: &[&Scratch]) -> impl Fn(&str) -> String {
    let mut names: Vec<(String, &'static str)> = Vec::new();
    for (db, label) in dbs.iter().zip(["<A>", "<B>"]) {
        // The SQLite path first: it contains the database name's text.
        if let Some(p) = db.url().sqlite_path() {
            names.push((p.display().to_string(), label));
        }
        if let Some(n) = db.url().database_name() {
            names.push((n, label));
        }
    }
    move |text: &str| {
        let mut text = text.to_string();
        for (name, label) in &names {
            text = text.replace(name.as_str(), label);
        }
        text
    }
}

/// A reason on one line, cut to [`REASON_CHARS`] characters.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= REASON_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(REASON_CHARS).collect();
        format!("{cut}...")
    }
}
