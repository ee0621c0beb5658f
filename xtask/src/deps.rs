//! The dependency allow-list: for every workspace member, the workspace crates and the outside
//! crates it may depend on, normal dependencies and dev-dependencies separately, and the README's
//! "what must never be" lines that no entry may contradict. `cargo test` runs [`check`] on the
//! real workspace (the test at the bottom), and `cargo xtask tidy` calls the same function, so a
//! crate that gains a dependency the architecture does not allow fails both, naming the crate,
//! the dependency and the entry to edit.
//!
//! The members are read from the root Cargo.toml, so a crate added later without an entry here
//! fails too, and so does a member missing from the README's architecture picture or crate table
//! (the map must match the workspace one to one). Build-dependencies count as normal
//! dependencies, and target-specific tables (`[target.'cfg(..)'.dependencies]`) as their plain
//! counterparts. This file does not check versions, features or `Cargo.lock`; it knows only
//! which crate may use which.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// What one workspace member may depend on.
pub struct Allowed {
    /// The package name, as in its `[package] name`.
    pub krate: &'static str,
    /// Whether the crate ships in autogen (the library, the binary and the layers below), as
    /// opposed to tests, tools and examples. The [`NEVER`] lines speak of product crates.
    pub product: bool,
    /// Workspace crates under `[dependencies]` (and `[build-dependencies]`).
    pub internal: &'static [&'static str],
    /// Outside crates under `[dependencies]` (and `[build-dependencies]`).
    pub external: &'static [&'static str],
    /// Workspace crates under `[dev-dependencies]`.
    pub dev_internal: &'static [&'static str],
    /// Outside crates under `[dev-dependencies]`.
    pub dev_external: &'static [&'static str],
}

/// The library layers below the facade, bottom first.
const LAYERS: &[&str] = &[
    "autogen-schema",
    "autogen-normalize",
    "autogen-models",
    "autogen-derive",
    "autogen-db",
    "autogen-introspect",
    "autogen-diff",
    "autogen-sql",
    "autogen-revisions",
];

