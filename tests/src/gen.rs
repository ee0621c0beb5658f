//! The seeded generator of schema pairs for the randomized round trip: from one `u64` seed it
//! builds a starting schema A and a target schema B (as model source text, with B's renames
//! declared through `renamed_from`), plus rows to insert into A.
//!
//! Pairs are valid by construction rather than filtered afterwards: B is derived from A by
//! mutations that each keep the data loadable in both directions (added columns are nullable or
//! defaulted, types only widen, dropped columns can come back, foreign-key columns hold NULL).
//! The generator is dialect-aware only where a dialect cannot express something at all
//! ([`Limits`]); it never decides what the differ should output. It deliberately does not run
//! anything: the test in `tests/random_roundtrip.rs` does.

use std::collections::BTreeSet;

use autogen::schema::Dialect;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// A column type the generator can write as a Rust field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Bool,
    I16,
    I32,
    I64,
    U32,
    F32,
    F64,
    Text,
    Varchar(u32),
    Char1,
    Blob,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Uuid,
    Json,
    Decimal(u32, u32),
    /// Index into [`Spec::enums`].
    Enum(usize),
}

impl Ty {
    /// Types that may sit in a key, an index or a unique constraint on every dialect (MySQL
    /// cannot index TEXT/BLOB/JSON without a prefix length).
    fn indexable(&self) -> bool {
        matches!(
            self,
            Ty::I16 | Ty::I32 | Ty::I64 | Ty::U32 | Ty::Varchar(_) | Ty::Date | Ty::Char1
        )
    }

    fn integer(&self) -> bool {
        matches!(self, Ty::I16 | Ty::I32 | Ty::I64)
    }

    /// The widened type, when one exists that every dialect changes in place without loss.
    fn widened(&self) -> Option<Ty> {
        match self {
            Ty::I16 => Some(Ty::I32),
            Ty::I32 => Some(Ty::I64),
            Ty::Varchar(n) => Some(Ty::Varchar(n + 20)),
            _ => None,
        }
    }
}

/// One column.
#[derive(Debug, Clone)]
pub struct Col {
    pub name: String,
    pub ty: Ty,
    pub nullable: bool,
    /// SQL text for `default = "..."`.
    pub default: Option<String>,
    pub auto_increment: bool,
    pub renamed_from: Option<String>,
    /// Dropping it is undone by re-adding it to a table with rows: only if it was nullable or
    /// defaulted when it was created.
    pub droppable: bool,
    /// Added by B to a table that holds rows: it must stay nullable or defaulted.
    pub on_rows: bool,
    /// Nullable without a default when created, so re-adding it fills rows with NULL.
    pub nullable_without_default: bool,
    /// A foreign-key column (now or once): rows hold NULL there, so it never becomes NOT NULL.
    pub holds_nulls: bool,
}

/// A foreign key from one column to a single-column primary key.
#[derive(Debug, Clone)]
pub struct Fk {
    pub column: String,
    pub table: String,
    pub ref_column: String,
    pub on_delete: &'static str,
}

/// One table.
#[derive(Debug, Clone)]
pub struct Tbl {
    pub name: String,
    pub columns: Vec<Col>,
    pub pk: Vec<String>,
    pub indexes: Vec<Vec<String>>,
    pub uniques: Vec<Vec<String>>,
    /// Columns carrying `CHECK (col >= 0)`.
    pub checks: Vec<String>,
    pub fks: Vec<Fk>,
    pub renamed_from: Option<String>,
}

impl Tbl {
    pub fn col(&self, name: &str) -> Option<&Col> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A named enum type.
#[derive(Debug, Clone)]
pub struct EnumSpec {
    pub name: String,
    pub values: Vec<String>,
}

/// One schema, as the generator holds it before rendering it to models.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub tables: Vec<Tbl>,
    pub enums: Vec<EnumSpec>,
}

