//! The folding every dialect shares: parse, fold each node bottom-up (the dialect's own rewrites
//! first, then these), put back exactly the parentheses precedence needs, print.
//!
//! Why a tree and not text: a text folder has to drop every parenthesis to match PostgreSQL's
//! `((a) AND (b))`, which also makes `(a OR b) AND c` equal `a OR b AND c`. In the tree,
//! parentheses are only grouping (`Expr::Nested`), so they can all be dropped and then printed
//! again around every compound operand, the same way for both sides.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, DataType, Expr, Ident, InTarget, ObjectNamePart, UnaryOperator, Value,
    VisitMut, VisitorMut,
};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::Rules;

/// The folded, printed tree of `text`, or `None` when the dialect's parser cannot read it as
/// exactly one expression.
pub(crate) fn parsed_key(rules: &dyn Rules, text: &str) -> Option<String> {
    let mut expr = folded(rules, text)?;
    let _ = expr.visit(&mut Parenthesize);
    Some(expr.to_string())
}

/// [`parsed_key`] of a column default. A default is a value, so an array constructor of
/// constants (`ARRAY[]::text[]`, `ARRAY['a', 'b c']`) is the array literal PostgreSQL prints for
/// the same value (`'{}'::text[]`, `'{a,"b c"}'::text[]`); anywhere else in an expression an
/// `ARRAY[..]` stays what it is (`x = ANY (ARRAY[..])` folds to `IN`).
pub(crate) fn parsed_default_key(rules: &dyn Rules, text: &str) -> Option<String> {
    let mut expr = folded(rules, text)?;
    if let Expr::Array(array) = &expr {
        if let Some(literal) = array_literal(array) {
            expr = Expr::value(Value::SingleQuotedString(literal));
        }
    }
    let _ = expr.visit(&mut Parenthesize);
    Some(expr.to_string())
}

/// `text` parsed as exactly one expression and folded, or `None`.
fn folded(rules: &dyn Rules, text: &str) -> Option<Expr> {
    let mut parser = Parser::new(rules.parser()).try_with_sql(text).ok()?;
    let mut expr = parser.parse_expr().ok()?;
    if parser.peek_token().token != Token::EOF {
        return None;
    }
    let _ = expr.visit(&mut Folder { rules });
    Some(expr)
}

/// The text of a PostgreSQL array literal as the server's `array_out` prints it, for an array
/// constructor whose elements are constants (already folded: casts gone, numbers canonical), or
/// nested constructors of them; `None` for anything else.
fn array_literal(array: &sqlparser::ast::Array) -> Option<String> {
    let mut items = Vec::with_capacity(array.elem.len());
    for element in &array.elem {
        items.push(match element {
            Expr::Array(inner) => array_literal(inner)?,
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => array_element(s),
                Value::Number(n, _) => n.clone(),
                Value::Boolean(b) => if *b { "t" } else { "f" }.to_string(),
                Value::Null => "NULL".to_string(),
                _ => return None,
            },
            _ => return None,
        });
    }
    Some(format!("{{{}}}", items.join(",")))
}

/// One string element as `array_out` writes it: double-quoted (with `"` and `\` escaped by a
/// backslash) when it is empty, reads as NULL, or holds a brace, quote, comma, backslash or
/// white space.
fn array_element(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.eq_ignore_ascii_case("null")
        && !s
            .chars()
            .any(|c| matches!(c, '{' | '}' | '"' | ',' | '\\') || c.is_whitespace());
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Folds each node after its children (sqlparser's `post_visit_expr` runs bottom-up).
struct Folder<'a> {
    rules: &'a dyn Rules,
}

impl VisitorMut for Folder<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        self.rules.fold(expr);
        fold_shared(self.rules, expr);
        ControlFlow::Continue(())
    }
}

/// A placeholder left behind while a node is moved out of its place.
fn take(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, Expr::value(Value::Null))
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

