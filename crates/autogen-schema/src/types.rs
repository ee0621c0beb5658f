//! The IR types. Every type is plain data: `Debug + Clone + PartialEq + Eq`, public fields.

use std::fmt;

/// A whole database schema (one PostgreSQL schema, one MySQL database, one SQLite file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// Tables in declaration order (models) or name order (introspection).
    pub tables: Vec<Table>,
    /// Named enum types (PostgreSQL `CREATE TYPE ... AS ENUM`). Dialects whose enums are inline
    /// column types (MySQL) or absent (SQLite) leave this empty after canonicalisation.
    pub enums: Vec<EnumType>,
    /// Views, materialized views, triggers and functions, in declaration order (the SQL files)
    /// or kind-and-name order (introspection). See [`crate::SchemaObject`].
    pub objects: Vec<crate::SchemaObject>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name)
    }
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The table's key, by which changes, lookups and foreign keys name it: its name in the
    /// project's default schema, `schema.name` for a table in another PostgreSQL schema (see
    /// [`Table::schema`] and [`qualified_name`]).
    pub name: String,
    /// PostgreSQL: the schema the table lives in when it is not the project's default schema
    /// (`schemas` in autogen.toml); `name` then starts with it and a dot. `None` for tables of
    /// the default schema and on every other dialect, so single-schema schemas read as before.
    pub schema: Option<String>,
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// Secondary indexes, unique or not. Indexes that only back a primary key or a unique
    /// constraint are not listed here.
    pub indexes: Vec<Index>,
    pub unique_constraints: Vec<UniqueConstraint>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    pub comment: Option<String>,
    /// Table options (SQLite `STRICT`/`WITHOUT ROWID`, MySQL engine, row format, charset...).
    pub options: TableOptions,
}

/// A table's options. The SQLite flags are always compared (a model that does not say `strict`
/// means a table that is not STRICT). Each MySQL option is `None` when not declared; the differ
/// compares one only when the desired side declares it, so a server's default engine or
/// character set never shows as drift against models that do not mention it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// SQLite `STRICT`: column types are enforced.
    pub strict: bool,
    /// SQLite `WITHOUT ROWID`: the table is stored in its primary key's order.
    pub without_rowid: bool,
    /// MySQL/MariaDB `ENGINE=` (`InnoDB`, `MyISAM`, ...), as the server names it.
    pub engine: Option<String>,
    /// MySQL/MariaDB `ROW_FORMAT=` when one is declared (`DYNAMIC`, `COMPRESSED`, ...), upper
    /// case.
    pub row_format: Option<String>,
    /// MySQL/MariaDB `KEY_BLOCK_SIZE=` when one is declared.
    pub key_block_size: Option<u32>,
    /// MySQL/MariaDB `DEFAULT CHARSET=`, the table's default character set (lowercase).
    pub charset: Option<String>,
    /// MySQL/MariaDB `COLLATE=`, the table's default collation (lowercase).
    pub collation: Option<String>,
}

impl TableOptions {
    /// True when no option is set: the table text shows no option lines.
    pub fn is_empty(&self) -> bool {
        *self == TableOptions::default()
    }
}

/// How one column was written in the database's own DDL (SQLite keeps CREATE TABLE as typed):
/// the declared type text and whether `NOT NULL` was written. Only read by renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredColumn {
    /// The declared type exactly as written (`DATETIME`, `INT`, empty for none).
    pub ty: String,
    /// `NOT NULL` was written (a primary-key column may be NOT NULL without it).
    pub not_null: bool,
    /// The default's SQL text as the database keeps it (`0.0`, `'x'`), when there is one.
    pub default: Option<String>,
}

/// A value kept to write SQL the way a database had it, never compared: `==` is always true, so
/// two schemas that differ only in hints are the same schema (the differ, the round trips and
/// the schema text all ignore it). `None` when nothing is known (models, other dialects).
#[derive(Debug, Clone)]
pub struct Hint<T>(pub Option<T>);

/// Nothing known, whatever `T` is (a derived `Default` would ask `T: Default`).
impl<T> Default for Hint<T> {
    fn default() -> Self {
        Hint(None)
    }
}

impl<T> PartialEq for Hint<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Hint<T> {}

/// The key of table `name` in `schema` (`None`: the default schema): `name`, or `schema.name`.
/// Keys keep the differ, the orderer and every lookup schema-blind: two tables of the same name
/// in two schemas simply have two keys.
pub fn qualified_name(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{s}.{name}"),
        None => name.to_string(),
    }
}

