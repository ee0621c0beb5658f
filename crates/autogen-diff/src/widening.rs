//! Which column type changes keep every value: the one small table that decides whether an
//! `AlterColumn` narrows. Anything not listed as a widening is treated as possibly lossy, because
//! a false "destructive" costs a reviewer a glance while a missed one costs data. This file
//! deliberately knows no dialect: it compares canonical IR types only.
//!
//! | from | to | widening when |
//! |---|---|---|
//! | `tinyint` / `smallint` / `integer` / `bigint` | a signed integer | same signedness and not smaller, or unsigned to a strictly larger signed type |
//! | unsigned integer | unsigned integer | not smaller |
//! | `real` | `double` | always |
//! | `decimal(p,s)` | `decimal(p2,s2)` | `s2 >= s` and `p2 - s2 >= p - s`; unbounded `decimal` takes anything |
//! | `char(n)` / `varchar(n)` | `char(m)` / `varchar(m)` | `m >= n`, or no length limit on the new side (a `char` only to `char`) |
//! | `char` / `varchar` / `text` / `enum` | `text` | always |
//! | `enum(values)` | `enum(values2)` | every old value is still in the new list |
//! | `jsonb` | `json` | always (`json` to `jsonb` drops duplicate keys, key order and spacing) |
//! | `T[]` | `U[]` | `T` to `U` widens |

use autogen_schema::ColumnType;

/// How a type change treats existing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeChange {
    /// Every old value fits the new type.
    Widening,
    /// Same family, less room: long strings, large numbers or digits do not fit.
    Narrowing(Family),
    /// A different family: values may not convert at all.
    Conversion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Text,
    Integer,
    Decimal,
    Float,
    Enum,
}

/// Classifies `from -> to` (callers only ask when the two differ).
pub(crate) fn classify(from: &ColumnType, to: &ColumnType) -> TypeChange {
    use ColumnType::*;
    let verdict = |widening: bool, family: Family| {
        if widening {
            TypeChange::Widening
        } else {
            TypeChange::Narrowing(family)
        }
    };
    if from == to {
        return TypeChange::Widening;
    }
    if let (Some((fs, fu)), Some((ts, tu))) = (int_size(from), int_size(to)) {
        let widening = match (fu, tu) {
            (false, false) | (true, true) => ts >= fs,
            (true, false) => ts > fs,
            (false, true) => false,
        };
        return verdict(widening, Family::Integer);
    }
    match (from, to) {
        (Real, Double) => TypeChange::Widening,
        (Double, Real) => TypeChange::Narrowing(Family::Float),
        (
            Decimal {
                precision: p1,
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let widening = match (p1, p2) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(p1), Some(p2)) => {
                    let (s1, s2) = (s1.unwrap_or(0), s2.unwrap_or(0));
                    s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1)
                }
            };
            verdict(widening, Family::Decimal)
        }
        (Char { .. } | Varchar { .. } | Enum { .. }, Text) => TypeChange::Widening,
        (Char { length: n }, Char { length: m })
        | (Char { length: n } | Varchar { length: n }, Varchar { length: m }) => {
            let widening = match (n, m) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(n), Some(m)) => m >= n,
            };
            verdict(widening, Family::Text)
        }
        (Text | Varchar { .. }, Char { .. } | Varchar { .. }) => {
            TypeChange::Narrowing(Family::Text)
        }
        (Enum { values: v1, .. }, Enum { values: v2, .. }) => {
            verdict(v1.iter().all(|v| v2.contains(v)), Family::Enum)
        }
        (Jsonb, Json) => TypeChange::Widening,
        (Array(a), Array(b)) => classify(a, b),
        _ => TypeChange::Conversion,
    }
}

/// `(size in bytes, unsigned)` of an integer type.
fn int_size(ty: &ColumnType) -> Option<(u8, bool)> {
    match ty {
        ColumnType::TinyInt { unsigned } => Some((1, *unsigned)),
        ColumnType::SmallInt { unsigned } => Some((2, *unsigned)),
        ColumnType::Integer { unsigned } => Some((4, *unsigned)),
        ColumnType::BigInt { unsigned } => Some((8, *unsigned)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType::*;

    fn varchar(n: u32) -> ColumnType {
        Varchar { length: Some(n) }
    }
    fn dec(p: u32, s: u32) -> ColumnType {
        Decimal {
            precision: Some(p),
            scale: Some(s),
        }
    }
    fn en(values: &[&str]) -> ColumnType {
        Enum {
            name: "mood".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn classifies_type_changes() {
        use Family as F;
        use TypeChange::*;
        let cases: Vec<(ColumnType, ColumnType, TypeChange)> = vec![
            (varchar(50), varchar(255), Widening),
            (varchar(255), varchar(50), Narrowing(F::Text)),
            (varchar(50), Text, Widening),
            (Text, varchar(50), Narrowing(F::Text)),
            (varchar(50), Varchar { length: None }, Widening),
            (Char { length: Some(3) }, varchar(3), Widening),
            (varchar(3), Char { length: Some(3) }, Narrowing(F::Text)),
            (
                Integer { unsigned: false },
                BigInt { unsigned: false },
                Widening,
            ),
            (
                BigInt { unsigned: false },
                Integer { unsigned: false },
                Narrowing(F::Integer),
            ),
            (
                SmallInt { unsigned: true },
                Integer { unsigned: false },
                Widening,
            ),
            (
                Integer { unsigned: true },
                Integer { unsigned: false },
                Narrowing(F::Integer),
            ),
            (
                Integer { unsigned: false },
                BigInt { unsigned: true },
                Narrowing(F::Integer),
            ),
            (Real, Double, Widening),
            (Double, Real, Narrowing(F::Float)),
            (dec(10, 2), dec(12, 2), Widening),
            (dec(10, 2), dec(12, 4), Widening),
            (dec(10, 2), dec(10, 4), Narrowing(F::Decimal)),
            (dec(10, 2), dec(9, 2), Narrowing(F::Decimal)),
            (
                dec(10, 2),
                Decimal {
                    precision: None,
                    scale: None,
                },
                Widening,
            ),
            (en(&["a", "b"]), en(&["a", "b", "c"]), Widening),
            (en(&["a", "b"]), en(&["b", "a"]), Widening),
            (en(&["a", "b"]), en(&["a"]), Narrowing(F::Enum)),
            (en(&["a"]), Text, Widening),
            (Text, Integer { unsigned: false }, Conversion),
            (Integer { unsigned: false }, Text, Conversion),
            (
                Timestamp {
                    with_time_zone: false,
                },
                Timestamp {
                    with_time_zone: true,
                },
                Conversion,
            ),
            (Other("x".into()), Other("y".into()), Conversion),
            (Jsonb, Json, Widening),
            (Json, Jsonb, Conversion),
            (
                Array(Box::new(Integer { unsigned: false })),
                Array(Box::new(BigInt { unsigned: false })),
                Widening,
            ),
            (
                Array(Box::new(Text)),
                Array(Box::new(varchar(5))),
                Narrowing(F::Text),
            ),
            (Text, Array(Box::new(Text)), Conversion),
        ];
        for (from, to, expected) in cases {
            assert_eq!(classify(&from, &to), expected, "{from} -> {to}");
        }
    }
}