/// Every workspace member and what it may use. Adding a dependency to a Cargo.toml means adding
/// it here first, and to the crate table in the README's architecture section. The layers with
/// fixture folders (schema text, differ, introspector, renderer) may take `autogen-tests` as a
/// dev-dependency for its golden-file comparison and bless mode.
pub const ALLOWED: &[Allowed] = &[
    Allowed {
        krate: "autogen-schema",
        product: true,
        internal: &[],
        external: &["thiserror"],
        dev_internal: &["autogen-tests"],
        dev_external: &[],
    },
    Allowed {
        // One module per dialect that knows how its server prints expressions back; sqlparser
        // (maintained, reads all three dialects) parses them so that they compare as syntax
        // trees rather than as folded text.
        krate: "autogen-normalize",
        product: true,
        internal: &["autogen-schema"],
        external: &["sqlparser"],
        dev_internal: &[],
        dev_external: &[],
    },
    Allowed {
        krate: "autogen-models",
        product: true,
        internal: &["autogen-schema"],
        external: &[
            "syn",
            "proc-macro2",
            "quote",
            "globset",
            "annotate-snippets",
            "rayon",
            "strsim",
        ],
        dev_internal: &[],
        dev_external: &["tempfile"],
    },
    Allowed {
        krate: "autogen-derive",
        product: true,
        internal: &["autogen-models"],
        external: &["syn", "proc-macro2", "quote"],
        dev_internal: &["autogen"],
        dev_external: &["trybuild"],
    },
    Allowed {
        krate: "autogen-db",
        product: true,
        internal: &["autogen-schema"],
        external: &["sqlx", "thiserror", "url", "tokio"],
        dev_internal: &[],
        dev_external: &["tempfile"],
    },
    Allowed {
        krate: "autogen-introspect",
        product: true,
        internal: &["autogen-schema", "autogen-normalize", "autogen-db"],
        external: &["sqlx", "futures-util", "thiserror", "globset"],
        dev_internal: &["autogen-testkit", "autogen-tests"],
        dev_external: &["tokio"],
    },
    Allowed {
        krate: "autogen-diff",
        product: true,
        internal: &["autogen-schema", "autogen-normalize"],
        external: &["foldhash", "thiserror"],
        dev_internal: &["autogen-tests"],
        dev_external: &[],
    },
    Allowed {
        krate: "autogen-sql",
        product: true,
        internal: &["autogen-schema", "autogen-normalize", "autogen-diff"],
        external: &["sea-query", "thiserror"],
        dev_internal: &[
            "autogen-db",
            "autogen-introspect",
            "autogen-testkit",
            "autogen-tests",
        ],
        dev_external: &["sqlx", "tokio", "tempfile"],
    },
    Allowed {
        krate: "autogen-revisions",
        product: true,
        internal: &["autogen-schema", "autogen-sql", "autogen-db"],
        external: &["sqlx", "thiserror", "sha2", "rand", "tokio", "tempfile"],
        dev_internal: &["autogen-testkit"],
        dev_external: &["tokio", "tempfile"],
    },
    Allowed {
        krate: "autogen",
        product: true,
        internal: LAYERS,
        external: &["thiserror", "serde", "toml", "dotenvy", "tokio", "globset"],
        dev_internal: &[],
        dev_external: &["tempfile", "tokio"],
    },
    Allowed {
        krate: "autogen-cli",
        product: true,
        internal: &["autogen"],
        external: &[
            "clap",
            "tokio",
            "anstream",
            "anstyle",
            "serde_json",
            "similar",
            "mimalloc",
        ],
        dev_internal: &["autogen-tests", "autogen-testkit"],
        dev_external: &["tempfile", "sqlx"],
    },
    Allowed {
        krate: "autogen-bench",
        product: false,
        internal: &[
            "autogen",
            "autogen-schema",
            "autogen-models",
            "autogen-db",
            "autogen-diff",
            "autogen-sql",
        ],
        external: &["sqlx", "tokio", "serde_json", "anyhow", "mimalloc"],
        dev_internal: &[],
        dev_external: &[],
    },
    Allowed {
        krate: "autogen-testkit",
        product: false,
        internal: &["autogen-db"],
        external: &["tokio"],
        dev_internal: &[],
        dev_external: &["sqlx"],
    },
    Allowed {
        krate: "autogen-tests",
        product: false,
        // The layers below the facade through its re-exports (`autogen::diff`, ...); the IR
        // directly for the schema text form.
        internal: &["autogen", "autogen-schema", "autogen-testkit"],
        external: &["sqlx", "tokio", "similar", "tempfile", "rand"],
        dev_internal: &[],
        // The convergence harness compares server dumps token by token (quotes, case and
        // spacing folded) with sqlparser's tokenizer instead of a hand-rolled SQL lexer.
        dev_external: &["sqlparser"],
    },
    Allowed {
        krate: "xtask",
        product: false,
        internal: &[],
        external: &["anyhow", "toml", "serde_json"],
        dev_internal: &[],
        dev_external: &[],
    },
    Allowed {
        krate: "blog-example",
        product: false,
        internal: &["autogen"],
        external: &["tokio", "chrono"],
        dev_internal: &[],
        dev_external: &[],
    },
];

/// A line of the README's "what must never be": the `crates` never list any of `deps` as a normal
/// dependency, whatever [`ALLOWED`] says.
pub struct Never {
    pub crates: Crates,
    pub deps: &'static [&'static str],
    pub why: &'static str,
}

/// Which crates a [`Never`] line speaks of.
pub enum Crates {
    These(&'static [&'static str]),
    /// Every product crate except these.
    ProductsBut(&'static [&'static str]),
}

