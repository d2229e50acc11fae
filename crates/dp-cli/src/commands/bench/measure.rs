//! How one figure is measured: a warm-up that also sizes the batches, then short batches until
//! the time budget is spent. The median of the batches' per-operation times is robust against
//! the odd interruption (a page fault, another process); the rate is whole operations over the
//! whole measured time, as `openssl speed` reports it.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use crate::error::CliError;

/// Warm-up, as a fraction of the budget.
const WARM_UP_FRACTION: f64 = 0.2;
/// A batch runs about this long: short enough to give many medians' worth of samples, long
/// enough that reading the clock is noise (a clock read is some 20 ns).
const BATCH: Duration = Duration::from_millis(2);
/// At least this many batches, whatever the budget: a median of fewer means little.
const MIN_BATCHES: usize = 3;

/// One thread's run: operations, the time they took, each batch's nanoseconds per operation.
type Run = (u64, Duration, Vec<f64>);

/// The outcome of one measurement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figure {
    /// Whole operations per second, over every thread.
    pub ops_per_sec: f64,
    /// The median time of one operation, over the batches of every thread.
    pub median_ns: f64,
}

/// Runs `op` on `threads` threads at once for `budget` after a warm-up; each thread gets its
/// own `op` from `make`, which runs before the clock starts.
pub(crate) fn measure<F>(
    budget: Duration,
    threads: usize,
    make: impl Fn() -> Result<F, CliError> + Sync,
) -> Result<Figure, CliError>
where
    F: FnMut() -> Result<(), CliError>,
{
    if threads <= 1 {
        let mut op = make()?;
        let (ops, elapsed, samples) = run_batches(budget, &mut op)?;
        return Ok(figure(ops, elapsed, samples));
    }
    let barrier = Barrier::new(threads);
    let results: Vec<Result<Run, CliError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let op = make();
                    // Every thread waits here, ready or not, so none is left waiting forever.
                    barrier.wait();
                    let mut op = op?;
                    run_batches(budget, &mut op)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(CliError::runtime("benchmark failed: a thread panicked"))
                })
            })
            .collect()
    });
    let mut total_ops = 0;
    let mut longest = Duration::ZERO;
    let mut samples = Vec::new();
    for result in results {
        let (ops, elapsed, mut s) = result?;
        total_ops += ops;
        longest = longest.max(elapsed);
        samples.append(&mut s);
    }
    Ok(figure(total_ops, longest, samples))
}

fn figure(ops: u64, elapsed: Duration, mut samples: Vec<f64>) -> Figure {
    samples.sort_by(f64::total_cmp);
    let median_ns = match samples.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2.0,
    };
    Figure {
        // A clock too coarse to see one operation must not divide by zero.
        ops_per_sec: ops as f64 / elapsed.as_secs_f64().max(1e-9),
        median_ns,
    }
}

/// Warm-up, then batches until `budget` (and at least [`MIN_BATCHES`]): the operation count,
/// the time they took, and each batch's nanoseconds per operation.
fn run_batches(
    budget: Duration,
    op: &mut impl FnMut() -> Result<(), CliError>,
) -> Result<Run, CliError> {
    let warm_up = budget.mul_f64(WARM_UP_FRACTION);
    let start = Instant::now();
    let mut warm_ops: u32 = 0;
    loop {
        op()?;
        warm_ops += 1;
        if start.elapsed() >= warm_up {
            break;
        }
    }
    let per_op = start.elapsed().as_secs_f64() / f64::from(warm_ops);
    // At least one operation per batch; at most what fits a batch.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 1..=10^6 first"
    )]
    let batch = (BATCH.as_secs_f64() / per_op.max(1e-9)).clamp(1.0, 1e6) as u64;

    let mut samples = Vec::new();
    let mut ops = 0;
    let start = Instant::now();
    let elapsed = loop {
        let batch_start = Instant::now();
        for _ in 0..batch {
            op()?;
        }
        let took = batch_start.elapsed();
        ops += batch;
        samples.push(took.as_nanos() as f64 / batch as f64);
        let elapsed = start.elapsed();
        if elapsed >= budget && samples.len() >= MIN_BATCHES {
            break elapsed;
        }
    };
    Ok((ops, elapsed, samples))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_budget_still_measures_a_few_batches() {
        let calls = std::sync::atomic::AtomicU32::new(0);
        let figure = measure(Duration::ZERO, 1, || {
            Ok(|| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
        });
        let calls = calls.into_inner();
        let Ok(figure) = figure else {
            unreachable!("the operation never fails")
        };
        assert!(figure.ops_per_sec > 0.0);
        assert!(figure.median_ns.is_finite());
        // One warm-up call, then at least three batches of at least one.
        assert!(calls >= 4, "{calls}");
    }

    #[test]
    fn threads_each_run_the_operation() {
        let count = std::sync::atomic::AtomicU64::new(0);
        let figure = measure(Duration::from_millis(5), 2, || {
            Ok(|| {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
        });
        assert!(figure.is_ok());
        assert!(count.load(std::sync::atomic::Ordering::Relaxed) >= 8);
    }

    #[test]
    fn a_failing_operation_fails_the_measurement() {
        let failed = measure(Duration::ZERO, 2, || {
            Ok(|| Err(CliError::runtime("benchmark failed: no")))
        });
        assert!(failed.is_err());
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        let f = figure(4, Duration::from_secs(1), vec![3.0, 1.0, 2.0]);
        assert!((f.median_ns - 2.0).abs() < f64::EPSILON);
        assert!((f.ops_per_sec - 4.0).abs() < 1e-9);
        let f = figure(4, Duration::from_secs(1), vec![4.0, 1.0, 2.0, 3.0]);
        assert!((f.median_ns - 2.5).abs() < f64::EPSILON);
    }
}