/// What a dialect cannot express at all, so the generator leaves it out.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum identifier length in bytes.
    pub max_ident: usize,
    /// MySQL/MariaDB: no index or unique key on a foreign-key column. MySQL uses such a key as
    /// the foreign key's own index and refuses to drop it, while implicit foreign-key indexes
    /// are still being settled in the introspector (helper B/J); left out until then.
    pub no_keys_on_foreign_keys: bool,
}

impl Limits {
    pub fn of(dialect: Dialect) -> Limits {
        match dialect {
            Dialect::Postgres => Limits {
                max_ident: 63,
                no_keys_on_foreign_keys: false,
            },
            Dialect::Mysql => Limits {
                max_ident: 64,
                no_keys_on_foreign_keys: true,
            },
            Dialect::Sqlite => Limits {
                max_ident: 63,
                no_keys_on_foreign_keys: false,
            },
        }
    }
}

/// A generated case: the two schemas and the seed.
#[derive(Debug, Clone)]
pub struct Pair {
    pub seed: u64,
    pub a: Spec,
    pub b: Spec,
}

/// Names that are awkward on purpose: reserved words, mixed case, spaces, quotes, non-ASCII.
const ODD_NAMES: &[&str] = &[
    "select",
    "order",
    "group",
    "user",
    "table",
    "from",
    "MixedCase",
    "has space",
    "it's",
    "say \"hi\"",
    "café",
    "naïve_ß",
    "Ünïcödé",
    "key",
    "index",
    "check",
    "default",
    "limit",
    "Upper",
    "x y z",
    "tab\tno",
    "semi;colon",
    "dash-ed",
    "back`tick",
];

/// A fresh name not yet in `taken` (compared case-insensitively: MySQL folds column case).
fn fresh_name(
    rng: &mut StdRng,
    taken: &mut BTreeSet<String>,
    prefix: &str,
    limits: Limits,
) -> String {
    for attempt in 0.. {
        let roll = rng.gen_range(0..10);
        let candidate = if roll < 3 && attempt < 5 {
            ODD_NAMES
                .choose(rng)
                .map(|s| s.to_string())
                .unwrap_or_default()
        } else if roll == 3 && attempt < 5 {
            // Exactly at the limit, so generated constraint names must be shortened.
            let mut s = format!("{prefix}_long_{}_", rng.gen_range(0..1000));
            while s.len() < limits.max_ident.min(63) {
                s.push(char::from(b'a' + rng.gen_range(0..26u8)));
            }
            s
        } else {
            format!("{prefix}{}", rng.gen_range(0..10_000))
        };
        // Tabs, semicolons and backticks: keep them rare and out of MySQL names entirely, where
        // a backtick inside a quoted name is legal but doubled, which we do not exercise here.
        if candidate.contains('\t') || candidate.contains('`') || candidate.contains(';') {
            continue;
        }
        if taken.insert(candidate.to_lowercase()) {
            return candidate;
        }
    }
    unreachable!("the loop returns")
}

fn pick_ty(rng: &mut StdRng, enums: usize) -> Ty {
    let all = [
        Ty::Bool,
        Ty::I16,
        Ty::I32,
        Ty::I64,
        Ty::U32,
        Ty::F32,
        Ty::F64,
        Ty::Text,
        Ty::Varchar(rng.gen_range(10..120)),
        Ty::Char1,
        Ty::Blob,
        Ty::Date,
        Ty::Time,
        Ty::Timestamp,
        Ty::TimestampTz,
        Ty::Uuid,
        Ty::Json,
        Ty::Decimal(rng.gen_range(6..18), rng.gen_range(0..4)),
    ];
    if enums > 0 && rng.gen_bool(0.1) {
        return Ty::Enum(rng.gen_range(0..enums));
    }
    all.choose(rng).cloned().unwrap_or(Ty::Text)
}

