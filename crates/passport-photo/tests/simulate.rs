//! `passport-photo simulate`: deterministic for a seed, and every upload accounted for.

use passport_photo::simulate::{run, Design, Report, Scenario};

fn scenario(uploads: usize, detect_tps: f64, design: Design) -> Scenario {
    Scenario {
        uploads,
        detect_tps,
        arrival_rate: None,
        fault_rate: 0.0,
        seed: 11,
        design,
        detect_concurrency: Scenario::concurrency_for(detect_tps),
    }
}

fn simulate(s: &Scenario) -> Report {
    run(s, None).expect("the simulation runs")
}

fn accounted(r: &Report) {
    assert_eq!(
        r.succeeded + r.failed + r.lost,
        r.uploads as u64,
        "every upload ends in exactly one outcome: {r:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let mut s = scenario(120, 20.0, Design::Queued);
    s.fault_rate = 0.05;
    let first = simulate(&s);
    assert_eq!(first, simulate(&s));
    s.seed = 12;
    let other = simulate(&s);
    assert_ne!(first.latency_seconds, other.latency_seconds);
    accounted(&first);
    accounted(&other);
}

#[test]
fn a_burst_drains_at_the_quota_without_loss_throttling_or_failure() {
    let s = scenario(300, 10.0, Design::Queued);
    let r = simulate(&s);
    accounted(&r);
    assert_eq!((r.succeeded, r.failed, r.lost), (300, 0, 0), "{r:?}");
    // One billed call per photo, paced under the quota.
    assert_eq!(r.detect_calls, 300);
    assert_eq!(r.throttled_calls, 0);
    // N / TPS is the bound no design can beat; the queue gets close to it.
    let bound = 300.0 / 10.0;
    assert!(r.makespan_seconds >= bound * 0.95, "{}", r.makespan_seconds);
    assert!(r.makespan_seconds <= bound * 1.25, "{}", r.makespan_seconds);
    assert!(r.latency_seconds.p50 <= r.latency_seconds.p99);
    assert!(r.latency_seconds.p99 <= r.latency_seconds.max);
    // The happy path: FetchMetadata, IsAnalyzable, DetectFaces, ShouldKeepFaces (no analysis
    // is kept in the simulation), AnalyzeImage, EvaluateRules and Notify, one transition each.
    assert_eq!(r.state_transitions, 7 * 300);
    assert!(r.alerts.is_empty());
}

#[test]
fn the_bill_is_what_was_metered_at_list_prices() {
    let r = simulate(&scenario(100, 20.0, Design::Queued));
    let c = r.cost_usd;
    assert!((c.rekognition - 100.0 * 0.001).abs() < 1e-9);
    assert!((c.step_functions - r.state_transitions as f64 * 0.000_025).abs() < 1e-9);
    assert!((c.sns - r.sns_publishes as f64 * 0.000_000_5).abs() < 1e-12);
    assert!((c.sqs - r.sqs_requests as f64 * 0.000_000_4).abs() < 1e-12);
    assert!(c.lambda > r.lambda_invocations as f64 * 0.000_000_2);
    let sum = c.rekognition + c.step_functions + c.lambda + c.sqs + c.sns;
    assert!((c.total - sum).abs() < 1e-9);
    assert!((r.cost_per_1000_photos - c.total * 10.0).abs() < 1e-9);
}

#[test]
fn without_the_queue_a_burst_becomes_a_retry_storm() {
    let direct = simulate(&scenario(600, 2.0, Design::Direct));
    let queued = simulate(&scenario(600, 2.0, Design::Queued));
    accounted(&direct);
    accounted(&queued);
    assert!(
        direct.throttled_calls > direct.detect_calls / 2,
        "most direct calls are throttled: {direct:?}"
    );
    assert!(direct.failed > 0, "some direct executions run out of retries");
    assert!(direct.state_transitions > queued.state_transitions);
    assert_eq!((queued.failed, queued.lost, queued.throttled_calls), (0, 0, 0));
}

#[test]
fn injected_faults_end_as_alerts_never_as_silence() {
    let mut s = scenario(200, 20.0, Design::Queued);
    s.fault_rate = 0.3;
    let r = simulate(&s);
    accounted(&r);
    assert_eq!(r.lost, 0, "{r:?}");
    assert!(r.failed > 0, "a 30 % fault rate defeats some retries: {r:?}");
    let alerts: u64 = r.alerts.values().sum();
    assert!(alerts >= r.failed, "every failure raised an alert: {r:?}");
}

#[test]
fn uploads_arriving_at_a_rate_below_the_quota_wait_for_nothing() {
    let mut s = scenario(100, 50.0, Design::Queued);
    s.arrival_rate = Some(5.0);
    let r = simulate(&s);
    accounted(&r);
    assert_eq!(r.succeeded, 100);
    // About 100 / 5 = 20 s of arrivals; each photo takes well under a few seconds.
    assert!(r.makespan_seconds > 10.0, "{}", r.makespan_seconds);
    assert!(r.latency_seconds.p99 < 5.0, "{:?}", r.latency_seconds);
}
