//! The schema generator: a realistic set of model structs (8-20 columns of varied types, a
//! primary key, one to three secondary indexes some unique and multi-column, about one foreign
//! key per table, some CHECK constraints, defaults and NOT NULL), built deterministically from a
//! seed and written as model source files of [`STRUCTS_PER_FILE`] structs each.
//!
//! It produces two versions of the same models: `base` (what the bench loads into the database)
//! and `changed`, where about 1% of the tables differ (a column added, a column dropped, an
//! index added, a column made nullable), so autogenerate has something to find. The IR of either
//! version is whatever the model reader makes of the source: this file writes Rust text only and
//! never builds a [`autogen_schema::Schema`] itself, so the bench cannot drift from the reader.
//! Types that need care on one dialect are kept out of the places that would need it (no index
//! on `text`, `blob` or `json`; every foreign-key column indexed so MySQL does not add its own).

use std::fmt::Write as _;
use std::path::PathBuf;

/// How many structs each generated model file holds.
pub const STRUCTS_PER_FILE: usize = 50;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    pub tables: usize,
    pub seed: u64,
}

/// The kind of difference between the base and the changed models of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    AddColumn,
    DropColumn,
    AddIndex,
    MakeNullable,
}

/// Two versions of the generated models, as (relative path, source text) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// What the bench loads into the database.
    pub base: Vec<(PathBuf, String)>,
    /// What the project's model files hold: `base` with [`Generated::changed_tables`] altered.
    pub changed: Vec<(PathBuf, String)>,
    /// The tables that differ, with how, in table order.
    pub changed_tables: Vec<(String, ChangeKind)>,
}

/// Generates `options.tables` models (and the changed copy) from `options.seed`.
pub fn generate(options: GenOptions) -> Generated {
    let mut rng = Rng::new(options.seed);
    let tables: Vec<TableSpec> = (0..options.tables)
        .map(|i| TableSpec::random(i, &mut rng))
        .collect();
    let mut changed = tables.clone();
    let mut changed_tables = Vec::new();
    let count = (options.tables / 100).max(1).min(options.tables);
    let kinds = [
        ChangeKind::AddColumn,
        ChangeKind::DropColumn,
        ChangeKind::AddIndex,
        ChangeKind::MakeNullable,
    ];
    // Spread the changed tables evenly, starting at a seed-dependent offset (no tables: none).
    if let Some(step) = options.tables.checked_div(count) {
        let offset = rng.below(step.max(1));
        for k in 0..count {
            let i = offset + k * step;
            // Adding a column always applies; it stands in when a table offers nothing to
            // change the chosen way.
            let kind = [kinds[k % kinds.len()], ChangeKind::AddColumn]
                .into_iter()
                .find(|&kind| changed[i].apply(kind));
            if let Some(kind) = kind {
                changed_tables.push((changed[i].name.clone(), kind));
            }
        }
    }
    Generated {
        base: render_files(&tables),
        changed: render_files(&changed),
        changed_tables,
    }
}

/// A tiny deterministic PRNG (SplitMix64): the same seed gives the same schema on every machine
/// and every version of the dependencies.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const NOUNS: &[&str] = &[
    "orders",
    "users",
    "invoices",
    "items",
    "events",
    "accounts",
    "payments",
    "sessions",
    "products",
    "reviews",
    "shipments",
    "tickets",
    "projects",
    "tasks",
    "notes",
    "devices",
    "alerts",
    "teams",
    "budgets",
    "files",
];

