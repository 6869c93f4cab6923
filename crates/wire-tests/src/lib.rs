//! No code: `tests/wire.rs` runs the real SDK clients against moto server.
