//! `cargo xtask bench`: dp's figures beside the hardware limit `openssl speed` shows on the same
//! machine, in the same run, and optionally beside ASP.NET Core's.
//!
//! ```text
//! cargo xtask bench [--seconds S] [--threads N] [--dotnet FILE [--dotnet-openssl FILE]] [FILTER]
//! cargo xtask bench --criterion [FILTER]
//! ```
//!
//! The limits: AES-256-CBC+HMACSHA256 makes two serial passes over the data (CBC encryption or
//! decryption, and HMAC-SHA256), so its limit is `1 / (1/cbc + 1/hmac)` at the same size;
//! AES-256-GCM's is `openssl speed -evp aes-256-gcm`; an envelope open of 1 KiB is one RSA
//! private-key operation (`openssl speed rsaN`, sign); a 64 MiB envelope is bound by its content
//! cipher, AES-256-GCM. The .NET figures were measured on another machine: they are scaled by
//! the ratio of this machine's OpenSSL AES-256-CBC rate at 1 KiB to the one recorded with them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{cargo, run, workspace_root};

/// Sizes `openssl speed` runs at: those of dp bench's protect rows.
const SIZES: [u64; 4] = [32, 1024, 65536, 1_048_576];
/// The envelope size whose rate is compared with the content cipher's.
const LARGE_ENVELOPE: u64 = 64 << 20;

/// Parsed command line.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Options {
    pub criterion: bool,
    pub seconds: Option<String>,
    pub threads: Option<String>,
    pub dotnet: Option<PathBuf>,
    pub dotnet_openssl: Option<PathBuf>,
    pub filter: Option<String>,
}

pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--criterion" => options.criterion = true,
            "--seconds" => options.seconds = Some(value("--seconds")?),
            "--threads" => options.threads = Some(value("--threads")?),
            "--dotnet" => options.dotnet = Some(value("--dotnet")?.into()),
            "--dotnet-openssl" => options.dotnet_openssl = Some(value("--dotnet-openssl")?.into()),
            flag if flag.starts_with("--") => {
                return Err(format!("bench: unknown option `{flag}`"));
            }
            filter => {
                if options.filter.replace(filter.to_owned()).is_some() {
                    return Err("bench: one FILTER at most".into());
                }
            }
        }
    }
    if options.criterion
        && (options.seconds.is_some() || options.threads.is_some() || options.dotnet.is_some())
    {
        return Err("bench --criterion takes only a FILTER".into());
    }
    Ok(options)
}

pub(crate) fn bench(options: &Options) -> Result<(), String> {
    if options.criterion {
        return criterion(options.filter.as_deref());
    }
    run(
        "cargo build --release -p dp-cli",
        cargo().args(["build", "--release", "-p", "dp-cli"]),
    )?;
    let out_dir = target_dir().join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let dp = target_dir().join("release").join("dp");
    let mut cmd = Command::new(&dp);
    cmd.args(["bench", "--json"]);
    cmd.args(["--seconds", options.seconds.as_deref().unwrap_or("0.5")]);
    cmd.args(["--threads", options.threads.as_deref().unwrap_or("2")]);
    if let Some(filter) = &options.filter {
        cmd.arg(filter);
    }
    println!("==> dp bench --json (progress on stderr)");
    let output = cmd
        .output()
        .map_err(|e| format!("{}: cannot start: {e}", dp.display()))?;
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        return Err(format!("dp bench failed ({})", output.status));
    }
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("dp bench --json printed no JSON: {e}"))?;
    save(&out_dir.join("dp-bench.json"), &output.stdout)?;

    let openssl = match OpenSsl::measure(&out_dir) {
        Ok(openssl) => Some(openssl),
        Err(why) => {
            println!("note: {why}: the ratios to the hardware limit are missing");
            None
        }
    };
    let dotnet = match &options.dotnet {
        Some(path) => Some(Dotnet::load(
            path,
            options.dotnet_openssl.as_deref(),
            openssl.as_ref(),
        )?),
        None => None,
    };
    print_table(&report, openssl.as_ref(), dotnet.as_ref());
    println!(
        "\nraw results: {} and {}",
        out_dir.join("dp-bench.json").display(),
        out_dir.join("openssl-speed.txt").display()
    );
    Ok(())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

