//! Retrying a statement whose lock was not granted in time, the same way on every dialect that
//! bounds its lock waits (PostgreSQL's `lock_timeout`, SQLSTATE 55P03; MySQL/MariaDB's
//! `lock_wait_timeout`, error 1205): the pause before each retry, the notice that tells the user,
//! and the note a final failure carries. Which errors count, and whether the failed statement
//! left anything behind that makes a retry unsafe, is each dialect's decision (`postgres.rs`,
//! `segmented.rs`, `mysql.rs`); the count comes from `lock_retries` through [`Step`].

use std::time::Duration;

use super::Step;
use crate::observe::RunEvent;
use crate::RunError;

/// The pause before retry `attempt` (1-based): 1 s, 2 s, 4 s, 8 s, then 16 s for every later one.
pub(crate) fn retry_pause(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(4))
}

/// Tells the user that statement `index` of `step` did not get its lock and is retried, then
/// waits the pause of `attempt`.
pub(crate) async fn announce_retry(
    step: &Step<'_>,
    index: usize,
    attempt: u32,
    source: &sqlx::Error,
) {
    let pause = retry_pause(attempt);
    let message = format!(
        "statement {} of {} did not get its lock in time ({}); retry {attempt} of {} in {}s",
        index + 1,
        step.statements.len(),
        source
            .as_database_error()
            .map_or_else(|| source.to_string(), |e| e.message().to_string()),
        step.lock_retries,
        pause.as_secs()
    );
    step.observer.event(RunEvent::Notice {
        revision: step.revision,
        message: &message,
    });
    tokio::time::sleep(pause).await;
}

/// Marks the statement failure in `error` as a lock wait that ran out on every one of its tries
/// (`retries` after the first), so the message says so and what to do.
pub(crate) fn gave_up(mut error: RunError, retries: u32) -> RunError {
    match &mut error {
        RunError::Statement(failure) | RunError::Partial { failure, .. } => {
            failure.lock_wait = Some(retries);
        }
        _ => {}
    }
    error
}

#[cfg(test)]
mod tests {
    use super::retry_pause;

    #[test]
    fn pauses_double_up_to_sixteen_seconds() {
        let secs: Vec<u64> = (1..=7).map(|a| retry_pause(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 16, 16]);
    }
}
