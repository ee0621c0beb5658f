//! MySQL and MariaDB: how the server prints stored expressions
//! (`information_schema.CHECK_CONSTRAINTS`, `COLUMNS.COLUMN_DEFAULT`) and what that makes equal.
//!
//! MariaDB reprints an expression with backquoted identifiers and lowercase keywords, `TRUE` and
//! `FALSE` as `1` and `0`, `lower` / `upper` as `lcase` / `ucase`, `CURRENT_DATE` as `curdate()`,
//! `NOT (x IS NULL)` as `x is not null`, and strings with backslash escapes (`'it\'s'`). Column
//! names are case-insensitive, so identifiers fold to lower case whether quoted or not. The
//! MySQL parser reads `"a"` as a string literal, as the server does without ANSI_QUOTES.

use sqlparser::ast::{Expr, Ident, Value};
use sqlparser::dialect::MySqlDialect;

use crate::Rules;

pub(crate) struct Mysql;

pub(crate) static MYSQL: Mysql = Mysql;

impl Rules for Mysql {
    fn parser(&self) -> &dyn sqlparser::dialect::Dialect {
        &MySqlDialect {}
    }

    fn fold_identifier(&self, ident: &mut Ident) {
        ident.value = ident.value.to_lowercase();
    }

    fn function_synonym(&self, name: &str) -> Option<&'static str> {
        Some(match name {
            "lcase" => "lower",
            "ucase" => "upper",
            "curdate" => "current_date",
            "curtime" => "current_time",
            "substr" => "substring",
            "character_length" => "char_length",
            _ => return None,
        })
    }

    fn fold(&self, expr: &mut Expr) {
        if let Expr::Value(v) = expr {
            if let Value::Boolean(b) = v.value {
                v.value = Value::Number(if b { "1" } else { "0" }.to_string(), false);
            }
        }
    }
}
