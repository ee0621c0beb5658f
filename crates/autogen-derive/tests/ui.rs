//! Compile-time behaviour of the derives: passing models compile to nothing, and model errors
//! fail the build at the offending span with the model reader's wording. The `.stderr` files
//! are goldens (`TRYBUILD=overwrite`, which `cargo xtask bless` runs).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
