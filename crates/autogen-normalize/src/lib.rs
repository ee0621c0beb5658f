//! How each dialect's server prints expressions back, and which spellings are equal.
//!
//! Servers rewrite the expressions they store: PostgreSQL prints `qty IN (1,2,3)` back as
//! `(qty = ANY (ARRAY[1, 2, 3]))` and `price BETWEEN 0 AND 100` as two comparisons with casts;
//! MariaDB backquotes identifiers, lowercases keywords and turns `lower` into `lcase`. A model
//! written the way people write SQL must still compare equal to what the server kept.
//!
//! [`expression_key`] parses an expression with the maintained `sqlparser` crate (the parser of
//! the dialect at hand), folds the tree the way that server prints it (one module per dialect:
//! [`postgres`](crate::postgres), [`mysql`](crate::mysql), [`sqlite`](crate::sqlite); the folding
//! all three share is in `fold.rs`) and prints the folded tree as the key. Two expressions are
//! the same when their keys are equal. Because the tree carries precedence, parentheses fall away
//! without losing meaning: `(a OR b) AND c` and `a OR b AND c` get different keys. Text the parser
//! cannot read falls back to the older folded-text key (`text.rs`), so nothing panics and
//! nothing stops a comparison.
//!
//! The differ compares CHECK expressions, partial-index predicates, expression defaults and
//! generated-column expressions with these keys. A key is for comparing only, never SQL to run.

mod fold;
mod mysql;
pub mod objects;
mod postgres;
mod sqlite;
mod text;

use autogen_schema::{DefaultValue, Dialect};

/// The comparison key of a CHECK expression, index predicate or expression default written for
/// `dialect` (or for no dialect in particular: `None` folds like PostgreSQL, the strictest about
/// identifier case, and reads PostgreSQL's operator spellings too).
///
/// Equal keys mean the server treats the two expressions as the same. What is folded:
/// parentheses (the tree carries precedence), casts (servers add them to literals, columns and
/// function results: `(price >= (0)::numeric)`), identifier quotes and case as the dialect
/// treats them, keyword and function-name case, number spellings (`0.50` = `0.5`, `1e3` =
/// `1000`), `x = ANY (ARRAY[..])` = `x IN (..)`, `<> ALL` = `NOT IN`, a one-element `IN` = `=`,
/// `~~` = `LIKE`, `!=` = `<>`, `BETWEEN` = the two comparisons PostgreSQL expands it to, typed
/// strings (`interval '1 day'`) = the cast literal (`'1 day'::interval`), `NOT (x IS NULL)` =
/// `x IS NOT NULL`, chains of `AND` / `OR` however they are grouped, `now()` =
/// `CURRENT_TIMESTAMP`, and each dialect's own synonyms (MariaDB's `lcase`, `curdate()`, `1` for
/// `TRUE`). String literal contents are never folded.
pub fn expression_key(dialect: impl Into<Option<Dialect>>, text: &str) -> String {
    let dialect = dialect.into();
    match fold::parsed_key(rules(dialect), text) {
        Some(key) => key,
        // A different prefix, so that a folded-text key never equals a parsed one by accident.
        None => format!("text: {}", text::text_key(text)),
    }
}

/// Whether two expressions are the same for `dialect` (see [`expression_key`]). Equal text is
/// the same without parsing.
pub fn same_expression(dialect: impl Into<Option<Dialect>>, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let rules = rules(dialect.into());
    match (fold::parsed_key(rules, a), fold::parsed_key(rules, b)) {
        (Some(a), Some(b)) => a == b,
        // One side or both the parser cannot read: a parsed key never equals a folded-text one,
        // so compare both sides by the folded-text key instead (one spelling may parse where
        // the other does not, e.g. a column named like a keyword that only the server quotes).
        _ => text::text_key(a) == text::text_key(b),
    }
}