fn fold_shared(rules: &dyn Rules, expr: &mut Expr) {
    match expr {
        // Grouping only: the tree already says what belongs together.
        Expr::Nested(inner) => *expr = take(inner),
        // Casts are dropped: servers add them to literals, columns and function results
        // (`(price >= (0)::numeric)`, `(COALESCE(code, ''::character varying))::text`), so a
        // cast cannot tell a model's spelling from the server's. PostgreSQL prints a negative or
        // exponent constant as a quoted string cast to a number (`'-1'::integer`), which becomes
        // the number again.
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => {
            let numeric = is_numeric(data_type);
            let mut value = take(inner);
            if numeric {
                if let Expr::Value(v) = &value {
                    if let Value::SingleQuotedString(s) = &v.value {
                        if let Some(n) = canonical_number(s.trim()) {
                            value = Expr::value(Value::Number(n, false));
                        }
                    }
                }
            }
            *expr = value;
        }
        // `interval '1 day'`, `DATE '2020-01-01'`: the literal, like `'1 day'::interval`.
        Expr::TypedString(t) => {
            let mut value = Expr::Value(t.value.clone());
            fold_value(&mut value);
            *expr = value;
        }
        Expr::Interval(i)
            if i.leading_field.is_none()
                && i.last_field.is_none()
                && i.leading_precision.is_none()
                && i.fractional_seconds_precision.is_none()
                && matches!(&*i.value, Expr::Value(_)) =>
        {
            *expr = take(&mut i.value);
        }
        Expr::Value(_) => fold_value(expr),
        Expr::UnaryOp {
            op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
            expr: inner,
        } => {
            if let Expr::Value(v) = &**inner {
                if let Value::Number(n, _) = &v.value {
                    let signed = if *op == UnaryOperator::Minus {
                        format!("-{n}")
                    } else {
                        n.clone()
                    };
                    if let Some(n) = canonical_number(&signed) {
                        *expr = Expr::value(Value::Number(n, false));
                    }
                }
            }
        }
        // MariaDB prints `NOT (x IS NULL)` as `x is not null`; `NOT (x IN (..))` is
        // `x NOT IN (..)` (PostgreSQL keeps the NOT outside its `= ANY`), and so on.
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: inner,
        } => match &mut **inner {
            Expr::IsNull(x) => *expr = Expr::IsNotNull(Box::new(take(x))),
            Expr::IsNotNull(x) => *expr = Expr::IsNull(Box::new(take(x))),
            Expr::In { negated, .. } | Expr::Like { negated, .. } | Expr::ILike { negated, .. } => {
                *negated = !*negated;
                *expr = take(inner);
            }
            _ => {}
        },
        Expr::Identifier(ident) => fold_ident(rules, ident),
        Expr::CompoundIdentifier(idents) => {
            for ident in idents {
                fold_ident(rules, ident);
            }
        }
        Expr::Function(f) => {
            for part in &mut f.name.0 {
                if let ObjectNamePart::Identifier(ident) = part {
                    rules.fold_identifier(ident);
                    ident.quote_style = None;
                    ident.value = ident.value.to_lowercase();
                }
            }
            if let [ObjectNamePart::Identifier(ident)] = f.name.0.as_mut_slice() {
                if let Some(name) = rules.function_synonym(&ident.value) {
                    ident.value = name.to_string();
                }
                // `now()` is `CURRENT_TIMESTAMP` on PostgreSQL and MySQL; the SQL-standard
                // niladic functions print without parentheses whichever way they were written.
                if ident.value == "now" {
                    ident.value = "current_timestamp".to_string();
                }
                let niladic = matches!(
                    ident.value.as_str(),
                    "current_timestamp" | "current_date" | "current_time"
                );
                let no_args = match &f.args {
                    sqlparser::ast::FunctionArguments::None => true,
                    sqlparser::ast::FunctionArguments::List(l) => {
                        l.args.is_empty() && l.clauses.is_empty()
                    }
                    sqlparser::ast::FunctionArguments::Subquery(_) => false,
                };
                if niladic && no_args {
                    f.args = sqlparser::ast::FunctionArguments::None;
                }
            }
        }
        // PostgreSQL prints a one-element `IN` as `=` (and `NOT IN` as `<>`).
        Expr::In {
            expr: left,
            target: InTarget::List(items),
            negated,
            ..
        } if items.len() == 1 => {
            let op = if *negated {
                BinaryOperator::NotEq
            } else {
                BinaryOperator::Eq
            };
            let right = items.pop().unwrap_or(Expr::value(Value::Null));
            *expr = binary(take(left), op, right);
        }
        // PostgreSQL stores BETWEEN as the two comparisons it means.
        Expr::Between {
            expr: x,
            negated,
            low,
            high,
        } => {
            let x = take(x);
            let (low, high) = (take(low), take(high));
            *expr = if *negated {
                binary(
                    binary(x.clone(), BinaryOperator::Lt, low),
                    BinaryOperator::Or,
                    binary(x, BinaryOperator::Gt, high),
                )
            } else {
                binary(
                    binary(x.clone(), BinaryOperator::GtEq, low),
                    BinaryOperator::And,
                    binary(x, BinaryOperator::LtEq, high),
                )
            };
        }
        // `a AND (b AND c)` and `(a AND b) AND c` are one chain: rebuild it left-nested, the
        // way a parser reads `a AND b AND c` (and PostgreSQL prints it).
        Expr::BinaryOp {
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            ..
        } => {
            let op = op.clone();
            let mut operands = Vec::new();
            flatten(take(expr), &op, &mut operands);
            let mut items = operands.into_iter();
            let first = items.next().unwrap_or(Expr::value(Value::Null));
            *expr = items.fold(first, |acc, e| binary(acc, op.clone(), e));
        }
        _ => {}
    }
}