/// A default that every dialect accepts for `ty`, or `None` when the type takes none here.
fn default_for(rng: &mut StdRng, ty: &Ty, enums: &[EnumSpec]) -> Option<String> {
    Some(match ty {
        Ty::Bool => ["true", "false"].choose(rng)?.to_string(),
        Ty::I16 | Ty::I32 | Ty::I64 => ["0", "42", "-1"].choose(rng)?.to_string(),
        Ty::U32 => "7".to_string(),
        Ty::F64 | Ty::F32 => "1.5".to_string(),
        Ty::Varchar(_) => ["'x'", "''", "'it''s'"].choose(rng)?.to_string(),
        Ty::Char1 => "'c'".to_string(),
        Ty::Decimal(_, _) => "0".to_string(),
        Ty::Timestamp | Ty::TimestampTz => "CURRENT_TIMESTAMP".to_string(),
        Ty::Enum(i) => format!("'{}'", enums.get(*i)?.values.first()?.replace('\'', "''")),
        _ => return None,
    })
}

fn new_column(
    rng: &mut StdRng,
    taken: &mut BTreeSet<String>,
    enums: &[EnumSpec],
    limits: Limits,
) -> Col {
    let ty = pick_ty(rng, enums.len());
    let default = if rng.gen_bool(0.3) {
        default_for(rng, &ty, enums)
    } else {
        None
    };
    let nullable = rng.gen_bool(0.4);
    Col {
        name: fresh_name(rng, taken, "c", limits),
        droppable: nullable || default.is_some(),
        nullable_without_default: nullable && default.is_none(),
        holds_nulls: false,
        ty,
        nullable,
        default,
        auto_increment: false,
        renamed_from: None,
        on_rows: false,
    }
}

/// Builds a starting schema.
fn gen_a(rng: &mut StdRng, limits: Limits, table_names: &mut BTreeSet<String>) -> Spec {
    let mut spec = Spec::default();
    for _ in 0..rng.gen_range(0..3) {
        // Enum types share the table namespace: a PostgreSQL table is also a composite type.
        let name = fresh_name(rng, table_names, "e", limits);
        let mut values = BTreeSet::new();
        let values: Vec<String> = (0..rng.gen_range(2..5))
            .map(|_| fresh_name(rng, &mut values, "v", limits))
            .collect();
        spec.enums.push(EnumSpec { name, values });
    }
    let n = rng.gen_range(1..5);
    for _ in 0..n {
        let t = gen_table(rng, limits, table_names, &spec.enums);
        spec.tables.push(t);
    }
    // Foreign keys between existing tables (self references and cycles included).
    for _ in 0..rng.gen_range(0..4) {
        add_fk(rng, &mut spec, limits);
    }
    spec
}

fn gen_table(
    rng: &mut StdRng,
    limits: Limits,
    table_names: &mut BTreeSet<String>,
    enums: &[EnumSpec],
) -> Tbl {
    let name = fresh_name(rng, table_names, "t", limits);
    let mut taken = BTreeSet::new();
    let mut columns = Vec::new();
    let composite = rng.gen_bool(0.25);
    let mut pk = Vec::new();
    for _ in 0..if composite { 2 } else { 1 } {
        let ty = [Ty::I32, Ty::I64, Ty::Varchar(40)]
            .choose(rng)
            .cloned()
            .unwrap_or(Ty::I64);
        let name = fresh_name(rng, &mut taken, "id", limits);
        pk.push(name.clone());
        columns.push(Col {
            name,
            ty,
            nullable: false,
            default: None,
            auto_increment: false,
            renamed_from: None,
            droppable: false,
            on_rows: false,
            nullable_without_default: false,
            holds_nulls: false,
        });
    }
    if !composite && columns[0].ty == Ty::I64 && rng.gen_bool(0.3) {
        columns[0].auto_increment = true;
    }
    for _ in 0..rng.gen_range(0..5) {
        columns.push(new_column(rng, &mut taken, enums, limits));
    }
    let mut t = Tbl {
        name,
        columns,
        pk,
        indexes: Vec::new(),
        uniques: Vec::new(),
        checks: Vec::new(),
        fks: Vec::new(),
        renamed_from: None,
    };
    for _ in 0..rng.gen_range(0..3) {
        add_key(rng, &mut t, limits);
    }
    t
}

