//! MySQL's and MariaDB's unmanaged objects (see `crate::unmanaged`): views, triggers, stored
//! functions and procedures and events of the current database, in one query. What a view uses
//! comes from its stored definition (`information_schema.VIEW_COLUMN_USAGE` exists on MySQL 8
//! only, not on MariaDB); what a trigger uses from its table and the `NEW.x` / `OLD.x` in its
//! body.

use std::collections::HashMap;

use sqlx::mysql::MySqlConnection;

use crate::dialect::{each_row, CatalogRow};
use crate::sqltext::{tokenize, Kind, Token};
use crate::unmanaged::{UnmanagedKind, UnmanagedObject, Usage};
use crate::{IntrospectError, IntrospectStats};

/// The kind, name, table, definition (views, triggers) and current database of every object.
/// information_schema's columns are cast to one character set so the UNION never mixes
/// collations.
const LIST: &str = "\
SELECT CAST('view' AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(NULL AS CHAR), \
       CAST(VIEW_DEFINITION AS CHAR), CAST(DATABASE() AS CHAR) \
  FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() \
UNION ALL \
SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT, DATABASE() \
  FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() \
UNION ALL \
SELECT CASE ROUTINE_TYPE WHEN 'PROCEDURE' THEN 'procedure' ELSE 'function' END, ROUTINE_NAME, \
       NULL, NULL, NULL \
  FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
UNION ALL \
SELECT 'event', EVENT_NAME, NULL, NULL, NULL \
  FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()";

pub(crate) async fn unmanaged(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    let mut objects = Vec::new();
    each_row(
        conn,
        stats,
        "mysql unmanaged objects",
        sqlx::query(LIST),
        |r| {
            let kind = r.text(0)?;
            let kind = UnmanagedKind::parse(&kind)
                .ok_or_else(|| r.error(0, &format!("unknown kind {kind:?}")))?;
            let mut object = UnmanagedObject::new(kind, r.text(1)?, r.opt_text(2)?);
            let definition = r.opt_text(3)?.unwrap_or_default();
            match (kind, &object.table) {
                (UnmanagedKind::View, _) => {
                    let database = r.opt_text(4)?.unwrap_or_default();
                    object.uses = view_uses(&definition, &database);
                }
                (UnmanagedKind::Trigger, Some(table)) => {
                    object.uses = trigger_uses(&definition, table);
                }
                _ => {}
            }
            objects.push(object);
            Ok(())
        },
    )
    .await?;
    Ok(objects)
}

/// The identifier chains (`a`.`b`.`c`) of `src`, each with the index of the token after it.
fn chains(src: &str, tokens: &[Token]) -> Vec<(Vec<String>, usize)> {
    let is_name = |t: &Token| matches!(t.kind, Kind::Word | Kind::Quoted);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_name(&tokens[i]) {
            i += 1;
            continue;
        }
        let mut parts = vec![tokens[i].ident(src)];
        let mut j = i + 1;
        while j + 1 < tokens.len()
            && tokens[j].kind == Kind::Punct
            && tokens[j].text(src) == "."
            && is_name(&tokens[j + 1])
        {
            parts.push(tokens[j + 1].ident(src));
            j += 2;
        }
        out.push((parts, j));
        i = j;
    }
    out
}

/// What a view uses, read from the definition MySQL and MariaDB store: tables appear as
/// `` `db`.`table` `` (optionally followed by an alias), columns as `` `db`.`table`.`column` ``
/// or `` `alias`.`column` ``.
pub(crate) fn view_uses(definition: &str, database: &str) -> Vec<Usage> {
    let tokens = tokenize(definition);
    let chains = chains(definition, &tokens);
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut uses = Vec::new();
    for (parts, next) in &chains {
        if let [db, table] = parts.as_slice() {
            if db == database {
                uses.push(Usage {
                    table: table.clone(),
                    column: None,
                });
                aliases.insert(table.clone(), table.clone());
                // `db`.`t` `alias` or `db`.`t` AS `alias`.
                let mut k = *next;
                if tokens.get(k).is_some_and(|t| t.is_word(definition, "as")) {
                    k += 1;
                }
                if let Some(t) = tokens.get(k).filter(|t| t.kind == Kind::Quoted) {
                    aliases.insert(t.ident(definition), table.clone());
                }
            }
        }
    }
    for (parts, _) in &chains {
        match parts.as_slice() {
            [db, table, column] if db == database => uses.push(Usage {
                table: table.clone(),
                column: Some(column.clone()),
            }),
            [qualifier, column] => {
                if let Some(table) = aliases.get(qualifier) {
                    uses.push(Usage {
                        table: table.clone(),
                        column: Some(column.clone()),
                    });
                }
            }
            _ => {}
        }
    }
    uses
}

/// What a trigger on `table` uses: the table, and the columns its body reads or writes as
/// `NEW.x` / `OLD.x`.
pub(crate) fn trigger_uses(body: &str, table: &str) -> Vec<Usage> {
    let tokens = tokenize(body);
    let mut uses = vec![Usage {
        table: table.to_string(),
        column: None,
    }];
    for (parts, _) in chains(body, &tokens) {
        if let [row, column] = parts.as_slice() {
            if row.eq_ignore_ascii_case("new") || row.eq_ignore_ascii_case("old") {
                uses.push(Usage {
                    table: table.to_string(),
                    column: Some(column.clone()),
                });
            }
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(table: &str, column: Option<&str>) -> Usage {
        Usage {
            table: table.into(),
            column: column.map(str::to_string),
        }
    }

    #[test]
    fn a_stored_view_definition_names_its_tables_and_columns() {
        let mut uses = view_uses(
            "select `u`.`id` AS `id`,`app`.`orders`.`total` AS `total` from (`app`.`users` `u` \
             join `app`.`orders` on(`app`.`orders`.`user_id` = `u`.`id`)) where 'x.y' = `u`.`email`",
            "app",
        );
        uses.sort();
        uses.dedup();
        assert_eq!(
            uses,
            [
                usage("orders", None),
                usage("orders", Some("total")),
                usage("orders", Some("user_id")),
                usage("users", None),
                usage("users", Some("email")),
                usage("users", Some("id")),
            ]
        );
    }

    #[test]
    fn a_trigger_uses_its_table_and_the_new_and_old_columns() {
        let mut uses = trigger_uses("SET NEW.name = LOWER(new.`email`), @x = 'OLD.bio'", "users");
        uses.sort();
        assert_eq!(
            uses,
            [
                usage("users", None),
                usage("users", Some("email")),
                usage("users", Some("name")),
            ]
        );
    }
}