fn save(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The criterion benchmarks: KDF, encryptors, AAD building, key-ring lookup (dp-crypto and
/// dp-keyring), ticket decoding (dp-aspnet), envelope chunks and RSA (dp-envelope, both RSA
/// backends).
fn criterion(filter: Option<&str>) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args([
        "bench",
        "-p",
        "dp-crypto",
        "-p",
        "dp-keyring",
        "-p",
        "dp-envelope",
        "-p",
        "dp-aspnet",
        // Only the criterion targets: not the unit tests in bench mode.
        "--bench",
        "encryptor",
        "--bench",
        "protector",
        "--bench",
        "envelope",
        "--bench",
        "cookie_decode",
        // The pure-Rust RSA backend too, so the unwrap benchmark compares both.
        "--features",
        "dp-envelope/rust-rsa",
    ]);
    if let Some(filter) = filter {
        cmd.args(["--", filter]);
    }
    run("cargo bench (criterion)", &mut cmd)
}

/// `openssl speed` figures, in bytes per second (symmetric) and operations per second (RSA).
#[derive(Debug, Default)]
pub(crate) struct OpenSsl {
    /// `(test, size)` → bytes/s; tests `cbc-enc`, `cbc-dec`, `hmac`, `gcm`.
    pub rates: BTreeMap<(&'static str, u64), f64>,
    /// Modulus bits → private-key (sign) operations per second.
    pub rsa_private: BTreeMap<u64, f64>,
}

impl OpenSsl {
    fn measure(out_dir: &Path) -> Result<Self, String> {
        let version = Command::new("openssl")
            .arg("version")
            .output()
            .map_err(|_| "openssl is not installed".to_owned())?;
        let mut log = String::from_utf8_lossy(&version.stdout).into_owned();
        let mut openssl = Self::default();
        let symmetric: [(&str, &[&str]); 4] = [
            ("cbc-enc", &["-evp", "aes-256-cbc"]),
            ("cbc-dec", &["-decrypt", "-evp", "aes-256-cbc"]),
            ("hmac", &["-hmac", "sha256"]),
            ("gcm", &["-evp", "aes-256-gcm"]),
        ];
        for (test, args) in symmetric {
            for size in SIZES {
                let size_arg = size.to_string();
                let mut all = vec!["speed", "-mr", "-seconds", "1", "-bytes", &size_arg];
                all.extend_from_slice(args);
                println!("==> openssl {}", all.join(" "));
                let text = openssl_output(&all)?;
                log.push_str(&format!("$ openssl {}\n{text}\n", all.join(" ")));
                let rate = parse_symmetric(&text)
                    .ok_or_else(|| format!("openssl {}: no rate in its output", all.join(" ")))?;
                openssl.rates.insert((test, size), rate);
            }
        }
        let all = ["speed", "-mr", "-seconds", "2", "rsa2048", "rsa3072"];
        println!("==> openssl {}", all.join(" "));
        let text = openssl_output(&all)?;
        log.push_str(&format!("$ openssl {}\n{text}\n", all.join(" ")));
        openssl.rsa_private = parse_rsa(&text);
        save(&out_dir.join("openssl-speed.txt"), log.as_bytes())?;
        Ok(openssl)
    }

    fn rate(&self, test: &str, size: u64) -> Option<f64> {
        self.rates
            .iter()
            .find(|((t, s), _)| *t == test && *s == size)
            .map(|(_, rate)| *rate)
    }

    /// The hardware limit of one dp result, in bytes per second (operations per second for
    /// RSA-bound rows), and what it is.
    fn limit(&self, op: &str, algorithm: &str, size: u64) -> Option<(f64, &'static str)> {
        match (op, algorithm) {
            ("protect" | "unprotect", "AES_256_CBC+HMACSHA256") => {
                let cbc = self.rate(
                    if op == "protect" {
                        "cbc-enc"
                    } else {
                        "cbc-dec"
                    },
                    size,
                )?;
                let hmac = self.rate("hmac", size)?;
                Some((1.0 / (1.0 / cbc + 1.0 / hmac), "CBC + HMAC serial"))
            }
            ("protect" | "unprotect", "AES_256_GCM") => Some((self.rate("gcm", size)?, "GCM")),
            ("open", rsa) if size < LARGE_ENVELOPE => {
                let bits: u64 = rsa.strip_prefix("RSA-")?.parse().ok()?;
                Some((*self.rsa_private.get(&bits)?, "RSA private op"))
            }
            ("seal" | "open", _) if size >= LARGE_ENVELOPE => {
                Some((self.rate("gcm", 1_048_576)?, "GCM 1 MiB"))
            }
            _ => None,
        }
    }
}

fn openssl_output(args: &[&str]) -> Result<String, String> {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("openssl: cannot start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "openssl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The rate of `openssl speed -mr -bytes N …`: the `+F:` line's last field, bytes per second.
pub(crate) fn parse_symmetric(text: &str) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with("+F:"))
        .find_map(|l| l.rsplit(':').next()?.trim().parse().ok())
}

/// `+F2:index:bits:sign:verify` → bits → signs per second. OpenSSL 3 prints rates there
/// (`+F2:2:2048:4852.5:81244.2`), older versions seconds per operation (`0.000682`); a value
/// below one is taken as seconds.
pub(crate) fn parse_rsa(text: &str) -> BTreeMap<u64, f64> {
    text.lines()
        .filter_map(|l| {
            let mut fields = l.strip_prefix("+F2:")?.split(':');
            let _index = fields.next()?;
            let bits: u64 = fields.next()?.parse().ok()?;
            let sign: f64 = fields.next()?.trim().parse().ok()?;
            if sign <= 0.0 {
                None
            } else if sign < 1.0 {
                Some((bits, 1.0 / sign))
            } else {
                Some((bits, sign))
            }
        })
        .collect()
}

/// ASP.NET Core's figures, scaled to this machine.
struct Dotnet {
    results: Vec<Value>,
    /// This machine's OpenSSL AES-256-CBC 1 KiB rate over the one recorded with the figures.
    scale: Option<f64>,
    note: String,
}

impl Dotnet {
    fn load(
        path: &Path,
        openssl_file: Option<&Path>,
        here: Option<&OpenSsl>,
    ) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let results = json["results"]
            .as_array()
            .cloned()
            .ok_or_else(|| format!("{}: no `results` array", path.display()))?;
        let openssl_file = match openssl_file {
            Some(file) => Some(file.to_owned()),
            None => sibling_openssl_file(path),
        };
        let there = openssl_file
            .as_deref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|t| parse_recorded_cbc_1k(&t));
        let here_cbc = here.and_then(|o| o.rate("cbc-enc", 1024));
        let (scale, note) = match (here_cbc, there) {
            (Some(here), Some(there)) => (
                Some(here / there),
                format!(
                    "ASP.NET Core figures ({}) scaled by {:.3} = this machine's OpenSSL AES-256-CBC \
                     1 KiB rate ({:.0} MB/s) / the rate recorded with them ({:.0} MB/s, {})",
                    path.display(),
                    here / there,
                    here / 1e6,
                    there / 1e6,
                    openssl_file
                        .as_deref()
                        .map_or_else(String::new, |f| f.display().to_string())
                ),
            ),
            _ => (
                None,
                format!(
                    "ASP.NET Core figures ({}) NOT scaled: no OpenSSL AES-256-CBC 1 KiB rate {}",
                    path.display(),
                    if here_cbc.is_none() {
                        "on this machine"
                    } else {
                        "recorded with them (--dotnet-openssl FILE)"
                    }
                ),
            ),
        };
        Ok(Self {
            results,
            scale,
            note,
        })
    }

    /// The counterpart of a dp result, operations per second on this machine.
    fn ops_per_sec(&self, op: &str, algorithm: &str, size: u64, threads: u64) -> Option<f64> {
        // Cookie and key-ring rows compare like with like whatever their exact sizes.
        let size_matters = !matches!(op, "cookie_decode" | "keyring_load");
        let found = self.results.iter().find(|r| {
            r["op"] == op
                && r["algorithm"] == algorithm
                && r["threads"].as_u64().unwrap_or(1) == threads
                && (!size_matters || r["size"].as_u64() == Some(size))
        })?;
        Some(found["ops_per_sec"].as_f64()? * self.scale.unwrap_or(1.0))
    }
}