fn flatten(expr: Expr, op: &BinaryOperator, out: &mut Vec<Expr>) {
    match expr {
        Expr::BinaryOp {
            left,
            op: this,
            right,
        } if this == *op => {
            flatten(*left, op, out);
            flatten(*right, op, out);
        }
        other => out.push(other),
    }
}

/// Identifiers are compared folded and printed quoted, so that no identifier can read like a
/// keyword or operator in the key.
fn fold_ident(rules: &dyn Rules, ident: &mut Ident) {
    rules.fold_identifier(ident);
    ident.quote_style = Some('"');
}

fn fold_value(expr: &mut Expr) {
    let Expr::Value(v) = expr else {
        return;
    };
    let folded = match &v.value {
        Value::Number(n, _) => canonical_number(n).map(|n| Value::Number(n, false)),
        // MySQL's `"a"` is a string (the MySQL parser reads it as one); PostgreSQL's `E'a'`
        // and the national `N'a'` hold the same characters as `'a'`.
        Value::DoubleQuotedString(s)
        | Value::EscapedStringLiteral(s)
        | Value::NationalStringLiteral(s) => Some(Value::SingleQuotedString(s.clone())),
        _ => None,
    };
    if let Some(value) = folded {
        v.value = value;
    }
}

fn is_numeric(data_type: &DataType) -> bool {
    let name = data_type.to_string().to_ascii_lowercase();
    [
        "int",
        "smallint",
        "bigint",
        "tinyint",
        "mediumint",
        "numeric",
        "decimal",
        "real",
        "double",
        "float",
        "signed",
        "unsigned",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// Canonical text of a numeric literal (no sign for zero, no redundant zeros, exponents written
/// out when they are small: `1e3` -> `1000`, `0.50` -> `0.5`), or `None` if `s` is not one.
pub(crate) fn canonical_number(s: &str) -> Option<String> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, s[1..].trim_start()),
        b'+' => (false, s[1..].trim_start()),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let exp: i64 = match exponent {
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Huge exponents stay as written rather than be spelled out digit by digit.
            let n: i64 = digits.parse().ok().filter(|n| *n <= 64)?;
            if e.starts_with('-') {
                -n
            } else {
                n
            }
        }
        None => 0,
    };
    // All digits, and where the decimal point sits among them.
    let digits = format!("{int_part}{frac_part}");
    let point = int_part.len() as i64 + exp;
    let (int, frac) = if point <= 0 {
        (
            String::new(),
            format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if neg && !(int == "0" && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// Puts parentheses around every compound operand, so that the printed key shows the tree's
/// grouping and nothing else.
struct Parenthesize;

impl VisitorMut for Parenthesize {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::BinaryOp { left, right, .. }
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right) => {
                group(left);
                group(right);
            }
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. }
            | Expr::RLike { expr, pattern, .. } => {
                group(expr);
                group(pattern);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsTrue(expr)
            | Expr::IsNotTrue(expr)
            | Expr::IsFalse(expr)
            | Expr::IsNotFalse(expr)
            | Expr::IsUnknown(expr)
            | Expr::IsNotUnknown(expr)
            | Expr::In { expr, .. }
            | Expr::Collate { expr, .. } => group(expr),
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                group(timestamp);
                group(time_zone);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

fn group(expr: &mut Expr) {
    let atomic = matches!(
        expr,
        Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::Function(_)
            | Expr::Nested(_)
            | Expr::Array(_)
            | Expr::Tuple(_)
            | Expr::TypedString(_)
            | Expr::Case { .. }
    );
    if !atomic {
        *expr = Expr::Nested(Box::new(take(expr)));
    }
}
