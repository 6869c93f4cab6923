//! No code: `tests/` checks that `statemachine/photo_validation.asl.json`, `template.yaml`
//! and the function crates agree with each other and with DESIGN.md's error contract.