pub const NEVER: &[Never] = &[
    Never {
        crates: Crates::These(&["autogen-schema", "autogen-normalize", "autogen-diff"]),
        deps: &["syn", "sqlx", "sea-query", "tokio"],
        why: "the IR, the expression keys and the differ are pure data and functions",
    },
    Never {
        crates: Crates::These(&["autogen-models", "autogen-derive", "autogen-sql"]),
        deps: &["sqlx", "tokio"],
        why: "the model reader, the derive and the renderer never open connections",
    },
    Never {
        crates: Crates::ProductsBut(&["autogen-db", "autogen-introspect", "autogen-revisions"]),
        deps: &["sqlx"],
        why: "only autogen-db, autogen-introspect and autogen-revisions talk to databases",
    },
    Never {
        crates: Crates::ProductsBut(&["autogen-models", "autogen-derive"]),
        deps: &["syn", "proc-macro2", "quote"],
        why: "only the model reader and the derive read Rust source",
    },
    Never {
        crates: Crates::ProductsBut(&["autogen-sql"]),
        deps: &["sea-query"],
        why: "only the renderer builds SQL with sea-query",
    },
    Never {
        crates: Crates::ProductsBut(&["autogen-cli"]),
        deps: &["clap", "anstream", "anstyle", "anyhow"],
        why: "only autogen-cli prints or decides exit codes; library crates return thiserror errors",
    },
    Never {
        crates: Crates::ProductsBut(&[]),
        deps: &["autogen-testkit", "autogen-tests", "autogen-bench", "xtask", "blog-example"],
        why: "test helpers, tools and examples never ship in a product crate",
    },
    Never {
        crates: Crates::These(LAYERS),
        deps: &["autogen", "autogen-cli"],
        why: "the layers never depend on the facade or the binary above them",
    },
    Never {
        crates: Crates::These(&["autogen-schema"]),
        deps: LAYERS,
        why: "the IR is the bottom layer and depends on no other autogen crate",
    },
    Never {
        crates: Crates::These(&["autogen-diff"]),
        deps: &[
            "autogen-models",
            "autogen-db",
            "autogen-introspect",
            "autogen-sql",
            "autogen-revisions",
        ],
        why: "the differ sees only the IR, not how models are read, databases reached or SQL written",
    },
    Never {
        crates: Crates::These(&["autogen-models", "autogen-derive"]),
        deps: &[
            "autogen-db",
            "autogen-introspect",
            "autogen-sql",
            "autogen-revisions",
        ],
        why: "reading models knows nothing of databases, SQL or revisions",
    },
    Never {
        crates: Crates::These(&["autogen-sql"]),
        deps: &[
            "autogen-models",
            "autogen-db",
            "autogen-introspect",
            "autogen-revisions",
        ],
        why: "the renderer turns changes into SQL text, knowing neither models, connections nor revision files",
    },
    Never {
        crates: Crates::These(&["autogen-db", "autogen-introspect"]),
        deps: &[
            "autogen-models",
            "autogen-diff",
            "autogen-sql",
            "autogen-revisions",
        ],
        why: "connections and catalog reading know nothing of models, changes, rendering or revisions",
    },
    Never {
        crates: Crates::These(&["autogen-db"]),
        deps: &["autogen-introspect"],
        why: "autogen-db opens connections and runs no catalog queries",
    },
    Never {
        crates: Crates::These(&["autogen-revisions"]),
        deps: &["autogen-models", "autogen-introspect"],
        why: "revisions are files and a runner; they neither read models nor introspect",
    },
];

/// One member's dependencies as its Cargo.toml lists them, by package name.
#[derive(Debug, Default)]
pub struct Manifest {
    pub name: String,
    /// Where it was read from, relative to the workspace root (for messages).
    pub path: String,
    pub normal: BTreeSet<String>,
    pub dev: BTreeSet<String>,
}

/// Reads the workspace at `root` and checks every member against [`ALLOWED`] and [`NEVER`], and
/// against the README's architecture section.
pub fn check(root: &Path) -> Result<()> {
    let manifests = read_workspace(root)?;
    let mut problems = problems(&manifests, ALLOWED, NEVER);
    let readme =
        std::fs::read_to_string(root.join("README.md")).context("cannot read README.md")?;
    let members: Vec<&str> = manifests.iter().map(|m| m.name.as_str()).collect();
    problems.extend(map_problems(&readme, &members));
    if !problems.is_empty() {
        bail!(
            "dependency allow-list violated:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// The members named by the root Cargo.toml's `[workspace] members`, each manifest parsed.
pub fn read_workspace(root: &Path) -> Result<Vec<Manifest>> {
    let root_toml = root.join("Cargo.toml");
    let table = read_toml(&root_toml)?;
    let members = table
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .with_context(|| format!("{}: no [workspace] members list", root_toml.display()))?;
    let mut manifests = Vec::new();
    for member in members {
        let member = member
            .as_str()
            .with_context(|| format!("{}: a member is not a string", root_toml.display()))?;
        if member.contains(['*', '?', '[']) {
            bail!(
                "{}: the member `{member}` is a glob; list members one by one so each has an allow-list entry",
                root_toml.display()
            );
        }
        let path = format!("{member}/Cargo.toml");
        let text = std::fs::read_to_string(root.join(&path))
            .with_context(|| format!("cannot read {path}"))?;
        manifests.push(parse_manifest(&path, &text)?);
    }
    Ok(manifests)
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.parse()
        .with_context(|| format!("cannot parse {}", path.display()))
}

/// A member's package name and dependencies; `path` is only for messages.
pub fn parse_manifest(path: &str, text: &str) -> Result<Manifest> {
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("cannot parse {path}"))?;
    let name = table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .with_context(|| format!("{path}: no [package] name"))?;
    let mut manifest = Manifest {
        name: name.to_string(),
        path: path.to_string(),
        ..Manifest::default()
    };
    let mut tables = vec![&table];
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().filter_map(|t| t.as_table()));
    }
    for t in tables {
        for (section, dev) in [
            ("dependencies", false),
            ("build-dependencies", false),
            ("dev-dependencies", true),
        ] {
            let Some(deps) = t.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            for (key, spec) in deps {
                // `foo = { package = "bar" }` depends on bar, whatever the key says.
                let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
                let set = if dev {
                    &mut manifest.dev
                } else {
                    &mut manifest.normal
                };
                set.insert(package.to_string());
            }
        }
    }
    Ok(manifest)
}

