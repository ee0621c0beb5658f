//! The schema text form reads back what it writes: `parse_text(render_text(s))` is `s` (up to the
//! order of tables, enums and constraints, which the text sorts) for randomly built schemas that
//! use every IR field with hostile values (names with spaces, quotes and line breaks, raw types
//! spelled like known ones, defaults that look like keywords), and for every schema file under
//! `fixtures/`. The generator is a small seeded xorshift so that a failure names a seed to replay.

use std::path::{Path, PathBuf};

use autogen_schema::{
    parse_text, render_text, Check, Column, ColumnType, DefaultValue, EnumType, ForeignKey,
    Generated, Index, IndexColumn, PrimaryKey, ReferentialAction, Schema, Table, UniqueConstraint,
};
use autogen_schema::{Deferrable, Identity, IdentityKind};

/// Text pieces that sit on a boundary of the grammar; values are built from one to three.
const PIECES: &[&str] = &[
    "a",
    "users",
    "id",
    "Odd Name",
    "it's",
    "x\"y",
    "a,b",
    "(",
    ")",
    "()",
    "null",
    " not null",
    " null",
    "desc",
    " desc",
    "escaped \"q\"",
    "other \"x\"",
    "string \"s\"",
    "\n",
    "\t",
    "\r",
    "é",
    "\u{200b}",
    "\u{301}",
    "\\",
    "integer",
    "enum e('a')",
    "decimal(*,2)",
    "number",
    "#",
    "  ",
    " ",
    "CURRENT_DATE",
    "NULL",
    "1.5",
    "-0",
    "'",
    "`",
    "index",
    "unique",
    " using ",
    " where ",
    " default ",
    " comment ",
    " auto_increment",
    "lower(email)",
    "\u{1F600}",
    "\0",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, no dependency.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A plain identifier most of the time, a hostile string otherwise.
    fn text(&mut self) -> String {
        if self.chance(50) {
            return format!("n{}", self.below(1000));
        }
        (0..1 + self.below(3))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }

    fn opt_text(&mut self) -> Option<String> {
        self.chance(50).then(|| self.text())
    }

    fn texts(&mut self, max: usize) -> Vec<String> {
        (0..self.below(max + 1)).map(|_| self.text()).collect()
    }

    fn opt_u32(&mut self) -> Option<u32> {
        self.chance(70).then(|| self.below(400) as u32)
    }

    fn column_type(&mut self) -> ColumnType {
        let unsigned = self.chance(30);
        match self.below(21) {
            0 => ColumnType::Boolean,
            1 => ColumnType::TinyInt { unsigned },
            2 => ColumnType::SmallInt { unsigned },
            3 => ColumnType::Integer { unsigned },
            4 => ColumnType::BigInt { unsigned },
            5 => ColumnType::Real,
            6 => ColumnType::Double,
            7 => ColumnType::Decimal {
                precision: self.opt_u32(),
                scale: self.opt_u32(),
            },
            8 => ColumnType::Char {
                length: self.opt_u32(),
            },
            9 => ColumnType::Varchar {
                length: self.opt_u32(),
            },
            10 => ColumnType::Text,
            11 => ColumnType::Blob,
            12 => ColumnType::Date,
            13 => ColumnType::Time,
            14 => ColumnType::Timestamp {
                with_time_zone: unsigned,
            },
            15 => ColumnType::Uuid,
            16 => ColumnType::Json,
            17 => ColumnType::Enum {
                name: self.text(),
                values: self.texts(3),
            },
            18 if self.chance(50) => ColumnType::Set {
                values: self.texts(3),
            },
            19 => ColumnType::Jsonb,
            // An array's element is never itself an array.
            20 => match self.column_type() {
                ColumnType::Array(element) => ColumnType::Array(element),
                element => ColumnType::Array(Box::new(element)),
            },
            _ => ColumnType::Other(self.text()),
        }
    }

    fn default_value(&mut self) -> DefaultValue {
        match self.below(9) {
            0 => DefaultValue::Null,
            1 => DefaultValue::Boolean(self.chance(50)),
            2 if self.chance(50) => DefaultValue::Number(format!("-{}.5", self.below(99))),
            2 => DefaultValue::Number(self.text()),
            3 => DefaultValue::String(self.text()),
            4 => DefaultValue::CurrentTimestamp,
            5 => DefaultValue::CurrentDate,
            6 => DefaultValue::CurrentTime,
            _ => DefaultValue::Expression(self.text()),
        }
    }

    fn deferrable(&mut self) -> Deferrable {
        [
            Deferrable::NotDeferrable,
            Deferrable::Immediate,
            Deferrable::Deferred,
        ][self.below(3)]
    }

    fn action(&mut self) -> ReferentialAction {
        [
            ReferentialAction::NoAction,
            ReferentialAction::Restrict,
            ReferentialAction::Cascade,
            ReferentialAction::SetNull,
            ReferentialAction::SetDefault,
        ][self.below(5)]
    }

    fn table(&mut self) -> Table {
        let mut t = Table::new(self.text());
        t.comment = self.opt_text();
        t.options = autogen_schema::TableOptions {
            strict: self.chance(20),
            without_rowid: self.chance(20),
            engine: self.opt_text(),
            row_format: self.opt_text(),
            key_block_size: self.chance(20).then(|| self.below(64) as u32),
            charset: self.opt_text(),
            collation: self.opt_text(),
        };
        t.columns = (0..1 + self.below(5))
            .map(|_| Column {
                name: self.text(),
                ty: self.column_type(),
                nullable: self.chance(50),
                default: self.chance(50).then(|| self.default_value()),
                auto_increment: self.chance(20),
                identity: None,
                collation: self.opt_text(),
                generated: self.chance(30).then(|| Generated {
                    expression: self.text(),
                    stored: self.chance(50),
                }),
                on_update_current_timestamp: self.chance(10),
                comment: self.opt_text(),
                declared: Default::default(),
            })
            .collect();
        // The declared form is written only after `auto_increment`.
        for c in &mut t.columns {
            if c.auto_increment && self.chance(50) {
                c.identity = Some(Identity {
                    kind: [
                        IdentityKind::Serial,
                        IdentityKind::Always,
                        IdentityKind::ByDefault,
                    ][self.below(3)],
                    start: self.chance(50).then(|| self.below(1000) as i64 - 500),
                    increment: self.chance(50).then(|| self.below(20) as i64 - 10),
                });
            }
        }
        t.primary_key = self.chance(70).then(|| PrimaryKey {
            name: self.opt_text(),
            columns: self.texts(2),
        });
        t.indexes = (0..self.below(3))
            .map(|_| Index {
                name: self.text(),
                columns: (0..self.below(3))
                    .map(|_| IndexColumn {
                        name: self.text(),
                        descending: self.chance(30),
                        expression: self.chance(30),
                        prefix_length: self.chance(20).then(|| self.below(400) as u32),
                        opclass: self.chance(20).then(|| self.text()),
                        nulls_first: self.chance(20).then(|| self.chance(50)),
                        collation: self.chance(20).then(|| self.text()),
                    })
                    .collect(),
                unique: self.chance(40),
                method: self.opt_text(),
                predicate: self.opt_text(),
                include: if self.chance(30) {
                    self.texts(2)
                } else {
                    Vec::new()
                },
                nulls_not_distinct: self.chance(20),
                comment: self.chance(20).then(|| self.text()),
            })
            .collect();
        t.unique_constraints = (0..self.below(3))
            .map(|_| UniqueConstraint {
                name: self.opt_text(),
                columns: self.texts(2),
                deferrable: self.deferrable(),
            })
            .collect();
        t.foreign_keys = (0..self.below(3))
            .map(|_| ForeignKey {
                name: self.opt_text(),
                columns: self.texts(2),
                referenced_table: self.text(),
                referenced_columns: self.texts(2),
                on_delete: self.action(),
                on_update: self.action(),
                deferrable: self.deferrable(),
            })
            .collect();
        t.checks = (0..self.below(3))
            .map(|_| Check {
                name: self.opt_text(),
                expression: self.text(),
            })
            .collect();
        t
    }

    fn schema(&mut self) -> Schema {
        Schema {
            tables: (0..self.below(4)).map(|_| self.table()).collect(),
            enums: (0..self.below(3))
                .map(|_| EnumType {
                    name: self.text(),
                    values: self.texts(3),
                })
                .collect(),
            objects: Vec::new(),
        }
    }
}

