//! PostgreSQL enum types: `CREATE TYPE ... AS ENUM` and changes to an enum's values. Added
//! values use `ALTER TYPE ... ADD VALUE` in place; removing or reordering values, which
//! PostgreSQL cannot do, replaces the type: rename the old one, create the new one, convert every
//! column using it through text (dropping and restoring its default, which would not cast), and
//! drop the old type. Plain column and table changes live in `postgres.rs`.

use autogen_diff::Change;
use autogen_schema::{ColumnType, EnumType, Schema};

use super::postgres::Postgres;
use super::SqlDialect;
use crate::Statement;

impl Postgres {
    pub(super) fn render_alter_enum(
        &self,
        state: &Schema,
        change: &Change,
        from: &EnumType,
        to: &EnumType,
        out: &mut Vec<Statement>,
    ) {
        let ty = self.quote(&to.name);
        let only_additions = {
            let kept: Vec<&String> = to
                .values
                .iter()
                .filter(|v| from.values.contains(v))
                .collect();
            kept.len() == from.values.len() && kept.iter().zip(&from.values).all(|(a, b)| *a == b)
        };
        if only_additions {
            // Added right to left, each before its right-hand neighbour (already present), so
            // the final order is exactly `to`'s.
            for (i, v) in to.values.iter().enumerate().rev() {
                if from.values.contains(v) {
                    continue;
                }
                let position = match to.values.get(i + 1) {
                    Some(next) => format!(" BEFORE {}", self.string_literal(next)),
                    None => String::new(),
                };
                out.push(Statement::new(format!("ALTER TYPE {ty} ADD VALUE {}{position}", self.string_literal(v))).with_note(format!(
                        "the new value {} cannot be used in this same transaction (PostgreSQL < 12 cannot add it inside a transaction at all)",
                        self.string_literal(v)
                    )));
            }
            return;
        }
        // Removing or reordering values: PostgreSQL cannot, so the type is replaced and every
        // column using it is converted through text.
        let old = old_type_name(&to.name);
        out.push(
            Statement::new(format!("ALTER TYPE {ty} RENAME TO {}", self.quote(&old))).with_note(
                format!(
                    "replace enum {}: PostgreSQL cannot remove or reorder enum values",
                    to.name
                ),
            ),
        );
        out.push(Statement::new(self.create_enum_sql(to)));
        for t in &state.tables {
            for c in &t.columns {
                if !matches!(&c.ty, ColumnType::Enum { name, .. } if *name == to.name) {
                    continue;
                }
                if c.default.is_some() {
                    out.push(Statement::new(self.alter_column(
                        &t.name,
                        &c.name,
                        "DROP DEFAULT",
                    )));
                }
                out.push(
                    Statement::new(self.alter_column(
                        &t.name,
                        &c.name,
                        &format!("TYPE {ty} USING {}::text::{ty}", self.quote(&c.name)),
                    ))
                    .with_loss(change.data_loss())
                    .with_hazard(self.enum_rebuild_hazard(&t.name, &c.name, &to.name)),
                );
                if let Some(d) = &c.default {
                    let action = format!("SET DEFAULT {}", self.default_sql(d));
                    out.push(Statement::new(self.alter_column(&t.name, &c.name, &action)));
                }
            }
        }
        out.push(Statement::new(format!("DROP TYPE {}", self.quote(&old))));
    }

    pub(super) fn create_enum_sql(&self, e: &EnumType) -> String {
        let values: Vec<String> = e.values.iter().map(|v| self.string_literal(v)).collect();
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            self.quote(&e.name),
            values.join(", ")
        )
    }
}

/// The name the replaced type is parked under while columns are converted. PostgreSQL cuts
/// names at 63 bytes, so for a long type name the plain suffix would be cut off and the rename
/// would collide with the type itself; the name is shortened deterministically instead.
fn old_type_name(name: &str) -> String {
    autogen_schema::shorten(&format!("{name}_autogen_old"))
}

#[cfg(test)]
mod tests {
    use super::old_type_name;

    #[test]
    fn the_parked_type_name_differs_from_the_type_within_63_bytes() {
        // Found by the randomized round trip with a 63-byte enum name.
        assert_eq!(old_type_name("mood"), "mood_autogen_old");
        let long = "e".repeat(63);
        let parked = old_type_name(&long);
        assert!(parked.len() <= 63, "{parked}");
        assert_ne!(parked, long);
    }
}
