//! Prints docs/rules.md: `cargo run -p passport-rules --example rules-table > docs/rules.md`.
fn main() {
    print!("{}", passport_rules::table::markdown());
}