/// The comparison key of a column default. Literal defaults are keyed by their SQL spelling, so
/// a model's `'[]'::jsonb` (an expression) and the `'[]'` a database reports (a string) are the
/// same, and so are `now()` and `CURRENT_TIMESTAMP`; an array constructor of constants is keyed
/// as the array literal PostgreSQL prints for it (`ARRAY[]::text[]` = `'{}'::text[]`).
pub fn default_key(dialect: impl Into<Option<Dialect>>, default: &DefaultValue) -> String {
    let dialect = dialect.into();
    match default {
        DefaultValue::Expression(e) => match fold::parsed_default_key(rules(dialect), e) {
            Some(key) => key,
            None => format!("text: {}", text::text_key(e)),
        },
        other => expression_key(dialect, &other.to_string()),
    }
}

/// Whether two (optional) column defaults are the same for `dialect` (see [`default_key`]).
pub fn same_default(
    dialect: impl Into<Option<Dialect>>,
    a: Option<&DefaultValue>,
    b: Option<&DefaultValue>,
) -> bool {
    let dialect = dialect.into();
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || default_key(dialect, a) == default_key(dialect, b),
        _ => false,
    }
}

/// The identifiers an expression names, each folded the way `dialect` resolves it: column and
/// function names alike (the caller keeps the ones that name its columns). Text the tokenizer
/// cannot read names nothing. PostgreSQL derives an expression's collation from the columns it
/// reads, so the introspector uses this to tell an index key's implied collation from one
/// written on it.
pub fn identifiers(dialect: Dialect, text: &str) -> Vec<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let rules = rules(Some(dialect));
    let Ok(tokens) = Tokenizer::new(rules.parser(), text).tokenize() else {
        return Vec::new();
    };
    tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => {
                let mut ident = match w.quote_style {
                    Some(q) => sqlparser::ast::Ident::with_quote(q, w.value),
                    None => sqlparser::ast::Ident::new(w.value),
                };
                rules.fold_identifier(&mut ident);
                Some(ident.value)
            }
            _ => None,
        })
        .collect()
}

/// The functions an expression calls: each identifier followed by `(`, folded the way `dialect`
/// resolves it (a qualified name gives its last part). Keywords that open a parenthesis (`IN (`,
/// `CAST(`) are listed too, harmlessly: the caller looks for names it knows. Text the tokenizer
/// cannot read calls nothing. The differ uses this to find the CHECKs and defaults that call a
/// function it drops.
pub fn called_functions(dialect: Dialect, text: &str) -> Vec<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let rules = rules(Some(dialect));
    let Ok(tokens) = Tokenizer::new(rules.parser(), text).tokenize() else {
        return Vec::new();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    tokens
        .windows(2)
        .filter_map(|pair| match pair {
            [Token::Word(w), Token::LParen] => {
                let mut ident = match w.quote_style {
                    Some(q) => sqlparser::ast::Ident::with_quote(q, w.value.clone()),
                    None => sqlparser::ast::Ident::new(w.value.clone()),
                };
                rules.fold_identifier(&mut ident);
                Some(ident.value)
            }
            _ => None,
        })
        .collect()
}

/// What one dialect's server does to the expressions it stores. Implemented once per dialect;
/// [`rules`] is the one place that matches on the dialect.
pub(crate) trait Rules: Sync {
    /// The sqlparser dialect that reads this server's expressions.
    fn parser(&self) -> &dyn sqlparser::dialect::Dialect;

    /// Folds an identifier (a column or function name) the way the server resolves it: the
    /// result is compared exactly.
    fn fold_identifier(&self, ident: &mut sqlparser::ast::Ident);

    /// The name the server prints for a function name it treats as a synonym (`lcase` -> `lower`
    /// on MariaDB), given the folded lowercase name.
    fn function_synonym(&self, name: &str) -> Option<&'static str>;

    /// Rewrites one node (whose children are already folded) into the spelling the shared
    /// folding understands. Runs before the shared folds at every node.
    fn fold(&self, expr: &mut sqlparser::ast::Expr);
}

fn rules(dialect: Option<Dialect>) -> &'static dyn Rules {
    match dialect {
        Some(Dialect::Postgres) | None => &postgres::POSTGRES,
        Some(Dialect::Mysql) => &mysql::MYSQL,
        Some(Dialect::Sqlite) => &sqlite::SQLITE,
    }
}

#[cfg(test)]
mod tests;
