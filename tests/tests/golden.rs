//! Golden revisions: for every case under `fixtures/revisions/` and every dialect, the revision
//! file autogenerate writes from the case's models must equal `expected/<dialect>.sql` byte for
//! byte. `cargo xtask bless` rewrites the expected files; review their diff.

use autogen::schema::Dialect;
use autogen_tests::fixtures::{cases, expected_revision};
use autogen_tests::{check_golden, report};

#[test]
fn every_fixture_matches_its_expected_revision() {
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "expected at least 25 fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        for dialect in Dialect::ALL {
            let result = expected_revision(case, dialect)
                .and_then(|text| check_golden(&case.expected_path(dialect), &text));
            if let Err(e) = result {
                failures.push(format!("[{} / {dialect}] {e}", case.name));
            }
        }
    }
    report(failures);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for case in cases() {
        for dialect in Dialect::ALL {
            let a = expected_revision(&case, dialect);
            let b = expected_revision(&case, dialect);
            assert_eq!(a, b, "{} on {dialect} is not deterministic", case.name);
        }
    }
}