/// One column kind: the name stem, the Rust type, whether an index may cover it, and the
/// attributes and CHECK it may carry.
struct Kind {
    stem: &'static str,
    ty: &'static str,
    indexable: bool,
    default: Option<&'static str>,
    /// A CHECK expression over the column, `{c}` standing for its name.
    check: Option<&'static str>,
    max_length: bool,
    decimal: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        stem: "qty",
        ty: "i32",
        indexable: true,
        default: Some("0"),
        check: Some("{c} >= 0"),
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "total",
        ty: "i64",
        indexable: true,
        default: Some("0"),
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "rank",
        ty: "i16",
        indexable: true,
        default: None,
        check: Some("{c} >= 0 AND {c} <= 1000"),
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "active",
        ty: "bool",
        indexable: true,
        default: Some("false"),
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "ratio",
        ty: "f64",
        indexable: false,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "score",
        ty: "f32",
        indexable: false,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "code",
        ty: "String",
        indexable: true,
        default: Some("'new'"),
        check: None,
        max_length: true,
        decimal: false,
    },
    Kind {
        stem: "label",
        ty: "String",
        indexable: true,
        default: None,
        check: None,
        max_length: true,
        decimal: false,
    },
    Kind {
        stem: "body",
        ty: "String",
        indexable: false,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "day",
        ty: "chrono::NaiveDate",
        indexable: true,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "created_at",
        ty: "chrono::DateTime<chrono::Utc>",
        indexable: true,
        default: Some("CURRENT_TIMESTAMP"),
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "seen_at",
        ty: "chrono::NaiveDateTime",
        indexable: true,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "price",
        ty: "rust_decimal::Decimal",
        indexable: true,
        default: None,
        check: Some("{c} >= 0"),
        max_length: false,
        decimal: true,
    },
    Kind {
        stem: "uid",
        ty: "uuid::Uuid",
        indexable: true,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "meta",
        ty: "serde_json::Value",
        indexable: false,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
    Kind {
        stem: "payload",
        ty: "Vec<u8>",
        indexable: false,
        default: None,
        check: None,
        max_length: false,
        decimal: false,
    },
];

#[derive(Debug, Clone)]
struct ColumnSpec {
    name: String,
    ty: String,
    nullable: bool,
    /// Field attributes, without the `#[model(...)]` wrapper.
    attrs: Vec<String>,
    indexable: bool,
    /// Covered by an index, a constraint or a check, or the key: left alone by changes.
    pinned: bool,
}

impl ColumnSpec {
    fn render(&self, out: &mut String) {
        if !self.attrs.is_empty() {
            let _ = writeln!(out, "    #[model({})]", self.attrs.join(", "));
        }
        if self.nullable {
            let _ = writeln!(out, "    pub {}: Option<{}>,", self.name, self.ty);
        } else {
            let _ = writeln!(out, "    pub {}: {},", self.name, self.ty);
        }
    }
}

#[derive(Debug, Clone)]
struct TableSpec {
    name: String,
    struct_name: String,
    columns: Vec<ColumnSpec>,
    /// Struct attributes (`index(...)`, `check(...)`), without the `#[model(...)]` wrapper.
    attrs: Vec<String>,
}