/// `openssl-speed-*.txt` beside the .NET figures, as the shared bench directory keeps it.
fn sibling_openssl_file(path: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("openssl-speed") && n.ends_with(".txt"))
        })
        .collect();
    candidates.sort();
    candidates.pop()
}

/// The AES-256-CBC 1 KiB rate of a recorded `openssl speed` text, bytes per second: the first
/// `AES-256-CBC` row under a `type … 1024 bytes …` heading, in the column of 1024 bytes
/// (`openssl speed` prints thousands of bytes per second with a `k`).
pub(crate) fn parse_recorded_cbc_1k(text: &str) -> Option<f64> {
    let mut column = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"type") {
            // "type 16 bytes 64 bytes … 1024 bytes …": the index of 1024 among the sizes.
            let sizes: Vec<&str> = words
                .iter()
                .skip(1)
                .copied()
                .filter(|w| *w != "bytes")
                .collect();
            column = sizes.iter().position(|w| *w == "1024");
            continue;
        }
        if words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("aes-256-cbc"))
        {
            let value = words.get(1 + column?)?;
            let (number, factor) = match value.strip_suffix('k') {
                Some(n) => (n, 1000.0),
                None => (*value, 1.0),
            };
            return number.parse::<f64>().ok().map(|n| n * factor);
        }
    }
    None
}

