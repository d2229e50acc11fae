//! The `dp envelope` command-line contract: key files, round trips, rejections (exit 3, nothing
//! released), replays, signatures, inspection and help.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use sha2::{Digest, Sha256};

const CHUNK: usize = 64 * 1024;

/// A private HOME and XDG_DATA_HOME, so the default replay cache is inside the test's directory.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dp"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env_remove("DP_KEY_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn spawn(&self, args: &[&str], stdin: &[u8]) -> Child {
        std::fs::create_dir_all(self.path("tmp")).unwrap();
        let mut child = self.command(args).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        // The child may reject the input before reading all of it.
        let _ = input.write_all(stdin);
        drop(input);
        child
    }

    fn dp(&self, args: &[&str], stdin: &[u8]) -> Output {
        self.spawn(args, stdin).wait_with_output().unwrap()
    }

    /// `dp envelope keygen --bits 2048 --out NAME`, returning the fingerprint.
    fn keygen(&self, name: &str) -> String {
        let o = self.dp(
            &[
                "envelope",
                "keygen",
                "--bits",
                "2048",
                "--out",
                &self.p(name),
            ],
            b"",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    }

    fn seal(&self, args: &[&str], plaintext: &[u8]) -> Vec<u8> {
        let mut all = vec!["envelope", "seal"];
        all.extend_from_slice(args);
        let o = self.dp(&all, plaintext);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        o.stdout
    }

    fn open(&self, args: &[&str], envelope: &[u8]) -> Output {
        let mut all = vec!["envelope", "open"];
        all.extend_from_slice(args);
        self.dp(&all, envelope)
    }

    fn inspect_json(&self, envelope: &[u8]) -> serde_json::Value {
        let o = self.dp(&["envelope", "inspect", "--json"], envelope);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    /// Names in a directory, sorted.
    fn listing(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a rejection: exit 3, nothing on stdout, one `error:` line.
fn assert_rejected(o: &Output, what: &str) {
    assert_eq!(code(o), 3, "{what}: {}", stderr(o));
    assert!(o.stdout.is_empty(), "{what}: plaintext released");
    assert_eq!(
        stderr(o)
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        1,
        "{what}: {}",
        stderr(o)
    );
}

/// Deterministic bytes (xorshift64), reproducible without storing them.
struct Pattern(u64);

impl Pattern {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let bytes = self.0.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        Self(seed).fill(&mut out);
        out
    }
}

fn sha256_file(path: &Path) -> [u8; 32] {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    hasher.finalize().into()
}

/// Offsets where the envelope could be cut between two parts: after the header, after each
/// chunk frame (the last one's end is the signature's start when signed).
fn boundaries(envelope: &[u8], header_len: usize) -> Vec<usize> {
    let mut at = header_len;
    let mut out = vec![at];
    loop {
        let last = envelope[at] == 1;
        let body = u32::from_be_bytes(envelope[at + 1..at + 5].try_into().unwrap()) as usize;
        at += 5 + body;
        out.push(at);
        if last {
            return out;
        }
    }
}

#[test]
fn keygen_writes_a_private_key_0600_and_never_overwrites() {
    let env = Env::new();
    let fingerprint = env.keygen("bob");
    assert_eq!(fingerprint.len(), 64, "{fingerprint}");
    assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
    let private = std::fs::read_to_string(env.path("bob.key.pem")).unwrap();
    let public = std::fs::read_to_string(env.path("bob.pub.pem")).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{private}"
    );
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("bob.key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Either file existing is enough to refuse, and nothing is touched.
    let o = env.dp(
        &["envelope", "keygen", "--bits", "2048", "--out", "bob"],
        b"",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to overwrite"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint: "), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(env.path("bob.key.pem")).unwrap(),
        private
    );
    assert_eq!(
        std::fs::read_to_string(env.path("bob.pub.pem")).unwrap(),
        public
    );
    std::fs::write(env.path("carol.pub.pem"), "mine").unwrap();
    let o = env.dp(
        &["envelope", "keygen", "--bits", "2048", "--out", "carol"],
        b"",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!env.path("carol.key.pem").exists());
    assert_eq!(
        std::fs::read_to_string(env.path("carol.pub.pem")).unwrap(),
        "mine"
    );

    let o = env.dp(&["envelope", "keygen", "--bits", "1024", "--out", "x"], b"");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn round_trips_at_chunk_boundaries() {
    let env = Env::new();
    env.keygen("bob");
    let to = env.p("bob.pub.pem");
    let key = env.p("bob.key.pem");
    for (len, chunks) in [(0, 1), (1, 1), (CHUNK, 1), (CHUNK + 1, 2)] {
        let plaintext = Pattern::bytes(len as u64 + 1, len);
        // stdin to stdout.
        let envelope = env.seal(&["--to", &to], &plaintext);
        assert_eq!(&envelope[..5], b"dpENV");
        let info = env.inspect_json(&envelope);
        assert_eq!(info["chunks"], chunks, "{len}");
        assert_eq!(info["plaintext_length"], len, "{len}");
        assert_eq!(info["total_length"], envelope.len(), "{len}");
        let o = env.open(&["--key", &key], &envelope);
        assert_eq!(code(&o), 0, "{len}: {}", stderr(&o));
        assert!(o.stdout == plaintext, "{len}: plaintext differs");
        assert!(stderr(&o).is_empty(), "{}", stderr(&o));

        // Files in and out.
        let input = env.path(&format!("in-{len}"));
        std::fs::write(&input, &plaintext).unwrap();
        let sealed = env.p(&format!("in-{len}.dpenv"));
        let opened = env.path(&format!("out-{len}"));
        let o = env.dp(
            &[
                "envelope",
                "seal",
                "--to",
                &to,
                "-o",
                &sealed,
                input.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        let o = env.dp(
            &[
                "envelope",
                "open",
                "--key",
                &key,
                "-o",
                opened.to_str().unwrap(),
                &sealed,
            ],
            b"",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(std::fs::read(&opened).unwrap() == plaintext, "{len}");
    }
    // Scratch files for stdout are gone.
    assert!(env.listing(&env.path("tmp")).is_empty());
}

#[test]
fn hundred_mib_streams_through_files_in_bounded_memory() {
    const LEN: usize = 100 << 20;
    let env = Env::new();
    env.keygen("alice");
    env.keygen("bob");
    let input = env.path("big");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        let mut pattern = Pattern(0x5eed);
        let mut block = vec![0; 1 << 20];
        for _ in 0..LEN / block.len() {
            pattern.fill(&mut block);
            file.write_all(&block).unwrap();
        }
        file.flush().unwrap();
    }
    let o = env.dp(
        &[
            "envelope",
            "seal",
            "--to",
            &env.p("bob.pub.pem"),
            "--sign",
            &env.p("alice.key.pem"),
            "-o",
            &env.p("big.dpenv"),
            &env.p("big"),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let open_args = [
        "envelope",
        "open",
        "--key",
        &env.p("bob.key.pem"),
        "--from",
        &env.p("alice.pub.pem"),
        "-o",
        &env.p("big.out"),
        &env.p("big.dpenv"),
    ];
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        // Peak memory, not speed: GNU time's %M is the maximum resident set size in KiB.
        let o = Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg(env!("CARGO_BIN_EXE_dp"))
            .args(open_args)
            .env("HOME", env.dir.path())
            .env("XDG_DATA_HOME", env.path("xdg"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let err = stderr(&o);
        let kib: u64 = err.trim().lines().last().unwrap().trim().parse().unwrap();
        eprintln!("dp envelope open of 100 MiB: peak RSS {kib} KiB");
        assert!(kib < 64 * 1024, "peak RSS {kib} KiB");
    } else {
        eprintln!("note: /usr/bin/time is missing: peak memory not measured");
        let o = env.dp(&open_args, b"");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(sha256_file(&env.path("big.out")), sha256_file(&input));
    let mut names = env.listing(env.dir.path());
    names.retain(|n| n.starts_with('.'));
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn every_recipient_opens_and_no_one_else() {
    let env = Env::new();
    for name in ["a", "b", "c", "eve"] {
        env.keygen(name);
    }
    let plaintext = Pattern::bytes(7, 1000);
    let envelope = env.seal(
        &[
            "--to",
            &env.p("a.pub.pem"),
            "--to",
            &env.p("b.pub.pem"),
            "--to",
            &env.p("c.pub.pem"),
        ],
        &plaintext,
    );
    assert_eq!(
        env.inspect_json(&envelope)["recipients"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // One cache for all three: the cache key is (sender, message id), so each opening after
    // the first is a replay for the shared cache; separate caches model separate recipients.
    for name in ["a", "b", "c"] {
        let cache = env.p(&format!("cache-{name}"));
        let o = env.open(
            &[
                "--key",
                &env.p(&format!("{name}.key.pem")),
                "--replay-cache",
                &cache,
            ],
            &envelope,
        );
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        assert!(o.stdout == plaintext);
    }
    let o = env.open(&["--key", &env.p("eve.key.pem")], &envelope);
    assert_rejected(&o, "not a recipient");
    assert!(stderr(&o).contains("not a recipient"), "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: "), "{}", stderr(&o));
}

#[test]
fn tampered_or_truncated_envelopes_release_nothing() {
    let env = Env::new();
    env.keygen("alice");
    env.keygen("bob");
    let key = env.p("bob.key.pem");
    let from = env.p("alice.pub.pem");
    let plaintext = Pattern::bytes(3, 2 * CHUNK + 5000);
    let envelope = env.seal(
        &[
            "--to",
            &env.p("bob.pub.pem"),
            "--sign",
            &env.p("alice.key.pem"),
        ],
        &plaintext,
    );
    let info = env.inspect_json(&envelope);
    assert_eq!(info["chunks"], 3);
    let header_len = usize::try_from(info["header_length"].as_u64().unwrap()).unwrap();
    let signature_start = envelope.len() - 256;
    let out_dir = env.path("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("plain");

    // Header (message id), a wrapped key, a chunk body, the signature.
    let flips = [
        ("header", 20),
        ("wrapped key", header_len - 10),
        ("header MAC", header_len - 256 - 1),
        ("chunk body", header_len + 5 + 100),
        ("last chunk body", signature_start - 1),
        ("signature", signature_start + 7),
    ];
    for (what, at) in flips {
        let mut bad = envelope.clone();
        bad[at] ^= 0x01;
        let file = env.path("bad.dpenv");
        std::fs::write(&file, &bad).unwrap();
        // The replay check stays on: a rejected envelope must not be recorded.
        let o = env.open(
            &[
                "--key",
                &key,
                "--from",
                &from,
                "-o",
                out.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
            b"",
        );
        assert_rejected(&o, what);
        assert!(
            env.listing(&out_dir).is_empty(),
            "{what}: output or temporary file left behind"
        );
        let o = env.open(&["--key", &key, "--from", &from], &bad);
        assert_rejected(&o, what);
    }

    let cuts = boundaries(&envelope, header_len);
    assert_eq!(cuts.len(), 4, "header, then 3 chunks");
    assert_eq!(*cuts.last().unwrap(), signature_start);
    let mut cuts = cuts;
    cuts.extend([0, 5, header_len - 1, header_len + 3, envelope.len() - 1]);
    for cut in cuts {
        let o = env.open(&["--key", &key, "--from", &from], &envelope[..cut]);
        assert_rejected(&o, &format!("truncated at {cut}"));
    }
    let mut longer = envelope.clone();
    longer.push(0);
    let o = env.open(&["--key", &key, "--from", &from], &longer);
    assert_rejected(&o, "trailing byte");
    assert!(env.listing(&env.path("tmp")).is_empty());

    // None of that was recorded: the genuine envelope still opens, once.
    let o = env.open(&["--key", &key, "--from", &from], &envelope);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout == plaintext);
}

#[test]
fn replays_are_rejected_and_races_have_one_winner() {
    let env = Env::new();
    env.keygen("bob");
    let key = env.p("bob.key.pem");
    let envelope = env.seal(&["--to", &env.p("bob.pub.pem")], b"once");

    // The default cache, under XDG_DATA_HOME.
    let default_cache = env.path("xdg/dp/replay-cache");
    let o = env.open(&["--key", &key], &envelope);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"once");
    assert!(default_cache.exists());
    let size = std::fs::metadata(&default_cache).unwrap().len();
    let o = env.open(&["--key", &key], &envelope);
    assert_rejected(&o, "replay");
    assert!(stderr(&o).contains("replay"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(default_cache.to_str().unwrap()),
        "the hint names the cache: {}",
        stderr(&o)
    );
    assert_eq!(std::fs::metadata(&default_cache).unwrap().len(), size);
    // Deliberately bypassed.
    let o = env.open(&["--key", &key, "--no-replay-check"], &envelope);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // An explicit cache, with an explicit window.
    let cache = env.p("cache");
    let args = [
        "--key",
        key.as_str(),
        "--replay-cache",
        &cache,
        "--max-age",
        "1h",
    ];
    let o = env.open(&args, &envelope);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = env.open(&args, &envelope);
    assert_rejected(&o, "replay, explicit cache");

    // Two processes racing on one cache: exactly one opens it.
    let envelope = env.seal(&["--to", &env.p("bob.pub.pem")], b"race");
    let race_cache = env.p("race-cache");
    let args = [
        "envelope",
        "open",
        "--key",
        &key,
        "--replay-cache",
        &race_cache,
    ];
    let children: Vec<Child> = (0..2).map(|_| env.spawn(&args, &envelope)).collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut codes: Vec<i32> = outputs.iter().map(code).collect();
    codes.sort_unstable();
    assert_eq!(codes, [0, 3], "{outputs:?}");
    for o in &outputs {
        if code(o) == 3 {
            assert_rejected(o, "race loser");
        } else {
            assert_eq!(o.stdout, b"race");
        }
    }

    // Usage: a malformed duration, and flags that contradict --no-replay-check.
    let o = env.open(&["--key", &key, "--max-age", "soon"], &envelope);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = env.open(
        &["--key", &key, "--no-replay-check", "--replay-cache", "x"],
        &envelope,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn signatures_name_the_sender() {
    let env = Env::new();
    env.keygen("alice");
    env.keygen("bob");
    env.keygen("mallory");
    let key = env.p("bob.key.pem");
    let signed = env.seal(
        &[
            "--to",
            &env.p("bob.pub.pem"),
            "--sign",
            &env.p("alice.key.pem"),
        ],
        b"from alice",
    );
    let unsigned = env.seal(&["--to", &env.p("bob.pub.pem")], b"from anyone");
    let info = env.inspect_json(&signed);
    assert_eq!(info["signed"], true);
    assert_eq!(info["sender"]["signature_length"], 256);

    let o = env.open(
        &[
            "--key",
            &key,
            "--no-replay-check",
            "--from",
            &env.p("alice.pub.pem"),
        ],
        &signed,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"from alice");
    assert!(stderr(&o).is_empty(), "verified: no note: {}", stderr(&o));

    // Without --from the signature is verified all the same, and a note names the signer.
    let o = env.open(&["--key", &key, "--no-replay-check"], &signed);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let alice = info["sender"]["fingerprint"].as_str().unwrap();
    assert!(
        stderr(&o).starts_with("note: ") && stderr(&o).contains(alice),
        "{}",
        stderr(&o)
    );

    let o = env.open(
        &[
            "--key",
            &key,
            "--no-replay-check",
            "--from",
            &env.p("mallory.pub.pem"),
        ],
        &signed,
    );
    assert_rejected(&o, "wrong sender");
    let o = env.open(
        &[
            "--key",
            &key,
            "--no-replay-check",
            "--from",
            &env.p("alice.pub.pem"),
        ],
        &unsigned,
    );
    assert_rejected(&o, "unsigned");
    let stripped = &signed[..signed.len() - 256];
    let o = env.open(
        &[
            "--key",
            &key,
            "--no-replay-check",
            "--from",
            &env.p("alice.pub.pem"),
        ],
        stripped,
    );
    assert_rejected(&o, "signature removed");

    // Key files of the wrong kind are operational errors, with a hint.
    let o = env.open(&["--key", &env.p("bob.pub.pem")], &signed);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: "), "{}", stderr(&o));
    let o = env.dp(&["envelope", "seal", "--to", &env.p("bob.key.pem")], b"x");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn signatures_are_verified_without_from_in_every_region() {
    let env = Env::new();
    env.keygen("alice");
    env.keygen("bob");
    env.keygen("carol");
    let envelope = env.seal(
        &[
            "--to",
            &env.p("bob.pub.pem"),
            "--to",
            &env.p("carol.pub.pem"),
            "--sign",
            &env.p("alice.key.pem"),
        ],
        &Pattern::bytes(9, 3 * 1024),
    );
    let info = env.inspect_json(&envelope);
    let header_len = usize::try_from(info["header_length"].as_u64().unwrap()).unwrap();
    // fixed 44 | sender key k | 2 × 34 table | 32 MAC | 2 × 256 wrapped keys
    let k = header_len - 44 - 2 * 34 - 32 - 2 * 256;
    let table = 44 + k;
    let mac = table + 2 * 34;
    let wrapped = mac + 32;
    let signature = envelope.len() - 256;
    let regions = [
        ("message id", 20),
        ("sender key", 44 + 10),
        ("first recipient entry", table + 5),
        ("first wrapped key length", table + 33),
        ("second recipient entry", table + 34 + 5),
        ("header MAC", mac + 3),
        ("bob's wrapped key", wrapped + 10),
        ("carol's wrapped key", wrapped + 256 + 10),
        ("chunk frame", header_len),
        ("chunk body", header_len + 100),
        ("last byte of content", signature - 1),
        ("signature", signature + 7),
        ("last byte of the signature", envelope.len() - 1),
    ];
    let out_dir = env.path("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("plain");
    let open = |bytes: &[u8]| {
        let file = env.path("m.dpenv");
        std::fs::write(&file, bytes).unwrap();
        env.open(
            &[
                "--key",
                &env.p("bob.key.pem"),
                "--no-replay-check",
                "-o",
                out.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
            b"",
        )
    };
    for (what, at) in regions {
        let mut bad = envelope.clone();
        bad[at] ^= 0x04;
        let o = open(&bad);
        assert_rejected(&o, what);
        assert!(
            env.listing(&out_dir).is_empty(),
            "{what}: OUT or a temporary file left"
        );
    }
    let o = open(&envelope);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), Pattern::bytes(9, 3 * 1024));
}

#[test]
fn inspect_needs_no_key_and_rejects_garbage() {
    let env = Env::new();
    let bob = env.keygen("bob");
    let alice = env.keygen("alice");
    let envelope = env.seal(
        &[
            "--to",
            &env.p("bob.pub.pem"),
            "--sign",
            &env.p("alice.key.pem"),
        ],
        &Pattern::bytes(1, CHUNK + 1),
    );
    let file = env.path("m.dpenv");
    std::fs::write(&file, &envelope).unwrap();
    let o = env.dp(
        &["envelope", "inspect", "--json", file.to_str().unwrap()],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["format_version"], 2);
    assert_eq!(info["content_algorithm"], "AES-256-GCM");
    assert!(info["created"].as_str().unwrap().ends_with('Z'), "{info}");
    assert!(info["created_unix"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(info["message_id"].as_str().unwrap().len(), 32);
    assert_eq!(info["signed"], true);
    assert_eq!(info["sender"]["fingerprint"], alice.as_str());
    assert_eq!(info["recipients"][0]["fingerprint"], bob.as_str());
    assert_eq!(info["recipients"][0]["wrapped_key_length"], 256);
    assert_eq!(info["chunk_size"], CHUNK);
    assert_eq!(info["chunks"], 2);
    assert_eq!(info["plaintext_length"], CHUNK + 1);
    assert_eq!(info["total_length"], envelope.len());
    assert!(info["header_length"].as_u64().unwrap() > 0);
    assert!(info["content_length"].as_u64().unwrap() > (CHUNK + 1) as u64);

    let o = env.dp(&["envelope", "inspect", file.to_str().unwrap()], b"");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&bob) && text.contains(&alice), "{text}");

    for garbage in [
        &b""[..],
        b"not an envelope at all",
        &envelope[..envelope.len() - 1],
    ] {
        let o = env.dp(&["envelope", "inspect"], garbage);
        assert_rejected(&o, "garbage");
    }
}

#[test]
fn failed_seal_leaves_no_file() {
    let env = Env::new();
    env.keygen("bob");
    let out = env.path("out");
    std::fs::create_dir(&out).unwrap();
    // A directory opens but does not read: the failure comes mid-stream.
    let o = env.dp(
        &[
            "envelope",
            "seal",
            "--to",
            &env.p("bob.pub.pem"),
            "-o",
            out.join("x.dpenv").to_str().unwrap(),
            env.dir.path().to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(env.listing(&out).is_empty());
}

#[test]
fn help_mentions_envelopes_with_examples() {
    let env = Env::new();
    for args in [
        vec!["envelope", "--help"],
        vec!["envelope", "keygen", "--help"],
        vec!["envelope", "seal", "--help"],
        vec!["envelope", "open", "--help"],
        vec!["envelope", "inspect", "--help"],
    ] {
        let o = env.dp(&args, b"");
        assert_eq!(code(&o), 0);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("Example"), "{args:?}: {text}");
    }
    let o = env.dp(&["--help"], b"");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("envelope"), "{text}");
    let o = env.dp(&["envelope", "open", "--help"], b"");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("nothing is written to stdout"), "{text}");
}
