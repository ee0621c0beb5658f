//! SQLite: the server keeps a CHECK, predicate or default exactly as it was written (in
//! `sqlite_master`), so what needs folding is only what two people may write differently for
//! the same thing: identifiers are case-insensitive (quoted or not), `==` is `=`, and keyword,
//! parenthesis and spacing differences, which the shared folding handles.

use sqlparser::ast::{Expr, Ident};
use sqlparser::dialect::SQLiteDialect;

use crate::Rules;

pub(crate) struct Sqlite;

pub(crate) static SQLITE: Sqlite = Sqlite;

impl Rules for Sqlite {
    fn parser(&self) -> &dyn sqlparser::dialect::Dialect {
        &SQLiteDialect {}
    }

    fn fold_identifier(&self, ident: &mut Ident) {
        // SQLite folds ASCII letters only.
        ident.value = ident.value.to_ascii_lowercase();
    }

    fn function_synonym(&self, _name: &str) -> Option<&'static str> {
        None
    }

    fn fold(&self, _expr: &mut Expr) {}
}