fn print_table(report: &Value, openssl: Option<&OpenSsl>, dotnet: Option<&Dotnet>) {
    let host = &report["host"];
    println!(
        "\ndp {} on {} ({} cores; {})",
        report["dp_version"].as_str().unwrap_or("?"),
        host["cpu_model"].as_str().unwrap_or("?"),
        host["cores"],
        host["features"]
            .as_array()
            .map(|f| f
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "))
            .unwrap_or_default()
    );
    let mut header = vec![
        "op",
        "algorithm",
        "size",
        "thr",
        "ops/s",
        "median",
        "MB/s",
        "limit",
        "× limit",
    ];
    if dotnet.is_some() {
        header.push("× ASP.NET Core");
    }
    let mut lines = vec![header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    for r in report["results"].as_array().into_iter().flatten() {
        let op = r["op"].as_str().unwrap_or("?");
        let algorithm = r["algorithm"].as_str().unwrap_or("?");
        let size = r["size"].as_u64().unwrap_or(0);
        let threads = r["threads"].as_u64().unwrap_or(1);
        let ops = r["ops_per_sec"].as_f64().unwrap_or(0.0);
        let median = r["median_ns"].as_f64().unwrap_or(f64::NAN);
        let bytes = r["bytes_per_sec"].as_f64();
        // Ratios use the median time of one operation: like `openssl speed`, which counts CPU
        // time, it does not count the time other processes held the core.
        let per_thread_ops = 1e9 / median;
        let limit = openssl.and_then(|o| o.limit(op, algorithm, size));
        let (limit_text, ratio) = match limit {
            // RSA-bound rows: operations per second against private operations per second.
            Some((rsa_ops, "RSA private op")) => {
                (format!("{rsa_ops:.0} op/s"), Some(per_thread_ops / rsa_ops))
            }
            Some((limit, _)) => (
                format!("{:.0} MB/s", limit / 1e6),
                Some(per_thread_ops * size as f64 / limit),
            ),
            None => ("-".to_owned(), None),
        };
        let mut line = vec![
            op.to_owned(),
            match r["backend"].as_str() {
                Some(b) => format!("{algorithm} ({b})"),
                None => algorithm.to_owned(),
            },
            size_text(op, size),
            threads.to_string(),
            format!("{ops:.0}"),
            duration_text(median),
            bytes.map_or_else(|| "-".to_owned(), |b| format!("{:.1}", b / 1e6)),
            limit_text,
            ratio.map_or_else(|| "-".to_owned(), |x| format!("{x:.2}")),
        ];
        if let Some(dotnet) = dotnet {
            line.push(
                dotnet
                    .ops_per_sec(op, algorithm, size, threads)
                    .map_or_else(
                        || "-".to_owned(),
                        |theirs| format!("{:.2}", per_thread_ops * threads as f64 / theirs),
                    ),
            );
        }
        lines.push(line);
    }
    let columns = lines[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            let pad = " ".repeat(widths[i] - cell.chars().count());
            if i > 0 {
                text.push_str("  ");
            }
            if i < 2 {
                text.push_str(cell);
                text.push_str(&pad);
            } else {
                text.push_str(&pad);
                text.push_str(cell);
            }
        }
        println!("{}", text.trim_end());
    }
    println!(
        "\nlimit: what OpenSSL does on this machine, in this run — AES-256-CBC+HMACSHA256: \
         1/(1/cbc + 1/hmac-sha256) at the same size (two serial passes); AES-256-GCM: aes-256-gcm; \
         open 1 KiB: RSA private operations per second; 64 MiB envelopes: aes-256-gcm at 1 MiB. \
         × limit and × ASP.NET Core use dp's median time per operation (per thread), which, like \
         openssl speed's CPU time, leaves out time other processes held the core; ops/s and MB/s \
         are wall-clock rates."
    );
    if let Some(dotnet) = dotnet {
        println!("{}", dotnet.note);
    }
}

fn size_text(op: &str, size: u64) -> String {
    if op == "keyring_load" {
        format!("{size} keys")
    } else if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{} MiB", size >> 20)
    } else if size >= 1 << 10 && size.is_multiple_of(1 << 10) {
        format!("{} KiB", size >> 10)
    } else {
        format!("{size} B")
    }
}