/// `s` with every order that carries no meaning made canonical (columns keep theirs).
fn sorted(s: &Schema) -> Schema {
    fn by_debug<T: std::fmt::Debug>(v: &mut [T]) {
        v.sort_by_key(|x| format!("{x:?}"));
    }
    let mut s = s.clone();
    for t in &mut s.tables {
        by_debug(&mut t.indexes);
        by_debug(&mut t.unique_constraints);
        by_debug(&mut t.foreign_keys);
        by_debug(&mut t.checks);
    }
    by_debug(&mut s.tables);
    by_debug(&mut s.enums);
    s
}

#[test]
fn random_schemas_read_back_from_their_text() {
    for seed in 1..=3000u64 {
        let schema = Rng(seed).schema();
        let text = render_text(&schema);
        let back = match parse_text(&text) {
            Ok(back) => back,
            Err(e) => panic!("seed {seed}: {e}\n--- text ---\n{text}"),
        };
        assert_eq!(
            sorted(&back),
            sorted(&schema),
            "seed {seed} does not read back\n--- text ---\n{text}"
        );
        assert_eq!(render_text(&back), text, "seed {seed}: text is not stable");
    }
}

#[test]
fn every_line_of_the_text_is_one_line() {
    for seed in 1..=500u64 {
        let text = render_text(&Rng(seed).schema());
        for line in text.lines() {
            assert!(
                line.chars().all(|c| !c.is_control()),
                "seed {seed}: control character in {line:?}"
            );
        }
    }
}