/// Adds an index, a unique constraint or a check on suitable columns, if any.
fn add_key(rng: &mut StdRng, t: &mut Tbl, limits: Limits) {
    let fk_columns: Vec<String> = t.fks.iter().map(|f| f.column.clone()).collect();
    let indexable: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !(limits.no_keys_on_foreign_keys && fk_columns.contains(&c.name)))
        // `index(columns("a desc"))` reads a space as the start of a sort direction, so a
        // name with a space cannot be an index key part in the model grammar.
        .filter(|c| c.ty.indexable() && !c.auto_increment && !c.name.contains(' '))
        .map(|c| c.name.clone())
        .collect();
    match rng.gen_range(0..3) {
        0 | 1 if !indexable.is_empty() => {
            let k = rng.gen_range(1..=indexable.len().min(2));
            let cols: Vec<String> = indexable.choose_multiple(rng, k).cloned().collect();
            // A column B added to a table with rows holds its default in every row: a unique
            // key made only of such columns collides (seed 44320 on MariaDB), so it becomes a
            // plain index. The draws stay as they were, so other seeds replay.
            let collides = cols.iter().all(|n| {
                t.columns
                    .iter()
                    .any(|c| &c.name == n && c.on_rows && c.default.is_some())
            });
            let list = if rng.gen_bool(0.5) || collides {
                &mut t.indexes
            } else {
                &mut t.uniques
            };
            if !list.contains(&cols) && cols != t.pk {
                list.push(cols);
            }
        }
        _ => {
            // Checks only on integer columns with plain names: the expression is SQL text the
            // model writes once for every dialect, and quoting differs between them.
            let plain: Vec<String> = t
                .columns
                .iter()
                // MariaDB refuses a CHECK on an AUTO_INCREMENT column.
                .filter(|c| c.ty.integer() && !c.auto_increment)
                // MariaDB refuses a CHECK on a column of a foreign key with a referential action.
                .filter(|c| !(limits.no_keys_on_foreign_keys && c.holds_nulls))
                .filter(|c| is_plain(&c.name) && !t.checks.contains(&c.name))
                .map(|c| c.name.clone())
                .collect();
            if let Some(c) = plain.choose(rng) {
                t.checks.push(c.clone());
            }
        }
    }
}

/// The names a new column of `t` must not take: its columns' names and the names they were
/// renamed from (a declared rename whose source the model still declares is an error).
fn column_names(t: &Tbl) -> BTreeSet<String> {
    t.columns
        .iter()
        .flat_map(|c| std::iter::once(&c.name).chain(c.renamed_from.as_ref()))
        .map(|n| n.to_lowercase())
        .collect()
}

fn is_plain(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && ![
            "select", "order", "group", "user", "table", "from", "key", "index", "check",
            "default", "limit",
        ]
        .contains(&name)
}

/// Adds a nullable foreign-key column referencing some table's single-column primary key.
fn add_fk(rng: &mut StdRng, spec: &mut Spec, limits: Limits) {
    let targets: Vec<(String, Col)> = spec
        .tables
        .iter()
        .filter(|t| t.pk.len() == 1)
        .filter_map(|t| Some((t.name.clone(), t.col(&t.pk[0])?.clone())))
        .collect();
    let Some((target, pk_col)) = targets.choose(rng).cloned() else {
        return;
    };
    let i = rng.gen_range(0..spec.tables.len());
    let t = &mut spec.tables[i];
    let mut taken = column_names(t);
    let name = fresh_name(rng, &mut taken, "fk", limits);
    t.columns.push(Col {
        name: name.clone(),
        ty: pk_col.ty.clone(),
        nullable: true,
        default: None,
        auto_increment: false,
        renamed_from: None,
        droppable: true,
        on_rows: false,
        nullable_without_default: true,
        holds_nulls: true,
    });
    t.fks.push(Fk {
        column: name,
        table: target,
        ref_column: pk_col.name.clone(),
        on_delete: ["no_action", "cascade", "set_null", "restrict"]
            .choose(rng)
            .copied()
            .unwrap_or("no_action"),
    });
}