fn duration_text(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

    use super::*;

    #[test]
    fn options_parse() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let o = parse(&args(&["--dotnet", "f.json", "--threads", "2", "GCM"])).unwrap();
        assert_eq!(o.dotnet.as_deref(), Some(Path::new("f.json")));
        assert_eq!(o.threads.as_deref(), Some("2"));
        assert_eq!(o.filter.as_deref(), Some("GCM"));
        assert!(parse(&args(&["--criterion", "kdf"])).unwrap().criterion);
        assert!(parse(&args(&["--criterion", "--dotnet", "x"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert!(parse(&args(&["a", "b"])).is_err());
        assert!(parse(&args(&["--seconds"])).is_err());
    }

    #[test]
    fn machine_readable_openssl_output_parses() {
        let sym = "+DT:aes-256-cbc:1:1024\n+R:812345:aes-256-cbc:1.000000\n\
                   +H:1024\n+F:22:aes-256-cbc:831841280.00\n";
        assert_eq!(parse_symmetric(sym), Some(831_841_280.0));
        let rsa = "+DTP:2048:private:rsa:2\n+R1:2934:2048:2.00\n+DTP:2048:public:rsa:2\n\
                   +R2:99000:2048:2.00\n+F2:0:2048:0.000682:0.000020\n+F2:1:3072:0.002000:0.000040\n";
        let rates = parse_rsa(rsa);
        assert!((rates[&2048] - 1466.28).abs() < 0.01);
        assert!((rates[&3072] - 500.0).abs() < 1e-9);
        // OpenSSL 3.0.19 prints rates.
        let rates =
            parse_rsa("+F2:2:2048:4852.500000:81244.221106\n+F2:3:3072:743.283582:37330.5\n");
        assert!((rates[&2048] - 4852.5).abs() < 1e-9);
        assert!((rates[&3072] - 743.283_582).abs() < 1e-9);
    }

    #[test]
    fn the_recorded_openssl_file_gives_the_cbc_rate_at_1_kib() {
        let text = "OpenSSL 3.0.19 27 Jan 2026\ntype           1024 bytes\n\
                    AES-256-CBC     839600.36k\nAES-256-CBC     851968.00k\n";
        assert_eq!(parse_recorded_cbc_1k(text), Some(839_600_360.0));
        let full = "type 16 bytes 64 bytes 256 bytes 1024 bytes 8192 bytes 16384 bytes\n\
                    aes-256-cbc 1.00k 2.00k 3.00k 4.00k 5.00k 6.00k\n";
        assert_eq!(parse_recorded_cbc_1k(full), Some(4000.0));
    }

    #[test]
    fn limits_follow_the_documented_rules() {
        let mut o = OpenSsl::default();
        o.rates.insert(("cbc-enc", 1024), 800.0);
        o.rates.insert(("hmac", 1024), 1000.0);
        o.rates.insert(("gcm", 1_048_576), 3000.0);
        o.rsa_private.insert(3072, 500.0);
        let (limit, _) = o.limit("protect", "AES_256_CBC+HMACSHA256", 1024).unwrap();
        assert!((limit - 1.0 / (1.0 / 800.0 + 1.0 / 1000.0)).abs() < 1e-9);
        assert_eq!(o.limit("unprotect", "AES_256_CBC+HMACSHA256", 1024), None);
        assert_eq!(o.limit("open", "RSA-3072", 1024).unwrap().0, 500.0);
        assert_eq!(
            o.limit("seal", "RSA-3072", LARGE_ENVELOPE).unwrap().0,
            3000.0
        );
        assert_eq!(o.limit("protect", "AES_128_GCM", 1024), None);
    }
}
