//! How each state type runs when its query language is JSONata (Step Functions developer
//! guide, "Transforming data with JSONata"): `Arguments` makes a task's (or the branches')
//! input, `Output` the state's output (by default the result, or the input where there is
//! none), `Assign` reads the same `$states`; Choice rules test a `Condition`; a Map takes its
//! `Items`; a Catch's `Output` defaults to the error output. Expressions are
//! crate::jsonata's.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;

use crate::clock::BoxFuture;
use crate::definition::{Handling, Io, State};
use crate::error::{within_payload_limit, StatesError};
use crate::executor::{map_concurrency_from, Run, Step};
use crate::jsonata::{resolve, QUERY_EVALUATION_ERROR};
use crate::variables::{Vars, CONTEXT_KEY};

type Assigned = Option<Map<String, Value>>;

/// `$states`: the state's input, its context object (as `$$` shows it), and what else the
/// field may read (`result`, `errorOutput`).
fn states(input: &Value, ctx: &Value, extra: &[(&str, &Value)]) -> Value {
    let mut context = ctx.clone();
    if let Some(m) = context.as_object_mut() {
        m.remove(CONTEXT_KEY);
    }
    let mut s = json!({"input": input, "context": context});
    for (k, v) in extra {
        s[*k] = (*v).clone();
    }
    s
}

fn assign(template: &Option<Value>, st: &Value, vars: &Map<String, Value>) -> Result<Assigned, StatesError> {
    let Some(t) = template else { return Ok(None) };
    match resolve("Assign", t, st, vars)? {
        Value::Object(m) => Ok(Some(m)),
        other => Err(StatesError::runtime(format!(
            "Assign must be an object, not {other}"
        ))),
    }
}

fn output(
    template: &Option<Value>,
    default: &Value,
    st: &Value,
    vars: &Map<String, Value>,
) -> Result<Value, StatesError> {
    match template {
        Some(t) => resolve("Output", t, st, vars),
        None => Ok(default.clone()),
    }
}

