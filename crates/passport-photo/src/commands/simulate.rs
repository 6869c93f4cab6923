//! `simulate`: a burst of uploads against modelled AWS services, on a virtual clock.

use std::process::ExitCode;

use clap::ValueEnum;
use passport_photo::simulate::Scenario;

use super::{fail, progress_bar};

#[derive(Clone, Copy, ValueEnum)]
pub enum SimulatedDesign {
    Queued,
    Direct,
}

pub fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("'{text}' is not a positive number")),
    }
}

pub fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a probability from 0 to 1")),
    }
}

pub fn simulate(scenario: &Scenario, json: bool) -> ExitCode {
    let bar = progress_bar(
        scenario.uploads,
        "{bar:40} {pos}/{len} uploads answered ({elapsed} wall time)",
    );
    let report = passport_photo::simulate::run(scenario, bar.clone());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match report {
        Ok(report) if json => {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
