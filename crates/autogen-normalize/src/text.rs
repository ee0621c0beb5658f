//! The fallback key for text sqlparser cannot read: the text folding autogen used before
//! expressions were compared as parsed syntax. It never fails and never panics, so a
//! hand-written expression in a syntax the parser does not know still compares (by text) instead
//! of stopping autogenerate.

/// The folded-text key of an expression (the fallback of [`crate::expression_key`]).
///
/// Servers rewrite what they store: PostgreSQL prints `age >= 0 AND age < 200` back as
/// `((age >= 0) AND (age < 200))` and `email <> ''` as `((email)::text <> ''::text)`; MariaDB
/// quotes identifiers with backticks and lowercases keywords. The key folds those spellings
/// together: outside string literals it lowercases, drops parentheses, identifier quotes and
/// `::type` casts, and folds whitespace. It is a comparison key, never SQL to run. Unlike the
/// parsed key it is lossy for expressions that differ only in parenthesisation
/// (`a OR b AND c` versus `(a OR b) AND c`): that is the price of reading text no parser reads.
pub(crate) fn text_key(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending_space: &mut bool| {
        if *pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        *pending_space = false;
        out.push(c);
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                // A string literal, kept as written ('' escapes included).
                push(&mut out, '\'', &mut pending_space);
                i = copy_literal_rest(&chars, i + 1, &mut out);
                continue;
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                // A PostgreSQL cast: skip `::` and the type name (words, spaces between words of
                // a multi-word type, a parenthesised modifier, a trailing `[]`).
                i += 2;
                loop {
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    let start = i;
                    while i < chars.len()
                        && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '"' | '.'))
                    {
                        i += 1;
                    }
                    if i < chars.len() && chars[i] == '(' && i > start {
                        while i < chars.len() && chars[i] != ')' {
                            i += 1;
                        }
                        i += 1;
                    }
                    while i + 1 < chars.len() && chars[i] == '[' && chars[i + 1] == ']' {
                        i += 2;
                    }
                    // Multi-word types: `character varying`, `timestamp with time zone`.
                    let word: String = chars[start..i.min(chars.len())]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase();
                    let continues = matches!(
                        word.as_str(),
                        "character" | "double" | "timestamp" | "time" | "with" | "without"
                    ) && i < chars.len()
                        && chars[i] == ' ';
                    if !continues || start == i {
                        break;
                    }
                }
                continue;
            }
            '(' | ')' | '"' | '`' => {
                pending_space = true;
                i += 1;
                continue;
            }
            c if c.is_whitespace() => {
                pending_space = true;
                i += 1;
                continue;
            }
            c => {
                push(&mut out, c.to_ascii_lowercase(), &mut pending_space);
                i += 1;
            }
        }
    }
    tidy_spaces(&fold_operator_spellings(out.trim()))
}

/// Folds the spaces dropped parentheses leave behind, outside string literals: runs of spaces
/// become one, and none stays before `,` or `]` or after `[`. PostgreSQL's reprint of its own
/// reprint (`ARRAY[('a'::character varying)::text]` for `ARRAY['a'::character varying]`) then
/// keys the same.
fn tidy_spaces(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            out.push(c);
            i = copy_literal_rest(&chars, i + 1, &mut out);
            continue;
        }
        if c == ' ' {
            let next = chars[i..].iter().find(|c| **c != ' ');
            let after_open = out.ends_with(' ') || out.ends_with('[') || out.is_empty();
            if after_open || matches!(next, None | Some(',') | Some(']')) {
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The second half of [`text_key`], on text already lowercased and without parentheses
/// or casts: PostgreSQL's operator spellings back to the SQL a model author writes.
/// `x = any array[a, b]` is `x in a, b` (PostgreSQL stores `IN (...)` as `= ANY (ARRAY[...])`),
/// `<> all array[...]` is `not in`, `~~` / `~~*` are `like` / `ilike` (with `!` for `not`), and
/// `!=` is `<>`. String literals are copied untouched. `BETWEEN`, which PostgreSQL expands into
/// two comparisons, is not folded: write the comparisons in the model.
fn fold_operator_spellings(key: &str) -> String {
    const FOLDS: &[(&str, &str)] = &[
        ("= any array[", "in "),
        ("<> all array[", "not in "),
        ("!~~*", "not ilike"),
        ("~~*", "ilike"),
        ("!~~", "not like"),
        ("~~", "like"),
        ("!=", "<>"),
    ];
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    // Open `array[` brackets whose closing `]` is dropped with them.
    let mut open_arrays = 0usize;
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            out.push(c);
            i = copy_literal_rest(&chars, i + 1, &mut out);
            continue;
        }
        let rest = &chars[i..];
        let fold = FOLDS.iter().find(|(from, _)| {
            from.chars().count() <= rest.len() && from.chars().zip(rest).all(|(a, b)| a == *b)
        });
        if let Some((from, to)) = fold {
            out.push_str(to);
            if from.ends_with('[') {
                depth += 1;
                open_arrays = depth;
            }
            i += from.chars().count();
            continue;
        }
        match c {
            '[' => {
                depth += 1;
                out.push(c);
            }
            ']' => {
                if depth > 0 && depth == open_arrays {
                    open_arrays = 0;
                } else {
                    out.push(c);
                }
                depth = depth.saturating_sub(1);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Copies the rest of a `'...'` string literal whose opening quote is already in `out`, starting
/// at `chars[start]`: everything up to and including the closing quote, `''` escapes kept.
/// Returns the index after the literal. The folding passes below never touch literal text.
fn copy_literal_rest(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start;
    while i < chars.len() {
        out.push(chars[i]);
        i += 1;
        if chars[i - 1] == '\'' {
            if chars.get(i) == Some(&'\'') {
                out.push('\'');
                i += 1;
                continue;
            }
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keys_fold_server_spellings() {
        let same: &[(&str, &str)] = &[
            ("age >= 0 AND age < 200", "((age >= 0) AND (age < 200))"),
            ("email <> ''", "((email)::text <> ''::text)"),
            ("age >= 0", "`age` >= 0"),
            ("\"my col\" > 1", "(my col > 1)"),
            ("price > 0", "(price > (0)::numeric)"),
            (
                "kind IN ('admin', 'staff')",
                "((kind)::text = ANY ((ARRAY['admin'::character varying, 'staff'::character varying])::text[]))",
            ),
            ("n NOT IN (1, 2)", "(n <> ALL (ARRAY[1, 2]))"),
            ("email NOT LIKE '%@x'", "((email)::text !~~ '%@x'::text)"),
            ("email ILIKE 'a%'", "(email ~~* 'a%'::text)"),
            ("a != b", "(a <> b)"),
        ];
        for (a, b) in same {
            assert_eq!(text_key(a), text_key(b), "{a:?} vs {b:?}");
        }
        let different: &[(&str, &str)] = &[
            ("age >= 0", "age > 0"),
            ("name <> 'A'", "name <> 'a'"),
            ("x = 'it''s'", "x = 'its'"),
            ("x LIKE 'a%'", "x NOT LIKE 'a%'"),
            ("x = '~~'", "x = 'like'"),
        ];
        for (a, b) in different {
            assert_ne!(text_key(a), text_key(b), "{a:?} vs {b:?}");
        }
    }
}