impl TableSpec {
    fn random(i: usize, rng: &mut Rng) -> TableSpec {
        let noun = noun_of(i);
        let name = table_name_of(i);
        let struct_name = format!("T{i:05}{}", capitalize(noun));
        let mut columns = Vec::new();
        let key_attrs = if rng.chance(90) {
            "primary_key, auto_increment"
        } else {
            "primary_key"
        };
        columns.push(ColumnSpec {
            name: "id".into(),
            ty: "i64".into(),
            nullable: false,
            attrs: vec![key_attrs.into()],
            indexable: false,
            pinned: true,
        });
        let mut indexes = 0;
        // About one foreign key per table, to an earlier table (so the graph has no cycles and
        // the load order is simply table order).
        if i > 0 && rng.chance(92) {
            let parent = i - 1 - rng.below(i.min(50));
            let nullable = rng.chance(25);
            let action = if nullable {
                "set_null"
            } else if rng.chance(50) {
                "cascade"
            } else {
                "restrict"
            };
            columns.push(ColumnSpec {
                name: "parent_id".into(),
                ty: "i64".into(),
                nullable,
                attrs: vec![
                    format!("references = \"{}.id\"", table_name_of(parent)),
                    format!("on_delete = \"{action}\""),
                    // MySQL creates an index for an unindexed foreign key by itself; an explicit
                    // one keeps the database and the models in agreement.
                    "index".into(),
                ],
                indexable: false,
                pinned: true,
            });
            indexes += 1;
        }
        let total = rng.range(8, 20);
        let mut n = 0;
        while columns.len() < total {
            n += 1;
            let kind = &KINDS[rng.below(KINDS.len())];
            let mut attrs = Vec::new();
            if kind.max_length {
                attrs.push(format!("max_length = {}", 8 * rng.range(2, 24)));
            }
            if kind.decimal {
                attrs.push("precision = 12, scale = 2".into());
            }
            let nullable = rng.chance(30);
            if let Some(d) = kind.default {
                if rng.chance(60) {
                    attrs.push(format!("default = \"{d}\""));
                }
            }
            columns.push(ColumnSpec {
                name: format!("{}_{n}", kind.stem),
                ty: kind.ty.into(),
                nullable,
                attrs,
                indexable: kind.indexable,
                pinned: false,
            });
        }
        let mut spec = TableSpec {
            name,
            struct_name,
            columns,
            attrs: Vec::new(),
        };
        // One to three secondary indexes in all, counting the foreign key's.
        let wanted = rng.range(1, 3).max(indexes);
        let mut candidates: Vec<usize> = (0..spec.columns.len())
            .filter(|&c| spec.columns[c].indexable)
            .collect();
        while indexes < wanted && !candidates.is_empty() {
            let a = candidates.remove(rng.below(candidates.len()));
            let multi = !candidates.is_empty() && rng.chance(40);
            let unique = rng.chance(35);
            if multi {
                let b = candidates.remove(rng.below(candidates.len()));
                let (ca, cb) = (&spec.columns[a].name, &spec.columns[b].name);
                let unique = if unique { ", unique" } else { "" };
                spec.attrs
                    .push(format!("index(columns(\"{ca}\", \"{cb}\"){unique})"));
                spec.columns[b].pinned = true;
            } else if unique {
                spec.columns[a].attrs.push("unique".into());
            } else {
                spec.columns[a].attrs.push("index".into());
            }
            spec.columns[a].pinned = true;
            indexes += 1;
        }
        if rng.chance(30) {
            let checkable = spec.columns.iter().position(|c| {
                !c.pinned
                    && KINDS
                        .iter()
                        .any(|k| c.name.starts_with(k.stem) && k.check.is_some())
            });
            if let Some(c) = checkable {
                let column = &mut spec.columns[c];
                let kind = KINDS
                    .iter()
                    .find(|k| column.name.starts_with(k.stem) && k.check.is_some());
                if let Some(expr) = kind.and_then(|k| k.check) {
                    spec.attrs.push(format!(
                        "check(expr = \"{}\")",
                        expr.replace("{c}", &column.name)
                    ));
                    column.pinned = true;
                }
            }
        }
        spec
    }

    /// Applies one change; false when the table offers nothing to change that way.
    fn apply(&mut self, kind: ChangeKind) -> bool {
        let free = |c: &ColumnSpec| !c.pinned;
        match kind {
            ChangeKind::AddColumn => {
                self.columns.push(ColumnSpec {
                    name: "added_note".into(),
                    ty: "String".into(),
                    nullable: true,
                    attrs: Vec::new(),
                    indexable: false,
                    pinned: true,
                });
                true
            }
            // A nullable column, so the downgrade can add it back on every dialect (SQLite
            // cannot add a NOT NULL column without a default to a table with rows).
            ChangeKind::DropColumn => {
                match self.columns.iter().rposition(|c| free(c) && c.nullable) {
                    Some(c) => {
                        self.columns.remove(c);
                        true
                    }
                    None => false,
                }
            }
            ChangeKind::AddIndex => {
                match self.columns.iter().position(|c| c.indexable && !c.pinned) {
                    Some(c) => {
                        self.columns[c].attrs.push("index".into());
                        self.columns[c].pinned = true;
                        true
                    }
                    None => false,
                }
            }
            ChangeKind::MakeNullable => {
                match self.columns.iter().position(|c| !c.pinned && !c.nullable) {
                    Some(c) => {
                        self.columns[c].nullable = true;
                        self.columns[c].pinned = true;
                        true
                    }
                    None => false,
                }
            }
        }
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "#[derive(Debug, Model)]");
        let _ = writeln!(out, "#[model(table = \"{}\")]", self.name);
        for a in &self.attrs {
            let _ = writeln!(out, "#[model({a})]");
        }
        let _ = writeln!(out, "pub struct {} {{", self.struct_name);
        for c in &self.columns {
            c.render(out);
        }
        let _ = writeln!(out, "}}\n");
    }
}