/// Generates the pair for `seed` on a dialect with `limits`.
pub fn generate(seed: u64, limits: Limits) -> Pair {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut table_names = BTreeSet::new();
    let a = gen_a(&mut rng, limits, &mut table_names);
    let mut b = a.clone();
    for t in &mut b.tables {
        t.renamed_from = None;
        for c in &mut t.columns {
            c.renamed_from = None;
        }
    }
    for _ in 0..rng.gen_range(1..6) {
        mutate(&mut rng, &mut b, limits, &mut table_names);
    }
    Pair { seed, a, b }
}

/// One random edit of B that keeps A's rows loadable in both directions.
fn mutate(rng: &mut StdRng, b: &mut Spec, limits: Limits, table_names: &mut BTreeSet<String>) {
    let n = b.tables.len();
    match rng.gen_range(0..14) {
        0 => {
            let t = gen_table(rng, limits, table_names, &b.enums);
            b.tables.push(t);
        }
        1 if n > 1 => {
            let i = rng.gen_range(0..n);
            let gone = b.tables.remove(i);
            for t in &mut b.tables {
                t.fks.retain(|f| f.table != gone.name);
            }
        }
        2 if n > 0 => {
            // A declared table rename; references follow.
            let i = rng.gen_range(0..n);
            if b.tables[i].renamed_from.is_some() {
                return;
            }
            let old = b.tables[i].name.clone();
            let new = fresh_name(rng, table_names, "t", limits);
            b.tables[i].renamed_from = Some(old.clone());
            b.tables[i].name = new.clone();
            for t in &mut b.tables {
                for f in &mut t.fks {
                    if f.table == old {
                        f.table = new.clone();
                    }
                }
            }
        }
        3 | 4 if n > 0 => {
            let i = rng.gen_range(0..n);
            let mut taken = column_names(&b.tables[i]);
            let mut c = new_column(rng, &mut taken, &b.enums, limits);
            if !c.nullable && c.default.is_none() {
                c.nullable = true;
            }
            c.on_rows = true;
            c.droppable = true;
            b.tables[i].columns.push(c);
        }
        5 if n > 0 => {
            // Drop a column that can come back on a table with rows (nullable or defaulted).
            let i = rng.gen_range(0..n);
            let t = &b.tables[i];
            let candidates: Vec<String> = t
                .columns
                .iter()
                // Re-adding a column gives every row its default: a column that can sit in a
                // unique key must come back as NULLs (which never collide) instead.
                .filter(|c| c.droppable && !t.pk.contains(&c.name))
                .filter(|c| !c.ty.indexable() || c.nullable_without_default || c.on_rows)
                .filter(|c| c.renamed_from.is_none())
                .map(|c| c.name.clone())
                .collect();
            if let Some(name) = candidates.choose(rng).cloned() {
                let t = &mut b.tables[i];
                t.columns.retain(|c| c.name != name);
                t.indexes.retain(|ix| !ix.contains(&name));
                t.uniques.retain(|ix| !ix.contains(&name));
                t.checks.retain(|c| c != &name);
                t.fks.retain(|f| f.column != name);
            }
        }
        6 if n > 0 => {
            // A declared column rename; keys, indexes, checks and references follow.
            let i = rng.gen_range(0..n);
            let names: Vec<String> = b.tables[i]
                .columns
                .iter()
                .filter(|c| c.renamed_from.is_none())
                .map(|c| c.name.clone())
                .collect();
            let Some(old) = names.choose(rng).cloned() else {
                return;
            };
            let mut taken = column_names(&b.tables[i]);
            let mut new = fresh_name(rng, &mut taken, "r", limits);
            // An index key part cannot hold a space in the model grammar (see `add_key`).
            if b.tables[i].indexes.iter().flatten().any(|c| *c == old) {
                while new.contains(' ') {
                    new = fresh_name(rng, &mut taken, "r", limits);
                }
            }
            let table = b.tables[i].name.clone();
            let t = &mut b.tables[i];
            let ren = |s: &mut String| {
                if *s == old {
                    *s = new.clone();
                }
            };
            for c in &mut t.columns {
                if c.name == old {
                    c.name = new.clone();
                    c.renamed_from = Some(old.clone());
                }
            }
            t.pk.iter_mut().for_each(ren);
            t.indexes.iter_mut().flatten().for_each(ren);
            t.uniques.iter_mut().flatten().for_each(ren);
            t.checks.iter_mut().for_each(ren);
            for f in &mut t.fks {
                ren(&mut f.column);
            }
            if !is_plain(&new) {
                t.checks.retain(|c| c != &new);
            }
            for t in &mut b.tables {
                for f in &mut t.fks {
                    if f.table == table && f.ref_column == old {
                        f.ref_column = new.clone();
                    }
                }
            }
        }
        7 if n > 0 => {
            // Nullability flips; rows never hold NULL outside foreign-key columns.
            let i = rng.gen_range(0..n);
            let t = &mut b.tables[i];
            let pk = t.pk.clone();
            if let Some(c) = t
                .columns
                .iter_mut()
                .filter(|c| !pk.contains(&c.name) && !c.holds_nulls && c.renamed_from.is_none())
                .collect::<Vec<_>>()
                .choose_mut(rng)
            {
                if !(c.on_rows && c.nullable && c.default.is_none()) {
                    c.nullable = !c.nullable;
                }
            }
        }
        8 if n > 0 => {
            // A default added, changed or removed.
            let i = rng.gen_range(0..n);
            let enums = b.enums.clone();
            let t = &mut b.tables[i];
            let pk = t.pk.clone();
            let mut cols: Vec<&mut Col> = t
                .columns
                .iter_mut()
                .filter(|c| !pk.contains(&c.name) && !c.holds_nulls)
                .collect();
            if let Some(c) = cols.choose_mut(rng) {
                let keep = c.on_rows && !c.nullable;
                c.default = if c.default.is_some() && rng.gen_bool(0.5) && !keep {
                    None
                } else {
                    default_for(rng, &c.ty, &enums)
                };
            }
        }
        9 if n > 0 => {
            // A type widened (never on keys or referenced columns).
            let i = rng.gen_range(0..n);
            let referenced: BTreeSet<(String, String)> = b
                .tables
                .iter()
                .flat_map(|t| {
                    t.fks
                        .iter()
                        .map(|f| (f.table.clone(), f.ref_column.clone()))
                })
                .collect();
            let t = &mut b.tables[i];
            let keyed: BTreeSet<String> =
                t.pk.iter()
                    .chain(t.fks.iter().map(|f| &f.column))
                    .cloned()
                    .collect();
            let tname = t.name.clone();
            let mut cols: Vec<&mut Col> = t
                .columns
                .iter_mut()
                .filter(|c| {
                    !keyed.contains(&c.name)
                        && !referenced.contains(&(tname.clone(), c.name.clone()))
                })
                .filter(|c| c.ty.widened().is_some())
                .collect();
            if let Some(c) = cols.choose_mut(rng) {
                if let Some(w) = c.ty.widened() {
                    c.ty = w;
                }
            }
        }
        10 if n > 0 => {
            let i = rng.gen_range(0..n);
            add_key(rng, &mut b.tables[i], limits);
        }
        11 if n > 0 => {
            let i = rng.gen_range(0..n);
            let t = &mut b.tables[i];
            match rng.gen_range(0..3) {
                0 if !t.indexes.is_empty() => {
                    let k = rng.gen_range(0..t.indexes.len());
                    t.indexes.remove(k);
                }
                1 if !t.uniques.is_empty() => {
                    let k = rng.gen_range(0..t.uniques.len());
                    t.uniques.remove(k);
                }
                _ if !t.checks.is_empty() => {
                    let k = rng.gen_range(0..t.checks.len());
                    t.checks.remove(k);
                }
                _ => {}
            }
        }
        12 => add_fk(rng, b, limits),
        13 if !b.enums.is_empty() => {
            // An enum value added at the end, or a value other than the first (which rows use)
            // removed.
            let i = rng.gen_range(0..b.enums.len());
            let e = &mut b.enums[i];
            if rng.gen_bool(0.5) || e.values.len() < 3 {
                let mut taken: BTreeSet<String> =
                    e.values.iter().map(|v| v.to_lowercase()).collect();
                e.values.push(fresh_name(rng, &mut taken, "v", limits));
            } else {
                let k = rng.gen_range(1..e.values.len());
                e.values.remove(k);
            }
        }
        _ => {}
    }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn rust_ty(ty: &Ty, enums: &[EnumSpec]) -> String {
    let _ = enums;
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I16 => "i16".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::U32 => "u32".into(),
        Ty::F32 => "f32".into(),
        Ty::F64 => "f64".into(),
        Ty::Text | Ty::Varchar(_) => "String".into(),
        Ty::Char1 => "char".into(),
        Ty::Blob => "Vec<u8>".into(),
        Ty::Date => "chrono::NaiveDate".into(),
        Ty::Time => "chrono::NaiveTime".into(),
        Ty::Timestamp => "chrono::NaiveDateTime".into(),
        Ty::TimestampTz => "chrono::DateTime<chrono::Utc>".into(),
        Ty::Uuid => "uuid::Uuid".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::Decimal(_, _) => "rust_decimal::Decimal".into(),
        Ty::Enum(i) => format!("E{i}"),
    }
}