impl Table {
    /// The table's name inside its schema: [`Table::name`] without the `schema.` prefix.
    pub fn bare_name(&self) -> &str {
        match &self.schema {
            Some(s) => self
                .name
                .strip_prefix(s.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .unwrap_or(&self.name),
            None => &self.name,
        }
    }

    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            ..Table::default()
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    /// The server-side default, canonicalised.
    pub default: Option<DefaultValue>,
    /// Identity / serial / AUTO_INCREMENT / SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`.
    pub auto_increment: bool,
    /// How an auto-increment column is declared where a dialect has several forms (PostgreSQL:
    /// identity ALWAYS or BY DEFAULT with its options, or `serial`). `None`: the dialect's
    /// default form. Meaningless unless `auto_increment` is set.
    pub identity: Option<Identity>,
    /// The column's collation when it is not the table's or database's default, as the server
    /// names it (`C`, `utf8mb4_bin`, `NOCASE`).
    pub collation: Option<String>,
    /// A generated (computed) column: its expression and whether it is stored.
    pub generated: Option<Generated>,
    /// MySQL/MariaDB `ON UPDATE CURRENT_TIMESTAMP`: the server sets the column to the current
    /// time whenever another column of the row changes.
    pub on_update_current_timestamp: bool,
    pub comment: Option<String>,
    /// How the database wrote the column, kept only so that SQL writing it again (a SQLite
    /// `ADD COLUMN` or table rebuild) writes it the same way. It travels with the column, so a
    /// change that adds, alters or drops the column (and that change's inverse) carries the
    /// spelling of the side it came from, and a renamed column keeps it. Never compared (see
    /// [`Hint`]).
    pub declared: Hint<DeclaredColumn>,
}

/// The declared form of an auto-increment column (see [`Column::identity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityKind,
    /// `START WITH`, when not 1.
    pub start: Option<i64>,
    /// `INCREMENT BY`, when not 1.
    pub increment: Option<i64>,
}

/// PostgreSQL's three ways of declaring an auto-increment column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// `GENERATED BY DEFAULT AS IDENTITY` (autogen's default).
    ByDefault,
    /// `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// `serial` / `bigserial` / `smallserial`: a sequence the column owns and a `nextval` default.
    Serial,
}

/// A generated column's definition (`GENERATED ALWAYS AS (expr) STORED | VIRTUAL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The expression, as written (models) or as the server prints it (databases).
    pub expression: String,
    /// `STORED` (computed on write) rather than `VIRTUAL` (computed on read).
    pub stored: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            auto_increment: false,
            identity: None,
            collation: None,
            generated: None,
            on_update_current_timestamp: false,
            comment: None,
            declared: Hint::default(),
        }
    }
}

/// A canonical column type. Dialect spellings (`int4`, `character varying`, `tinyint(1)`) are
/// mapped to these by the introspectors; what has no variant is kept as [`ColumnType::Other`]
/// holding the type as the database spells it, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Boolean,
    TinyInt {
        unsigned: bool,
    },
    SmallInt {
        unsigned: bool,
    },
    Integer {
        unsigned: bool,
    },
    BigInt {
        unsigned: bool,
    },
    /// 4-byte floating point.
    Real,
    /// 8-byte floating point.
    Double,
    Decimal {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Char {
        length: Option<u32>,
    },
    Varchar {
        length: Option<u32>,
    },
    Text,
    Blob,
    Date,
    Time,
    Timestamp {
        with_time_zone: bool,
    },
    Uuid,
    Json,
    /// PostgreSQL `jsonb` (binary JSON, indexable with GIN). Opt-in per field; MySQL and SQLite
    /// have one JSON type, so canonicalisation turns it into [`ColumnType::Json`] there.
    Jsonb,
    /// A PostgreSQL array of the element type (`text[]`). PostgreSQL does not enforce an array's
    /// declared dimensions or size (`integer[][]` and `integer[3]` are `integer[]`), so one
    /// level holds them all: the element is never itself an `Array`.
    Array(Box<ColumnType>),
    /// An enum type: named (PostgreSQL type name, or the Rust enum's table-side name) with its
    /// values in declaration order.
    Enum {
        name: String,
        values: Vec<String>,
    },
    /// MySQL/MariaDB `SET('a','b')`: any subset of the values, in declaration order.
    Set {
        values: Vec<String>,
    },
    /// Anything else, as the database or the model spells it (lowercased, whitespace folded).
    Other(String),
}

impl ColumnType {
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            ColumnType::TinyInt { .. }
                | ColumnType::SmallInt { .. }
                | ColumnType::Integer { .. }
                | ColumnType::BigInt { .. }
        )
    }

    pub fn is_textual(&self) -> bool {
        matches!(
            self,
            ColumnType::Char { .. } | ColumnType::Varchar { .. } | ColumnType::Text
        )
    }
}

