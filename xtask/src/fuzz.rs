//! `cargo xtask fuzz [TARGET…] [--secs N] [--jobs N]`: cargo-fuzz campaigns on the stable
//! toolchain.
//!
//! ```text
//! install   cargo install --locked cargo-fuzz          (only when `cargo fuzz` is missing)
//! per target, in fuzz/target/logs/TARGET/ (the working directory, for libFuzzer's fuzz-J.log):
//!   run     RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz TARGET
//!               fuzz/target/corpus/TARGET fuzz/corpus/TARGET
//!               -- -max_total_time=N -print_final_stats=1 [-jobs=J -workers=J]
//!   stats   the last "#N DONE cov: … ft: … corp: …" line and the "stat::" lines (per job)
//!   crash   each new crash-/leak-/oom-/timeout- file in fuzz/artifacts/TARGET (git-ignored):
//!           cargo fuzz tmin (crash- and leak- only) → fuzz/corpus/TARGET/<artifact name>,
//!           which the ordinary tests replay; a one-line reproduction command
//! exit      non-zero when any target crashed (the other targets still run)
//! ```
//!
//! libFuzzer writes new inputs into the first corpus directory only: the scratch one under
//! `fuzz/target/` (git-ignored, kept between runs so campaigns resume), never the committed
//! seed corpus, which only gains minimised regression inputs. The default build is cargo-fuzz's:
//! release with debug assertions (overflow checks) and AddressSanitizer. cargo-fuzz passes `-Z`
//! flags; `RUSTC_BOOTSTRAP=1` lets the stable toolchain accept them.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use crate::{cargo, run, workspace_root};

/// Every fuzz target (the `[[bin]]`s of fuzz/Cargo.toml) and the test that replays its corpus.
pub(crate) const FUZZ_TARGETS: [(&str, &str); 9] = [
    ("payload", "cargo test -p dp-crypto --test fuzz_corpus"),
    ("key_xml", "cargo test -p dp-keyring --test fuzz_corpus"),
    (
        "store_elements",
        "cargo test -p dp-keyring --features redis --test fuzz_corpus",
    ),
    (
        "sql_rows",
        "cargo test -p dp-keyring --features postgres,mysql --test fuzz_corpus",
    ),
    ("envelope", "cargo test -p dp-envelope --test fuzz_corpus"),
    (
        "envelope_open",
        "cargo test -p dp-envelope --test fuzz_corpus",
    ),
    ("capi_blob", "cargo test -p dp-envelope --test fuzz_corpus"),
    (
        "ticket",
        "cargo test -p dp-aspnet --test fuzz_corpus_ticket",
    ),
    (
        "cookie_header",
        "cargo test -p dp-aspnet --test fuzz_corpus_cookie",
    ),
];

const USAGE: &str = "usage: cargo xtask fuzz [TARGET…] [--secs N] [--jobs N]";

/// Artifact name prefixes libFuzzer uses for failures (`slow-unit-` is a report, not one).
const FAILURE_PREFIXES: [&str; 4] = ["crash-", "leak-", "oom-", "timeout-"];

/// What to fuzz.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Targets in the order given; every target when none was named.
    targets: Vec<&'static str>,
    /// Seconds of fuzzing per target (libFuzzer's `-max_total_time`).
    secs: u64,
    /// libFuzzer `-jobs` and `-workers`, when more than one.
    jobs: Option<u32>,
}

pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
    let names = || {
        FUZZ_TARGETS
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut targets = Vec::new();
    let mut secs = 60;
    let mut jobs = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{name} needs a number; {USAGE}"))
        };
        match flag {
            "--secs" => secs = positive(&value("--secs")?, "--secs")?,
            "--jobs" => {
                let n = positive(&value("--jobs")?, "--jobs")?;
                jobs = Some(u32::try_from(n).map_err(|_| "--jobs is too large".to_owned())?);
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}; {USAGE}")),
            number if number.parse::<u64>().is_ok() => {
                return Err(format!(
                    "`{number}`: the positional form `cargo xtask fuzz TARGET SECONDS` is gone\n\
                     hint: cargo xtask fuzz {} --secs {number}",
                    targets.last().copied().unwrap_or("TARGET")
                ));
            }
            name => {
                let target = FUZZ_TARGETS
                    .iter()
                    .map(|(t, _)| *t)
                    .find(|t| *t == name)
                    .ok_or_else(|| format!("unknown fuzz target `{name}`; targets: {}", names()))?;
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.iter().map(|(t, _)| *t).collect();
    }
    Ok(Options {
        targets,
        secs,
        jobs: jobs.filter(|j| *j > 1),
    })
}

fn positive(text: &str, name: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{name} needs a whole number above 0, not `{text}`")),
    }
}

/// What one target's run left.
struct Outcome {
    target: &'static str,
    /// libFuzzer's final lines, per job.
    stats: Vec<String>,
    /// Regression inputs added to the seed corpus, with their reproduction commands.
    regressions: Vec<(PathBuf, String)>,
}

pub(crate) fn fuzz(options: &Options) -> Result<(), String> {
    ensure_cargo_fuzz()?;
    let root = workspace_root();
    let mut outcomes = Vec::new();
    for &target in &options.targets {
        outcomes.push(fuzz_target(&root, target, options)?);
    }
    println!("\n==> fuzz summary ({} s per target)", options.secs);
    for outcome in &outcomes {
        println!("{}:", outcome.target);
        if outcome.stats.is_empty() {
            println!("  (libFuzzer printed no final stats)");
        }
        for line in &outcome.stats {
            println!("  {line}");
        }
        for (input, repro) in &outcome.regressions {
            println!("  CRASH, regression input {}", input.display());
            println!("  reproduce: {repro}");
        }
    }
    let crashed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.regressions.is_empty())
        .map(|o| o.target)
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found failures in {}: fix them, then commit the regression inputs (listed \
             above) with the fix",
            crashed.join(", ")
        ))
    }
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    run(
        "cargo install --locked cargo-fuzz",
        cargo().args(["install", "--locked", "cargo-fuzz"]),
    )
}