/// Every way `manifests` break `allowed`, and every way `allowed` breaks `never`, as messages
/// naming the crate, the dependency and what to edit. Empty when all is well.
pub fn problems(manifests: &[Manifest], allowed: &[Allowed], never: &[Never]) -> Vec<String> {
    let mut problems = Vec::new();
    let members: BTreeSet<&str> = manifests.iter().map(|m| m.name.as_str()).collect();
    for m in manifests {
        let Some(entry) = allowed.iter().find(|a| a.krate == m.name) else {
            problems.push(format!(
                "{}: the workspace member `{}` has no entry in the dependency allow-list; add `Allowed {{ krate: \"{}\", .. }}` to ALLOWED in xtask/src/deps.rs, listing what it may depend on",
                m.path, m.name, m.name
            ));
            continue;
        };
        for (deps, section, internal, external, list) in [
            (
                &m.normal,
                "[dependencies]",
                entry.internal,
                entry.external,
                "internal",
            ),
            (
                &m.dev,
                "[dev-dependencies]",
                entry.dev_internal,
                entry.dev_external,
                "dev_internal",
            ),
        ] {
            for dep in deps {
                let is_member = members.contains(dep.as_str());
                let (names, field) = if is_member {
                    (internal, list)
                } else {
                    (external, external_field(list))
                };
                if !names.contains(&dep.as_str()) {
                    problems.push(format!(
                        "{}: `{}` depends on `{dep}` under {section}, which its allow-list does not name; if the architecture allows it, add \"{dep}\" to `{field}` of `{}` in ALLOWED (xtask/src/deps.rs) and to the README's architecture table",
                        m.path, m.name, m.name
                    ));
                }
            }
        }
    }
    for entry in allowed {
        if !members.contains(entry.krate) {
            problems.push(format!(
                "xtask/src/deps.rs: ALLOWED has an entry for `{}`, which is not a workspace member; remove it",
                entry.krate
            ));
            continue;
        }
        for (field, names, want_member) in [
            ("internal", entry.internal, true),
            ("external", entry.external, false),
            ("dev_internal", entry.dev_internal, true),
            ("dev_external", entry.dev_external, false),
        ] {
            for name in names {
                if members.contains(name) != want_member {
                    let (is, belongs) = if want_member {
                        ("not a workspace member", external_field(field))
                    } else {
                        ("a workspace member", internal_field(field))
                    };
                    problems.push(format!(
                        "xtask/src/deps.rs: `{name}` in `{field}` of `{}` is {is}; move it to `{belongs}`",
                        entry.krate
                    ));
                }
            }
        }
        for rule in never {
            let applies = match &rule.crates {
                Crates::These(names) => names.contains(&entry.krate),
                Crates::ProductsBut(names) => entry.product && !names.contains(&entry.krate),
            };
            if !applies {
                continue;
            }
            for dep in entry.internal.iter().chain(entry.external) {
                if rule.deps.contains(dep) {
                    problems.push(format!(
                        "xtask/src/deps.rs: ALLOWED lets `{}` depend on `{dep}`, which the architecture forbids ({}); see the README's architecture section",
                        entry.krate, rule.why
                    ));
                }
            }
        }
    }
    problems
}