impl fmt::Display for ColumnType {
    /// The dialect-neutral spelling used in the schema text rendering and in messages. It is not
    /// SQL for any particular database; renderers spell types themselves.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn len(f: &mut fmt::Formatter<'_>, base: &str, n: Option<u32>) -> fmt::Result {
            match n {
                Some(n) => write!(f, "{base}({n})"),
                None => f.write_str(base),
            }
        }
        fn int(f: &mut fmt::Formatter<'_>, base: &str, unsigned: bool) -> fmt::Result {
            f.write_str(base)?;
            if unsigned {
                f.write_str(" unsigned")?;
            }
            Ok(())
        }
        match self {
            ColumnType::Boolean => f.write_str("boolean"),
            ColumnType::TinyInt { unsigned } => int(f, "tinyint", *unsigned),
            ColumnType::SmallInt { unsigned } => int(f, "smallint", *unsigned),
            ColumnType::Integer { unsigned } => int(f, "integer", *unsigned),
            ColumnType::BigInt { unsigned } => int(f, "bigint", *unsigned),
            ColumnType::Real => f.write_str("real"),
            ColumnType::Double => f.write_str("double"),
            ColumnType::Decimal { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => write!(f, "decimal({p},{s})"),
                (Some(p), None) => write!(f, "decimal({p})"),
                _ => f.write_str("decimal"),
            },
            ColumnType::Char { length } => len(f, "char", *length),
            ColumnType::Varchar { length } => len(f, "varchar", *length),
            ColumnType::Text => f.write_str("text"),
            ColumnType::Blob => f.write_str("blob"),
            ColumnType::Date => f.write_str("date"),
            ColumnType::Time => f.write_str("time"),
            ColumnType::Timestamp {
                with_time_zone: false,
            } => f.write_str("timestamp"),
            ColumnType::Timestamp {
                with_time_zone: true,
            } => f.write_str("timestamptz"),
            ColumnType::Uuid => f.write_str("uuid"),
            ColumnType::Json => f.write_str("json"),
            ColumnType::Jsonb => f.write_str("jsonb"),
            ColumnType::Array(element) => write!(f, "{element}[]"),
            ColumnType::Enum { name, values } => {
                write!(f, "enum {name}(")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "'{}'", v.replace('\'', "''"))?;
                }
                f.write_str(")")
            }
            ColumnType::Set { values } => {
                f.write_str("set(")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "'{}'", v.replace('\'', "''"))?;
                }
                f.write_str(")")
            }
            ColumnType::Other(raw) => f.write_str(raw),
        }
    }
}

/// A canonical server default.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DefaultValue {
    Null,
    Boolean(bool),
    /// A numeric literal in canonical text form (no leading `+`, no redundant zeros: `0`, `-1.5`).
    Number(String),
    /// A string literal's contents, unescaped.
    String(String),
    CurrentTimestamp,
    CurrentDate,
    CurrentTime,
    /// Any other SQL expression, whitespace folded, as written.
    Expression(String),
}

impl DefaultValue {
    /// The zero date-time `'0000-00-00 00:00:00'` (with or without fractional digits), the
    /// default MariaDB gives a NOT NULL `ON UPDATE CURRENT_TIMESTAMP` column declared without
    /// one.
    pub fn is_zero_datetime(&self) -> bool {
        match self {
            DefaultValue::String(s) => {
                s.starts_with("0000-00-00 00:00:00")
                    && s.chars().all(|c| matches!(c, '0' | '-' | ':' | ' ' | '.'))
            }
            _ => false,
        }
    }
}

impl fmt::Display for DefaultValue {
    /// A dialect-neutral SQL-ish spelling for the schema text and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultValue::Null => f.write_str("NULL"),
            DefaultValue::Boolean(true) => f.write_str("TRUE"),
            DefaultValue::Boolean(false) => f.write_str("FALSE"),
            DefaultValue::Number(n) => f.write_str(n),
            DefaultValue::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            DefaultValue::CurrentTimestamp => f.write_str("CURRENT_TIMESTAMP"),
            DefaultValue::CurrentDate => f.write_str("CURRENT_DATE"),
            DefaultValue::CurrentTime => f.write_str("CURRENT_TIME"),
            DefaultValue::Expression(e) => write!(f, "({e})"),
        }
    }
}

/// A primary key. Compared by its columns; the name is kept for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

