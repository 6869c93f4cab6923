//! Logging as Lambda's advanced logging controls configure it: `AWS_LAMBDA_LOG_LEVEL`
//! (else `RUST_LOG`, else INFO) and `AWS_LAMBDA_LOG_FORMAT` (`JSON` or text), written to
//! stdout without timestamps (CloudWatch adds its own).
//!
//! lambda_runtime's own `init_default_subscriber` does the same with an `EnvFilter`, whose
//! regex engine is a quarter of a small function's binary; a level is all the template
//! sets, so a `LevelFilter` does here (per-module directives in `RUST_LOG` are not read).

use tracing_subscriber::filter::LevelFilter;

/// The level of a Lambda log-level setting (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, in any
/// case); INFO when unset or unreadable. FATAL is Lambda's level above ERROR.
pub fn level_of(setting: Option<&str>) -> LevelFilter {
    match setting.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        Some("TRACE") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR" | "FATAL") => LevelFilter::ERROR,
        Some("OFF") => LevelFilter::OFF,
        _ => LevelFilter::INFO,
    }
}

/// Installs the global subscriber; call once, first thing in `main`.
pub fn init_tracing() {
    let setting = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_max_level(level_of(setting.as_deref()))
        .with_writer(std::io::stdout);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_levels_map_to_tracing_levels() {
        assert_eq!(level_of(None), LevelFilter::INFO);
        assert_eq!(level_of(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level_of(Some(" WARN ")), LevelFilter::WARN);
        assert_eq!(level_of(Some("FATAL")), LevelFilter::ERROR);
        assert_eq!(level_of(Some("TRACE")), LevelFilter::TRACE);
        assert_eq!(level_of(Some("verbose")), LevelFilter::INFO);
    }
}