/// `cargo fuzz SUBCOMMAND` on the stable toolchain, run in `dir`, building into fuzz/target.
fn cargo_fuzz(root: &Path, dir: &Path, subcommand: &str) -> Command {
    let mut cmd = cargo();
    cmd.current_dir(dir)
        .args(["fuzz", subcommand, "--fuzz-dir"])
        .arg(root.join("fuzz"))
        // cargo-fuzz passes nightly flags; the stable toolchain accepts them this way.
        .env("RUSTC_BOOTSTRAP", "1")
        // Fuzz builds (sanitizer and coverage flags) live in fuzz/target, never in the
        // workspace's target directory.
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

fn fuzz_target(root: &Path, target: &'static str, options: &Options) -> Result<Outcome, String> {
    let fuzz = root.join("fuzz");
    let seeds = fuzz.join("corpus").join(target);
    let scratch = fuzz.join("target").join("corpus").join(target);
    let logs = fuzz.join("target").join("logs").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    for dir in [&scratch, &logs, &artifacts] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    for old in list(&logs)? {
        fs::remove_file(&old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    let before = list(&artifacts)?;

    let mut cmd = cargo_fuzz(root, &logs, "run");
    cmd.arg(target)
        .arg(&scratch)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={}", options.secs))
        .arg("-print_final_stats=1");
    if let Some(jobs) = options.jobs {
        cmd.arg(format!("-jobs={jobs}"))
            .arg(format!("-workers={jobs}"));
    }
    println!("==> cargo fuzz run {target} ({} s)", options.secs);
    let (status, stderr_stats) = run_collecting_stats(&mut cmd)?;
    let stats = if options.jobs.is_some() {
        // Each job logs to fuzz-J.log in the working directory.
        let mut stats = Vec::new();
        for log in list(&logs)? {
            let text = fs::read_to_string(&log).unwrap_or_default();
            let job = log.file_stem().map(|s| s.to_string_lossy().into_owned());
            for line in final_stats(text.lines()) {
                stats.push(format!("[{}] {line}", job.as_deref().unwrap_or("?")));
            }
        }
        stats
    } else {
        stderr_stats
    };

    let failures: Vec<PathBuf> = list(&artifacts)?
        .into_iter()
        .filter(|p| !before.contains(p))
        .filter(|p| file_name(p).is_some_and(|n| FAILURE_PREFIXES.iter().any(|f| n.starts_with(f))))
        .collect();
    if !status.success() && failures.is_empty() {
        return Err(format!(
            "cargo fuzz run {target} failed ({status}) without a failing input: see above"
        ));
    }
    let mut regressions = Vec::new();
    for artifact in failures {
        let input = regression_input(root, target, &logs, &artifact, &seeds)?;
        let shown = input.strip_prefix(root).unwrap_or(&input);
        let repro = format!(
            "RUSTC_BOOTSTRAP=1 cargo fuzz run {target} {}",
            shown.display()
        );
        println!("reproduce: {repro}");
        println!(
            "replayed by: {}",
            FUZZ_TARGETS
                .iter()
                .find(|(t, _)| *t == target)
                .map_or("?", |(_, test)| test)
        );
        regressions.push((shown.to_path_buf(), repro));
    }
    Ok(Outcome {
        target,
        stats,
        regressions,
    })
}

/// Runs `cmd` with its stderr passed through, returning its status and libFuzzer's final
/// stats lines from that stderr.
fn run_collecting_stats(
    cmd: &mut Command,
) -> Result<(std::process::ExitStatus, Vec<String>), String> {
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| "cargo fuzz: no stderr pipe".to_owned())?;
    let reader = thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            lines.push(line);
        }
        final_stats(lines.iter().map(String::as_str))
    });
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo fuzz: {e}"))?;
    let stats = reader
        .join()
        .map_err(|_| "the stderr reader panicked".to_owned())?;
    Ok((status, stats))
}

/// The last `#N DONE …` line (executions, `cov:`, `ft:`, `corp:`, exec/s, rss) and the
/// `stat::` lines after it.
fn final_stats<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut stats: Vec<String> = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.starts_with('#') && line.contains("DONE") {
            stats.clear();
            stats.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
        } else if line.starts_with("stat::") {
            stats.push(line.to_owned());
        }
    }
    stats
}

