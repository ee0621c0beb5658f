//! The example blog application. autogen reads `src/models/` as source code, and
//! `#[derive(autogen::Model)]` checks the attributes at compile time. At start-up the app
//! upgrades its database to head with the revisions embedded in the binary
//! (`autogen::embed_revisions!`), the way an application ships its migrations.

mod models;

use std::process::ExitCode;

/// Upgrades the database at `url` to head and prints where it stands.
async fn migrate(url: &str) -> Result<(), autogen::Error> {
    let migrator = autogen::Migrator::new(autogen::embed_revisions!("revisions"))?;
    let url = autogen::db::DatabaseUrl::parse(url)?;
    let mut conn = autogen::db::Connection::connect(&url).await?;
    let applied = migrator.upgrade_to_head(&mut conn).await?;
    let status = migrator.status(&mut conn).await?;
    let _ = conn.close().await;
    println!(
        "applied {} revision(s); database at {} of {} revision(s), up to date: {}",
        applied.len(),
        if status.current.is_empty() {
            "base".to_string()
        } else {
            status.current.join(", ")
        },
        migrator.history().len(),
        status.is_up_to_date()
    );
    Ok(())
}

fn main() -> ExitCode {
    // Migrate only when a database is named, so the example also runs without one.
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = runtime.block_on(migrate(&url)) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    let user = models::users::User {
        id: 1,
        email: "ada@example.com".into(),
        display_name: "Ada".into(),
        bio: None,
        karma: 0,
        created_at: chrono::Utc::now(),
    };
    println!("{} <{}>", user.display_name, user.email);
    ExitCode::SUCCESS
}