/// Table names depend on the position only, so a child can name its parent without looking it
/// up.
fn noun_of(i: usize) -> &'static str {
    NOUNS[i % NOUNS.len()]
}

fn table_name_of(i: usize) -> String {
    format!("t{i:05}_{}", noun_of(i))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn render_files(tables: &[TableSpec]) -> Vec<(PathBuf, String)> {
    tables
        .chunks(STRUCTS_PER_FILE)
        .enumerate()
        .map(|(k, chunk)| {
            let mut text = String::with_capacity(chunk.len() * 1200);
            text.push_str(
                "//! Generated by autogen-bench; do not edit.\n\nuse autogen::Model;\n\n",
            );
            for t in chunk {
                t.render(&mut text);
            }
            (PathBuf::from(format!("models/m{k:04}.rs")), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_diff::DiffOptions;
    use autogen_schema::{Dialect, NamingConvention, Schema};

    fn read(files: &[(PathBuf, String)]) -> Schema {
        match autogen_models::read_sources(files, &NamingConvention::default()) {
            Ok(set) => set.schema,
            Err(e) => panic!("generated models do not read back:\n{e}"),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_models_and_another_seed_does_not() {
        let a = generate(GenOptions {
            tables: 120,
            seed: 1,
        });
        let b = generate(GenOptions {
            tables: 120,
            seed: 1,
        });
        let c = generate(GenOptions {
            tables: 120,
            seed: 2,
        });
        assert_eq!(a, b);
        assert_ne!(a.base, c.base);
        // 50 structs per file.
        assert_eq!(a.base.len(), 3);
        assert_eq!(a.base[2].0, PathBuf::from("models/m0002.rs"));
    }

    #[test]
    fn generated_models_read_back_render_on_every_dialect_and_differ_only_where_changed() {
        let generated = generate(GenOptions {
            tables: 300,
            seed: 42,
        });
        let base = read(&generated.base);
        let changed = read(&generated.changed);
        assert_eq!(base.tables.len(), 300);
        assert_eq!(generated.changed_tables.len(), 3);

        let columns: Vec<usize> = base.tables.iter().map(|t| t.columns.len()).collect();
        assert!(
            columns.iter().all(|&n| (8..=20).contains(&n)),
            "{columns:?}"
        );
        assert!(base.tables.iter().all(|t| t.primary_key.is_some()));
        let with_fk = base
            .tables
            .iter()
            .filter(|t| !t.foreign_keys.is_empty())
            .count();
        assert!(with_fk > 250, "{with_fk} tables with a foreign key");
        assert!(base.tables.iter().any(|t| !t.checks.is_empty()));
        assert!(base.tables.iter().any(|t| !t.unique_constraints.is_empty()));
        assert!(base
            .tables
            .iter()
            .any(|t| t.indexes.iter().any(|i| i.unique && i.columns.len() == 2)));
        let secondary = |t: &autogen_schema::Table| t.indexes.len() + t.unique_constraints.len();
        assert!(base.tables.iter().all(|t| (1..=3).contains(&secondary(t))));

        for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let from = autogen_sql::canonicalize(dialect, &base);
            let to = autogen_sql::canonicalize(dialect, &changed);
            if let Err(e) = autogen_sql::render_create_schema(dialect, &from) {
                panic!("{dialect}: {e}");
            }
            let changes = match autogen_diff::diff(&from, &to, &DiffOptions::default()) {
                Ok(c) => c,
                Err(e) => panic!("{dialect}: {e}"),
            };
            let mut touched: Vec<&str> = changes.iter().filter_map(|c| c.table()).collect();
            touched.sort();
            touched.dedup();
            let mut expected: Vec<&str> = generated
                .changed_tables
                .iter()
                .map(|(t, _)| t.as_str())
                .collect();
            expected.sort();
            assert_eq!(touched, expected, "{dialect}");
            assert_eq!(changes.len(), expected.len(), "{dialect}: {changes:?}");
        }
    }
}