/// Minimises a crash (crash- and leak- artifacts; oom- and timeout- inputs are kept as found)
/// and copies it into the seed corpus under the artifact's name.
fn regression_input(
    root: &Path,
    target: &str,
    logs: &Path,
    artifact: &Path,
    seeds: &Path,
) -> Result<PathBuf, String> {
    let name = file_name(artifact).unwrap_or("crash").to_owned();
    let mut minimised = artifact.to_path_buf();
    if name.starts_with("crash-") || name.starts_with("leak-") {
        let before = list(artifact.parent().unwrap_or(artifact))?;
        let mut cmd = cargo_fuzz(root, logs, "tmin");
        cmd.arg(target).arg(artifact);
        println!("==> cargo fuzz tmin {target} {name}");
        match cmd.status() {
            Ok(status) if status.success() => {}
            other => println!("tmin did not finish ({other:?}); keeping the input as found"),
        }
        let newest = list(artifact.parent().unwrap_or(artifact))?
            .into_iter()
            .filter(|p| !before.contains(p))
            .filter(|p| file_name(p).is_some_and(|n| n.starts_with("minimized-from-")))
            .max_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
        if let Some(newest) = newest {
            minimised = newest;
        }
    }
    let input = seeds.join(&name);
    fs::copy(&minimised, &input).map_err(|e| format!("{}: {e}", input.display()))?;
    println!(
        "regression input: {} (from {})",
        input.display(),
        minimised.display()
    );
    Ok(input)
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// The files in `dir`, sorted.
fn list(dir: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_targets_seconds_and_jobs() {
        assert_eq!(
            parse(&args("")).map(|o| (o.targets.len(), o.secs, o.jobs)),
            Ok((FUZZ_TARGETS.len(), 60, None))
        );
        assert_eq!(
            parse(&args("ticket payload ticket --secs 600 --jobs=2")),
            Ok(Options {
                targets: vec!["ticket", "payload"],
                secs: 600,
                jobs: Some(2),
            })
        );
        assert_eq!(
            parse(&args("--secs=5 --jobs 1")).map(|o| (o.secs, o.jobs)),
            Ok((5, None))
        );
    }

    #[test]
    fn refuses_the_positional_seconds_with_a_hint() {
        let Err(message) = parse(&args("payload 30")) else {
            panic!("the positional form was accepted");
        };
        assert!(message.contains("hint: cargo xtask fuzz payload --secs 30"));
        for bad in ["nope", "--secs 0", "--secs", "--jobs x", "--frobnicate"] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn final_stats_are_the_last_done_line_and_the_stat_lines() {
        let log = "#1024\tpulse  cov: 10 ft: 11 corp: 3/9b exec/s: 512 rss: 40Mb\n\
                   #99\tDONE   cov: 1 ft: 1 corp: 1/1b\n\
                   #4096\tDONE   cov: 812 ft: 2290 corp: 301/44Kb lim: 4096 exec/s: 68 rss: 90Mb\n\
                   Done 4096 runs in 60 second(s)\n\
                   stat::number_of_executed_units: 4096\n\
                   stat::peak_rss_mb: 90";
        assert_eq!(
            final_stats(log.lines()),
            [
                "#4096 DONE cov: 812 ft: 2290 corp: 301/44Kb lim: 4096 exec/s: 68 rss: 90Mb",
                "stat::number_of_executed_units: 4096",
                "stat::peak_rss_mb: 90",
            ]
        );
    }

    /// Every `[[bin]]` of fuzz/Cargo.toml is listed here (and nothing else), has a committed
    /// seed corpus, and the test named for it replays that corpus.
    #[test]
    fn every_fuzz_target_is_listed_seeded_and_replayed() -> Result<(), String> {
        let root = workspace_root();
        let manifest =
            fs::read_to_string(root.join("fuzz/Cargo.toml")).map_err(|e| e.to_string())?;
        let manifest: toml_edit::DocumentMut = manifest.parse().map_err(|e| format!("{e}"))?;
        let bins: BTreeSet<&str> = manifest["bin"]
            .as_array_of_tables()
            .ok_or("fuzz/Cargo.toml has no [[bin]]")?
            .iter()
            .filter_map(|bin| bin["name"].as_str())
            .collect();
        let listed: BTreeSet<&str> = FUZZ_TARGETS.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            bins, listed,
            "fuzz/Cargo.toml's [[bin]]s and FUZZ_TARGETS differ"
        );
        for (target, test) in FUZZ_TARGETS {
            let seeds = list(&root.join("fuzz/corpus").join(target))?;
            assert!(!seeds.is_empty(), "{target}: no seed corpus");
            let package = test.split_whitespace().skip_while(|w| *w != "-p").nth(1);
            let file = test
                .split_whitespace()
                .skip_while(|w| *w != "--test")
                .nth(1);
            let (Some(package), Some(file)) = (package, file) else {
                panic!("{target}: cannot read `{test}`");
            };
            let path = root
                .join("crates")
                .join(package)
                .join("tests")
                .join(format!("{file}.rs"));
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            // The directory spelled out, or named to the file's `corpus(TARGET)` helper.
            assert!(
                text.contains(&format!("fuzz/corpus/{target}\""))
                    || text.contains(&format!("corpus(\"{target}\")")),
                "{} does not replay fuzz/corpus/{target}",
                path.display()
            );
        }
        Ok(())
    }
}