/// A secondary index.
///
/// Fields past `predicate` describe properties only some dialects have; each is empty/false/None
/// when the index does not use it, so an index that does not use them reads as before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub columns: Vec<IndexColumn>,
    pub unique: bool,
    /// The access method when it is not the dialect's default (`gin`, `hash`, ...), lowercased.
    pub method: Option<String>,
    /// A partial index's WHERE clause, whitespace folded.
    pub predicate: Option<String>,
    /// PostgreSQL `INCLUDE (...)`: non-key columns stored in the index, in declared order.
    pub include: Vec<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT` (unique indexes): NULLs collide with each other.
    pub nulls_not_distinct: bool,
    /// The index's comment (MySQL/MariaDB `COMMENT '...'`, PostgreSQL `COMMENT ON INDEX`).
    pub comment: Option<String>,
}

/// One key part of an index: a column name, or (when `expression` is set) the expression text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexColumn {
    pub name: String,
    pub descending: bool,
    /// `name` is an expression (`lower(email)`), not a column name.
    pub expression: bool,
    /// MySQL/MariaDB key prefix length: `title(20)` indexes the first 20 characters (bytes for
    /// binary types).
    pub prefix_length: Option<u32>,
    /// PostgreSQL operator class when it is not the type's default (`jsonb_path_ops`,
    /// `text_pattern_ops`), as the server names it.
    pub opclass: Option<String>,
    /// The NULLs order when it is not the direction's default (PostgreSQL: NULLS LAST for DESC,
    /// NULLS FIRST for ASC): `Some(true)` is NULLS FIRST, `Some(false)` NULLS LAST.
    pub nulls_first: Option<bool>,
    /// The key part's collation when one is written (`title COLLATE NOCASE`).
    pub collation: Option<String>,
}

impl IndexColumn {
    /// An ascending plain column key part.
    pub fn asc(name: impl Into<String>) -> Self {
        IndexColumn {
            name: name.into(),
            ..IndexColumn::default()
        }
    }

    /// An ascending expression key part.
    pub fn expr(text: impl Into<String>) -> Self {
        IndexColumn {
            name: text.into(),
            expression: true,
            ..IndexColumn::default()
        }
    }
}

/// A UNIQUE constraint. Compared by its columns and deferrability: servers often name these
/// themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// PostgreSQL `DEFERRABLE` / `INITIALLY DEFERRED`.
    pub deferrable: Deferrable,
}

/// A foreign key. Compared by content (columns, target, actions), never by name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    /// `DEFERRABLE` / `INITIALLY DEFERRED` (PostgreSQL, SQLite).
    pub deferrable: Deferrable,
}

/// When a constraint is checked: at once (`NOT DEFERRABLE`, every dialect's default), or
/// `DEFERRABLE`, at once unless a transaction says `SET CONSTRAINTS ... DEFERRED`
/// (`INITIALLY IMMEDIATE`), or at commit (`INITIALLY DEFERRED`). MySQL/MariaDB have none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    /// `DEFERRABLE` (`INITIALLY IMMEDIATE`).
    Immediate,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    Deferred,
}

impl Deferrable {
    /// The clause to append to a constraint: empty, ` DEFERRABLE` or
    /// ` DEFERRABLE INITIALLY DEFERRED`.
    pub fn clause(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "",
            Deferrable::Immediate => " DEFERRABLE",
            Deferrable::Deferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }

    /// The words of `ALTER CONSTRAINT` for this state (PostgreSQL), every part spelled out so
    /// the statement sets both properties whatever they were.
    pub fn alter_sql(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "NOT DEFERRABLE",
            Deferrable::Immediate => "DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::Deferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// ON DELETE / ON UPDATE behaviour. `NoAction` is every dialect's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    /// The SQL keywords (`NO ACTION`, `CASCADE`, ...).
    pub fn sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the SQL keywords or the model spelling (`cascade`, `set_null`, `set null`,
    /// `no_action`, `restrict`, `set_default`), case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| {
                if c == '_' || c == ' ' {
                    ' '
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        let norm = norm.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(match norm.as_str() {
            "no action" => ReferentialAction::NoAction,
            "restrict" => ReferentialAction::Restrict,
            "cascade" => ReferentialAction::Cascade,
            "set null" => ReferentialAction::SetNull,
            "set default" => ReferentialAction::SetDefault,
            _ => return None,
        })
    }
}

/// A CHECK constraint. The expression is kept as SQL text, whitespace folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: Option<String>,
    pub expression: String,
}

/// A named enum type (PostgreSQL). Values in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    pub values: Vec<String>,
}

/// Renames declared in the models (`renamed_from`). They are hints to the differ, not part of
/// what a database is, so they travel beside the [`Schema`] rather than inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenameHints {
    pub tables: Vec<TableRename>,
    pub columns: Vec<ColumnRename>,
}

/// `from` is the old table name, `to` the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRename {
    pub from: String,
    pub to: String,
}

/// A column rename inside `table` (the table's new name when the table is renamed as well).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRename {
    pub table: String,
    pub from: String,
    pub to: String,
}
