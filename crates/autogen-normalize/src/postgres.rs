//! PostgreSQL: how the server prints stored expressions (`pg_get_constraintdef`,
//! `pg_get_expr`) and what that makes equal.
//!
//! PostgreSQL reprints every expression from its parse tree: each operation in parentheses,
//! casts on literals and on columns whose type needs one (`(code)::text`, `'a'::text`,
//! `(0)::numeric`, `'-1'::integer`), `IN (..)` as `= ANY (ARRAY[..])` and `NOT IN` as
//! `<> ALL (..)`, a one-element `IN` as `=`, `LIKE` as `~~` (`ILIKE` `~~*`, with `!` for `NOT`),
//! `BETWEEN` as two comparisons, `interval '1 day'` as `'1 day'::interval`. Unquoted identifiers
//! fold to lower case; quoted ones keep their case.

use sqlparser::ast::{BinaryOperator, Expr, Ident, InTarget};
use sqlparser::dialect::PostgreSqlDialect;

use crate::Rules;

pub(crate) struct Postgres;

pub(crate) static POSTGRES: Postgres = Postgres;

impl Rules for Postgres {
    fn parser(&self) -> &dyn sqlparser::dialect::Dialect {
        &PostgreSqlDialect {}
    }

    fn fold_identifier(&self, ident: &mut Ident) {
        if ident.quote_style.is_none() {
            ident.value = ident.value.to_lowercase();
        }
    }

    fn function_synonym(&self, _name: &str) -> Option<&'static str> {
        None
    }

    fn fold(&self, expr: &mut Expr) {
        match expr {
            Expr::BinaryOp { left, op, right } => {
                let (negated, case_insensitive) = match op {
                    BinaryOperator::PGLikeMatch => (false, false),
                    BinaryOperator::PGNotLikeMatch => (true, false),
                    BinaryOperator::PGILikeMatch => (false, true),
                    BinaryOperator::PGNotILikeMatch => (true, true),
                    _ => return,
                };
                let (expr_, pattern) = (take(left), take(right));
                *expr = if case_insensitive {
                    Expr::ILike {
                        negated,
                        any: false,
                        expr: Box::new(expr_),
                        pattern: Box::new(pattern),
                        escape_char: None,
                    }
                } else {
                    Expr::Like {
                        negated,
                        any: false,
                        expr: Box::new(expr_),
                        pattern: Box::new(pattern),
                        escape_char: None,
                    }
                };
            }
            // `x = ANY (ARRAY[a, b])` is `x IN (a, b)`; the array's own parentheses and cast
            // (`(ARRAY[..])::text[]`) are already gone, as children fold first.
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } => {
                if let Expr::Array(array) = &mut **right {
                    let items = std::mem::take(&mut array.elem);
                    *expr = Expr::In {
                        expr: Box::new(take(left)),
                        target: InTarget::List(items),
                        negated: false,
                        global: false,
                    };
                }
            }
            Expr::AllOp {
                left,
                compare_op: BinaryOperator::NotEq,
                right,
            } => {
                if let Expr::Array(array) = &mut **right {
                    let items = std::mem::take(&mut array.elem);
                    *expr = Expr::In {
                        expr: Box::new(take(left)),
                        target: InTarget::List(items),
                        negated: true,
                        global: false,
                    };
                }
            }
            _ => {}
        }
    }
}

fn take(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, Expr::value(sqlparser::ast::Value::Null))
}