/// Mangled text (lines of a real rendering cut, joined and spliced with hostile pieces) is an
/// error or a schema, never a panic: fixture files are input.
#[test]
fn mangled_text_never_panics_the_parser() {
    for seed in 1..=3000u64 {
        let mut rng = Rng(seed);
        let text = render_text(&rng.schema());
        let mut mangled = String::new();
        for line in text.lines() {
            let cut = rng.below(line.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|i| line.is_char_boundary(*i))
                .unwrap_or(0);
            match rng.below(4) {
                0 => mangled.push_str(&line[..cut]),
                1 => {
                    mangled.push_str(&line[..cut]);
                    mangled.push_str(PIECES[rng.below(PIECES.len())]);
                    mangled.push_str(&line[cut..]);
                }
                _ => mangled.push_str(line),
            }
            if rng.chance(90) {
                mangled.push('\n');
            }
        }
        // Either answer is fine; reaching the next seed is the test.
        let _ = parse_text(&mangled);
    }
}

/// The schema files under `dir`: every `.txt` file a fixture kind writes in the text form
/// (not `renames.txt`, `notes.txt` or the diff cases' `expected.txt`, which list changes).
fn schema_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let in_diff = path.components().any(|c| c.as_os_str() == "diff");
        if path.is_dir() {
            schema_files(&path, out);
        } else if match file.as_deref() {
            Some("from.txt" | "to.txt" | "models.txt") => true,
            Some("renames.txt" | "notes.txt") => false,
            Some(f) => f.ends_with(".txt") && !in_diff,
            None => false,
        } {
            out.push(path);
        }
    }
}

/// Every schema file of the diff, introspection, canonicalisation and render fixtures parses,
/// and its parsed schema reads back from its own rendering.
#[test]
fn every_fixture_schema_reads_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for kind in ["diff", "introspect", "canonicalize", "render"] {
        schema_files(&root.join(kind), &mut files);
    }
    files.sort();
    assert!(files.len() >= 30, "found only {} schema files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let schema = match parse_text(&text) {
            Ok(s) => s,
            Err(e) => panic!("{}:{e}", path.display()),
        };
        let back = parse_text(&render_text(&schema));
        assert_eq!(
            back.map(|s| sorted(&s)),
            Ok(sorted(&schema)),
            "{}",
            path.display()
        );
    }
}