/// Renders a schema as model source text.
pub fn models_source(spec: &Spec) -> String {
    let mut out = String::from("use autogen::{Enum, Model};\n");
    for (i, e) in spec.enums.iter().enumerate() {
        out.push_str(&format!(
            "\n#[derive(Enum)]\n#[model(name = {})]\npub enum E{i} {{\n",
            lit(&e.name)
        ));
        for (k, v) in e.values.iter().enumerate() {
            out.push_str(&format!("    #[model(rename = {})]\n    V{k},\n", lit(v)));
        }
        out.push_str("}\n");
    }
    for (i, t) in spec.tables.iter().enumerate() {
        out.push_str("\n#[derive(Model)]\n");
        let mut head = format!("table = {}", lit(&t.name));
        if let Some(r) = &t.renamed_from {
            head.push_str(&format!(", renamed_from = {}", lit(r)));
        }
        out.push_str(&format!("#[model({head})]\n"));
        let cols = |cs: &[String]| cs.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", ");
        if t.pk.len() > 1 {
            out.push_str(&format!(
                "#[model(primary_key(columns({})))]\n",
                cols(&t.pk)
            ));
        }
        for ix in &t.indexes {
            out.push_str(&format!("#[model(index(columns({})))]\n", cols(ix)));
        }
        for u in &t.uniques {
            out.push_str(&format!("#[model(unique(columns({})))]\n", cols(u)));
        }
        for c in &t.checks {
            out.push_str(&format!(
                "#[model(check(expr = {}))]\n",
                lit(&format!("{c} >= 0"))
            ));
        }
        out.push_str(&format!("pub struct T{i} {{\n"));
        for (k, c) in t.columns.iter().enumerate() {
            let mut attrs = vec![format!("column = {}", lit(&c.name))];
            if t.pk.len() == 1 && t.pk[0] == c.name {
                attrs.push("primary_key".into());
            }
            if c.auto_increment {
                attrs.push("auto_increment".into());
            }
            match &c.ty {
                Ty::Varchar(n) => attrs.push(format!("max_length = {n}")),
                Ty::Decimal(p, s) => {
                    attrs.push(format!("precision = {p}"));
                    attrs.push(format!("scale = {s}"));
                }
                _ => {}
            }
            if let Some(d) = &c.default {
                attrs.push(format!("default = {}", lit(d)));
            }
            if let Some(f) = t.fks.iter().find(|f| f.column == c.name) {
                attrs.push(format!(
                    "references = {}",
                    lit(&format!("{}.{}", f.table, f.ref_column))
                ));
                attrs.push(format!("on_delete = {}", lit(f.on_delete)));
            }
            if let Some(r) = &c.renamed_from {
                attrs.push(format!("renamed_from = {}", lit(r)));
            }
            let ty = rust_ty(&c.ty, &spec.enums);
            let ty = if c.nullable {
                format!("Option<{ty}>")
            } else {
                ty
            };
            out.push_str(&format!(
                "    #[model({})]\n    pub f{k}: {ty},\n",
                attrs.join(", ")
            ));
        }
        out.push_str("}\n");
    }
    out
}