/// Where the README's architecture section and the workspace disagree: every member must be
/// drawn in the picture (as `[name]`) and have exactly one row in the crate table (first cell
/// `` `name` ``), and nothing else may be drawn or listed as a crate.
pub fn map_problems(readme: &str, members: &[&str]) -> Vec<String> {
    let Some(start) = readme.find("\n## Architecture\n") else {
        return vec!["README.md: no `## Architecture` section".to_string()];
    };
    let section = &readme[start + 1..];
    let section = section[3..]
        .find("\n## ")
        .map_or(section, |end| &section[..end + 3]);
    let picture = section.split("```").nth(1).unwrap_or_default();
    let drawn: BTreeSet<&str> = picture
        .split('[')
        .skip(1)
        .filter_map(|rest| rest.split_once(']').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    let rows: Vec<&str> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
        .collect();
    let mut problems = Vec::new();
    for member in members {
        if !drawn.contains(member) {
            problems.push(format!(
                "README.md: the architecture picture does not draw the workspace member `{member}`; add `[{member}]` to it"
            ));
        }
        match rows.iter().filter(|r| *r == member).count() {
            1 => {}
            0 => problems.push(format!(
                "README.md: the architecture table has no row for the workspace member `{member}`; add one"
            )),
            n => problems.push(format!(
                "README.md: the architecture table has {n} rows for `{member}`; keep one"
            )),
        }
    }
    for name in drawn.iter().copied().chain(rows.iter().copied()) {
        if !members.contains(&name) {
            problems.push(format!(
                "README.md: the architecture section shows `{name}`, which is not a workspace member"
            ));
        }
    }
    problems.dedup();
    problems
}

fn external_field(field: &str) -> &'static str {
    if field.starts_with("dev") {
        "dev_external"
    } else {
        "external"
    }
}

