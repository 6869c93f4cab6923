#[test]
fn docs_rules_md_is_generated_from_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == passport_rules::table::markdown(),
        "docs/rules.md is out of date: run `cargo run -p passport-rules --example rules-table > docs/rules.md`"
    );
}