/// The rows inserted into A: two per table, every value distinct per row (so unique keys hold),
/// non-negative (so checks hold), foreign-key columns NULL (so any order and any cycle loads).
pub fn rows_sql(spec: &Spec, dialect: Dialect) -> Vec<String> {
    let q = |s: &str| autogen::sql::quote_ident(dialect, s);
    let mut out = Vec::new();
    for t in &spec.tables {
        for r in 0..2u32 {
            let mut names = Vec::new();
            let mut values = Vec::new();
            for c in &t.columns {
                names.push(q(&c.name));
                let v = if c.holds_nulls {
                    "NULL".to_string()
                } else {
                    value(&c.ty, r, dialect, &spec.enums)
                };
                values.push(v);
            }
            out.push(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                q(&t.name),
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    out
}

fn value(ty: &Ty, r: u32, dialect: Dialect, enums: &[EnumSpec]) -> String {
    let text = |s: &str| format!("'{}'", s.replace('\'', "''"));
    match ty {
        Ty::Bool => if r == 0 { "TRUE" } else { "FALSE" }.to_string(),
        Ty::I16 | Ty::I32 | Ty::I64 | Ty::U32 | Ty::Decimal(_, _) => (r + 1).to_string(),
        Ty::F32 | Ty::F64 => format!("{r}.5"),
        Ty::Text | Ty::Varchar(_) => text(&format!("v{r} it's")),
        Ty::Char1 => text(if r == 0 { "a" } else { "b" }),
        Ty::Blob => match dialect {
            Dialect::Postgres => format!("'\\x0{r}ff'"),
            _ => format!("X'0{r}ff'"),
        },
        Ty::Date => text(&format!("2024-01-0{}", r + 1)),
        Ty::Time => text(&format!("10:00:0{r}")),
        Ty::Timestamp | Ty::TimestampTz => text(&format!("2024-01-01 10:00:0{r}")),
        Ty::Uuid => text(&format!("00000000-0000-0000-0000-00000000000{r}")),
        Ty::Json => text(&format!("{{\"k\": {r}}}")),
        Ty::Enum(i) => text(
            enums
                .get(*i)
                .and_then(|e| e.values.first())
                .map_or("", String::as_str),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_deterministic_and_mostly_differ() {
        let limits = Limits::of(Dialect::Postgres);
        let mut differing = 0;
        for seed in 0..100 {
            let p = generate(seed, limits);
            let q = generate(seed, limits);
            assert_eq!(models_source(&p.a), models_source(&q.a));
            assert_eq!(models_source(&p.b), models_source(&q.b));
            if models_source(&p.a) != models_source(&p.b) {
                differing += 1;
            }
        }
        assert!(differing >= 80, "only {differing} of 100 pairs differ");
    }
}
