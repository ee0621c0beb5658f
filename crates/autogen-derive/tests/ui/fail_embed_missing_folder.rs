// The revisions folder is resolved relative to the crate's Cargo.toml; a missing one fails the
// build with the path tried and the fix.
fn main() {
    let _ = autogen::embed_revisions!("no_such_revisions");
}