impl Run<'_> {
    pub(crate) async fn jsonata_step(
        &self,
        name: &str,
        state: &State,
        input: &Value,
        vars: &Vars,
        scope: &Value,
    ) -> Result<(Step, Assigned), StatesError> {
        let ctx = self.ctx_for(name, 0, None, scope);
        let variables = vars.visible();
        let st = states(input, &ctx, &[]);
        match state {
            State::Pass(p) => {
                let out = output(&p.io.output, input, &st, &variables)?;
                let assigned = assign(&p.io.assign, &st, &variables)?;
                Ok((Self::advance(state, out), assigned))
            }
            State::Succeed(s) => Ok((Step::End(output(&s.io.output, input, &st, &variables)?), None)),
            State::Fail(f) => {
                let text = |field: &str, v: &Option<String>| -> Result<String, StatesError> {
                    let Some(v) = v else { return Ok(String::new()) };
                    match resolve(field, &Value::String(v.clone()), &st, &variables)? {
                        Value::String(s) => Ok(s),
                        other => Ok(other.to_string()),
                    }
                };
                Err(StatesError::new(
                    text("Error", &f.error)?,
                    text("Cause", &f.cause)?,
                ))
            }
            State::Choice(c) => {
                for rule in &c.choices {
                    let Some(condition) = &rule.condition else {
                        continue;
                    };
                    match resolve("Condition", condition, &st, &variables)? {
                        Value::Bool(true) => {
                            let next = rule.next.clone().unwrap_or_default();
                            let out = output(&rule.output, input, &st, &variables)?;
                            return Ok((Step::Next(next, out), assign(&rule.assign, &st, &variables)?));
                        }
                        Value::Bool(false) => {}
                        other => {
                            return Err(StatesError::new(
                                QUERY_EVALUATION_ERROR,
                                format!("the Condition of a rule of '{name}' gave {other}, not a boolean"),
                            ))
                        }
                    }
                }
                let next = c.default.clone().ok_or_else(|| {
                    StatesError::new(
                        "States.NoChoiceMatched",
                        format!("no choice rule of '{name}' matched and there is no Default"),
                    )
                })?;
                let out = output(&c.io.output, input, &st, &variables)?;
                Ok((Step::Next(next, out), assign(&c.io.assign, &st, &variables)?))
            }
            State::Wait(w) => {
                let seconds = match (&w.seconds, &w.timestamp) {
                    (Some(s), _) => match resolve("Seconds", s, &st, &variables)? {
                        Value::Number(n) if n.as_u64().is_some_and(|n| n <= 99_999_999) => {
                            n.as_u64().unwrap_or(0) as f64
                        }
                        other => {
                            return Err(StatesError::new(
                                QUERY_EVALUATION_ERROR,
                                format!(
                                "the Seconds of '{name}' gave {other}, not a whole number from 0 to 99999999"
                            ),
                            ))
                        }
                    },
                    (None, Some(t)) => {
                        let at = match resolve("Timestamp", &Value::String(t.clone()), &st, &variables)? {
                            Value::String(s) if s.as_bytes().get(10) == Some(&b'T') => {
                                time::OffsetDateTime::parse(&s, &Rfc3339).ok()
                            }
                            _ => None,
                        }
                        .ok_or_else(|| {
                            StatesError::new(
                                QUERY_EVALUATION_ERROR,
                                format!("the Timestamp of '{name}' is not RFC 3339"),
                            )
                        })?;
                        (at - self.now()).as_seconds_f64().max(0.0)
                    }
                    _ => return Err(StatesError::runtime(format!("'{name}' has no wait time"))),
                };
                self.wait(name, seconds).await?;
                let out = output(&w.io.output, input, &st, &variables)?;
                Ok((Self::advance(state, out), assign(&w.io.assign, &st, &variables)?))
            }
            State::Task(t) => {
                self.jsonata_guarded(name, state, (&t.handling, &t.io), input, vars, scope, |args| {
                    self.task(name, t, args)
                })
                .await
            }
            State::Parallel(p) => {
                self.jsonata_guarded(name, state, (&p.handling, &p.io), input, vars, scope, |args| {
                    self.run_branches(p, args, vars, true)
                })
                .await
            }
            State::Map(m) => {
                let variables = &variables;
                self.jsonata_guarded(name, state, (&m.handling, &m.io), input, vars, scope, |args| {
                    Box::pin(async move {
                        let st = states(&args, &self.ctx_for(name, 0, None, scope), &[]);
                        let items = match &m.items {
                            Some(t) => resolve("Items", t, &st, variables)?,
                            None => args.clone(),
                        };
                        let items = items.as_array().cloned().ok_or_else(|| {
                            StatesError::new(
                                QUERY_EVALUATION_ERROR,
                                format!("the Items of '{name}' are not an array"),
                            )
                        })?;
                        self.history.record(
                            self.now(),
                            "MapStateStarted",
                            || json!({"mapStateStartedEventDetails": {"length": items.len()}}),
                        );
                        let limit = match m.max_concurrency.unwrap_or(0) {
                            0 => items.len(),
                            n => map_concurrency_from(name, &json!(n))? as usize,
                        };
                        let select = |i: usize, item: Value| {
                            let ctx = self.ctx_for(
                                name,
                                0,
                                Some(("Map", json!({"Item": {"Index": i, "Value": item.clone()}}))),
                                scope,
                            );
                            match &m.item_selector {
                                Some(t) => resolve("ItemSelector", t, &states(&args, &ctx, &[]), variables),
                                None => Ok(item),
                            }
                        };
                        self.run_iterations(name, m, items, limit, vars, true, select)
                            .await
                    })
                })
                .await
            }
        }
    }

    /// A Task, Parallel or Map in JSONata: Arguments, the work with Retry, then Output and
    /// Assign over `$states.result`, or a Catch with `$states.errorOutput`.
    #[allow(clippy::too_many_arguments)]
    async fn jsonata_guarded<'s, F>(
        &'s self,
        name: &str,
        state: &State,
        (h, io): (&Handling, &Io),
        input: &Value,
        vars: &Vars,
        scope: &Value,
        work: F,
    ) -> Result<(Step, Assigned), StatesError>
    where
        F: Fn(Value) -> BoxFuture<'s, Result<Value, StatesError>>,
    {
        let variables = vars.visible();
        let prepare = |retry: u32| -> Result<Value, StatesError> {
            let ctx = self.ctx_for(name, retry, None, scope);
            let args = match &io.arguments {
                Some(t) => resolve("Arguments", t, &states(input, &ctx, &[]), &variables)?,
                None => input.clone(),
            };
            within_payload_limit(&args, || format!("the Arguments of '{name}'"))?;
            Ok(args)
        };
        let attempt = self
            .with_retry(name, &h.retry, |retry| match prepare(retry) {
                Ok(args) => work(args),
                Err(e) => Box::pin(std::future::ready(Err(e))),
            })
            .await;
        let ctx = self.ctx_for(name, 0, None, scope);
        match attempt {
            Ok((result, _)) => {
                within_payload_limit(&result, || format!("the result of '{name}'"))?;
                let st = states(input, &ctx, &[("result", &result)]);
                let out = output(&io.output, &result, &st, &variables)?;
                Ok((Self::advance(state, out), assign(&io.assign, &st, &variables)?))
            }
            Err(e) => match self.catcher(h, &e) {
                Some(c) => {
                    let error_output = e.to_value();
                    let st = states(input, &ctx, &[("errorOutput", &error_output)]);
                    let out = output(&c.output, &error_output, &st, &variables)?;
                    Ok((
                        Step::Next(c.next.clone(), out),
                        assign(&c.assign, &st, &variables)?,
                    ))
                }
                None => Err(e),
            },
        }
    }
}