fn internal_field(field: &str) -> &'static str {
    if field.starts_with("dev") {
        "dev_internal"
    } else {
        "internal"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real workspace: this is what makes `cargo test` fail when a crate gains a dependency
    /// the architecture does not allow.
    #[test]
    fn every_workspace_member_follows_the_dependency_allow_list() {
        if let Err(e) = check(&crate::root()) {
            panic!("{e:#}");
        }
    }

    fn manifest(path: &str, text: &str) -> Manifest {
        match parse_manifest(path, text) {
            Ok(m) => m,
            Err(e) => panic!("{e:#}"),
        }
    }

    const SMALL: &[Allowed] = &[
        Allowed {
            krate: "core",
            product: true,
            internal: &[],
            external: &["thiserror"],
            dev_internal: &["kit"],
            dev_external: &["tempfile"],
        },
        Allowed {
            krate: "kit",
            product: false,
            internal: &["core"],
            external: &[],
            dev_internal: &[],
            dev_external: &[],
        },
    ];

    const CORE: &str = "[package]\nname = \"core\"\n[dependencies]\nthiserror = \"2\"\n[dev-dependencies]\nkit = { path = \"../kit\" }\ntempfile = \"3\"\n";
    const KIT: &str = "[package]\nname = \"kit\"\n[dependencies]\ncore = { path = \"../core\" }\n";

    #[test]
    fn allowed_dependencies_pass() {
        let all = [
            manifest("core/Cargo.toml", CORE),
            manifest("kit/Cargo.toml", KIT),
        ];
        assert_eq!(problems(&all, SMALL, &[]), Vec::<String>::new());
    }

    #[test]
    fn an_unlisted_dependency_names_the_crate_the_section_and_the_entry_to_edit() {
        let core = CORE.replace("[dev-dependencies]", "sqlx = \"0.8\"\n[dev-dependencies]");
        let all = [
            manifest("core/Cargo.toml", &core),
            manifest("kit/Cargo.toml", KIT),
        ];
        assert_eq!(
            problems(&all, SMALL, &[]),
            ["core/Cargo.toml: `core` depends on `sqlx` under [dependencies], which its allow-list does not name; if the architecture allows it, add \"sqlx\" to `external` of `core` in ALLOWED (xtask/src/deps.rs) and to the README's architecture table"]
        );
    }

    #[test]
    fn a_dev_only_crate_as_a_normal_dependency_is_refused() {
        let core = CORE.replace(
            "thiserror = \"2\"",
            "thiserror = \"2\"\nkit = { path = \"../kit\" }",
        );
        let all = [
            manifest("core/Cargo.toml", &core),
            manifest("kit/Cargo.toml", KIT),
        ];
        let found = problems(&all, SMALL, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("`core` depends on `kit` under [dependencies]")
                && found[0].contains("to `internal` of `core`"),
            "{found:?}"
        );
    }

    #[test]
    fn renamed_and_target_specific_dependencies_count_by_package() {
        let core = format!(
            "{CORE}[target.'cfg(unix)'.dependencies]\nerr = {{ package = \"anyhow\", version = \"1\" }}\n[build-dependencies]\ncc = \"1\"\n"
        );
        let m = manifest("core/Cargo.toml", &core);
        let normal: Vec<&str> = m.normal.iter().map(String::as_str).collect();
        assert_eq!(normal, ["anyhow", "cc", "thiserror"]);
        let all = [m, manifest("kit/Cargo.toml", KIT)];
        let found = problems(&all, SMALL, &[]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("on `anyhow` under [dependencies]"),
            "{found:?}"
        );
        assert!(
            found[1].contains("on `cc` under [dependencies]"),
            "{found:?}"
        );
    }

    #[test]
    fn a_member_without_an_entry_fails_and_says_where_to_add_one() {
        let new = manifest(
            "crates/autogen-new/Cargo.toml",
            "[package]\nname = \"autogen-new\"\n[dependencies]\n",
        );
        let all = [
            manifest("core/Cargo.toml", CORE),
            manifest("kit/Cargo.toml", KIT),
            new,
        ];
        assert_eq!(
            problems(&all, SMALL, &[]),
            ["crates/autogen-new/Cargo.toml: the workspace member `autogen-new` has no entry in the dependency allow-list; add `Allowed { krate: \"autogen-new\", .. }` to ALLOWED in xtask/src/deps.rs, listing what it may depend on"]
        );
    }

    #[test]
    fn an_entry_that_breaks_a_never_line_or_names_no_member_fails() {
        let never = [Never {
            crates: Crates::ProductsBut(&[]),
            deps: &["kit"],
            why: "test helpers stay out of products",
        }];
        let bad = [
            Allowed {
                krate: "core",
                product: true,
                internal: &["kit", "serde"],
                external: &[],
                dev_internal: &[],
                dev_external: &[],
            },
            Allowed {
                krate: "kit",
                product: false,
                internal: &["core"],
                external: &[],
                dev_internal: &[],
                dev_external: &[],
            },
            Allowed {
                krate: "gone",
                product: true,
                internal: &[],
                external: &[],
                dev_internal: &[],
                dev_external: &[],
            },
        ];
        let all = [
            manifest("core/Cargo.toml", "[package]\nname = \"core\"\n"),
            manifest("kit/Cargo.toml", KIT),
        ];
        assert_eq!(
            problems(&all, &bad, &never),
            [
                "xtask/src/deps.rs: `serde` in `internal` of `core` is not a workspace member; move it to `external`",
                "xtask/src/deps.rs: ALLOWED lets `core` depend on `kit`, which the architecture forbids (test helpers stay out of products); see the README's architecture section",
                "xtask/src/deps.rs: ALLOWED has an entry for `gone`, which is not a workspace member; remove it",
            ]
        );
    }

    #[test]
    fn the_readme_map_must_show_every_member_once() {
        let readme = "# x\n\n## Architecture\n\n```\n[core] --> [kit] [gone]\n```\n\n| crate | owns |\n|---|---|\n| `core` | it |\n| `core` | again |\n\n## Tests\n\n| `kit` | not the map |\n";
        assert_eq!(
            map_problems(readme, &["core", "kit", "new"]),
            [
                "README.md: the architecture table has 2 rows for `core`; keep one",
                "README.md: the architecture table has no row for the workspace member `kit`; add one",
                "README.md: the architecture picture does not draw the workspace member `new`; add `[new]` to it",
                "README.md: the architecture table has no row for the workspace member `new`; add one",
                "README.md: the architecture section shows `gone`, which is not a workspace member",
            ]
        );
    }

    #[test]
    fn the_real_members_are_read_from_the_root_manifest() {
        let manifests = match read_workspace(&crate::root()) {
            Ok(m) => m,
            Err(e) => panic!("{e:#}"),
        };
        let names: BTreeSet<&str> = manifests.iter().map(|m| m.name.as_str()).collect();
        for name in [
            "autogen",
            "autogen-cli",
            "autogen-testkit",
            "xtask",
            "blog-example",
        ] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        let testkit = manifests.iter().find(|m| m.name == "autogen-testkit");
        assert!(testkit.is_some_and(|m| m.normal.contains("autogen-db")));
    }
}
