//! The library API for applications on every configured dialect: revisions embedded at compile
//! time with `autogen::embed_revisions!`, upgraded to head with `Migrator::upgrade_to_head`, and
//! the status read as plain values before and after.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen::revisions::EmbeddedRevisions;
use autogen::schema::Dialect;
use autogen::Migrator;
use autogen_tests::db::Scratch;

const CREATE: &str = "4d1c0a9e2b71";
const BODY: &str = "9b3e5f7a1c20";

fn embedded() -> EmbeddedRevisions {
    autogen::embed_revisions!("../fixtures/migrator/revisions")
}

#[test]
fn the_folder_is_embedded_at_compile_time() {
    let files: Vec<&str> = embedded().files().iter().map(|(name, _)| *name).collect();
    assert_eq!(
        files,
        vec!["4d1c0a9e2b71_create_posts.sql", "9b3e5f7a1c20_add_body.sql"]
    );
    let migrator = Migrator::new(embedded()).unwrap();
    let history: Vec<&str> = migrator.history().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(history, vec![CREATE, BODY]);
    assert_eq!(migrator.heads(), vec![BODY.to_string()]);
}

#[test]
fn a_broken_embedded_set_is_refused_naming_the_file() {
    static BROKEN: &[(&str, &str)] = &[(
        "aaaaaaaaaaaa_orphan.sql",
        "-- autogen:revision aaaaaaaaaaaa\n-- autogen:parent bbbbbbbbbbbb\n-- autogen:upgrade\n-- autogen:downgrade\n",
    )];
    let err = Migrator::new(EmbeddedRevisions::new(BROKEN)).unwrap_err();
    assert!(err.to_string().contains("aaaaaaaaaaaa_orphan.sql"), "{err}");
}

#[tokio::test]
async fn upgrade_to_head_and_status_on_every_dialect() {
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let Some(scratch) = Scratch::create(dialect).await.unwrap() else {
            continue;
        };
        let migrator = Migrator::new(embedded()).unwrap();
        let mut conn = scratch.connect().await.unwrap();

        let before = migrator.status(&mut conn).await.unwrap();
        assert!(before.current.is_empty(), "{dialect}");
        assert_eq!(before.pending, vec![CREATE, BODY], "{dialect}");
        assert!(!before.is_up_to_date(), "{dialect}");

        assert_eq!(
            migrator.upgrade_to_head(&mut conn).await.unwrap(),
            vec![CREATE, BODY],
            "{dialect}"
        );
        conn.execute_script("INSERT INTO posts (id, title, body) VALUES (1, 'hello', 'world')")
            .await
            .unwrap();
        let after = migrator.status(&mut conn).await.unwrap();
        assert_eq!(after.current, vec![BODY], "{dialect}");
        assert!(after.pending.is_empty(), "{dialect}");
        assert_eq!(after.applied.len(), 2, "{dialect}");
        assert!(after.is_up_to_date(), "{dialect}");
        // Starting the application again applies nothing.
        assert!(
            migrator
                .upgrade_to_head(&mut conn)
                .await
                .unwrap()
                .is_empty(),
            "{dialect}"
        );
        conn.close().await.unwrap();
        scratch.drop_now().await;
    }
}
