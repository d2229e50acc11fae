//! Outputs (issue 13): an interrupted command leaves nothing beside OUT (real signals), one
//! overwrite policy for every `-o` (`--force`; never the input itself), and plaintext reaches a
//! terminal only as text (a real pseudo-terminal, made by util-linux `script`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        for sub in ["tmp", "out", "keys"] {
            std::fs::create_dir(env.path(sub)).unwrap();
        }
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dp"));
        command.args(args);
        self.environment(&mut command);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// A private HOME, replay cache, TMPDIR and key ring.
    fn environment(&self, command: &mut Command) {
        command
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env("DP_KEY_DIR", self.dir.path().join("keys"));
    }

    fn dp(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self.command(args).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        let _ = input.write_all(stdin);
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let o = self.dp(args, stdin);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        o.stdout
    }

    /// `dp envelope keygen` for NAME.key.pem and NAME.pub.pem.
    fn keygen(&self, name: &str) {
        let out = self.p(name);
        self.ok(
            &["envelope", "keygen", "--bits", "2048", "--out", &out],
            b"",
        );
    }

    /// Runs `dp ARGS` in a pseudo-terminal (`script`): returns the exit code and everything the
    /// terminal showed (stdout and stderr, newlines as `\r\n`).
    fn on_terminal(&self, args: &[&str]) -> (i32, Vec<u8>) {
        let mut line = shell_quote(env!("CARGO_BIN_EXE_dp"));
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut script = Command::new("script");
        script.args(["-qec", &line, "/dev/null"]);
        self.environment(&mut script);
        let o = script
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::null())
            .output()
            .expect("util-linux `script` runs a command in a pseudo-terminal");
        (o.status.code().unwrap(), o.stdout)
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Pseudo-random, incompressible bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

// ---- 1. Interrupted output leaves nothing ----

#[derive(Clone, Copy, Debug)]
enum Stop {
    Int,
    Term,
    Kill,
}

/// Starts `dp ARGS`, feeds it the first `part` bytes of `input` through a pipe, lets it work
/// on them, and stops it with `stop` while it still waits for the rest.
fn interrupt(env: &Env, args: &[&str], input: &[u8], part: usize, stop: Stop) {
    let mut child: Child = env.command(args).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input[..part]).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "{args:?} ended before the signal: {}",
        stderr(&child.wait_with_output().unwrap())
    );
    match stop {
        Stop::Kill => child.kill().unwrap(),
        Stop::Int | Stop::Term => {
            let signal = if matches!(stop, Stop::Int) {
                "-INT"
            } else {
                "-TERM"
            };
            let status = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    let status = child.wait().unwrap();
    let expected = match stop {
        Stop::Int => 2,
        Stop::Term => 15,
        Stop::Kill => 9,
    };
    assert_eq!(status.signal(), Some(expected), "{args:?} {stop:?}");
    drop(stdin);
}

#[test]
fn interrupted_seal_and_open_leave_nothing_beside_out() {
    let env = Env::new();
    env.keygen("bob");
    let plaintext = noise(8 << 20);
    std::fs::write(env.path("big.bin"), &plaintext).unwrap();
    let envelope_path = env.p("big.dpenv");
    env.ok(
        &[
            "envelope",
            "seal",
            "--to",
            &env.p("bob.pub.pem"),
            "-o",
            &envelope_path,
            &env.p("big.bin"),
        ],
        b"",
    );
    let envelope = std::fs::read(&envelope_path).unwrap();
    std::fs::write(env.path("out/existing"), b"keep me").unwrap();
    let out_dir = env.path("out");
    let before = listing(&out_dir);

    let to = env.p("bob.pub.pem");
    let key = env.p("bob.key.pem");
    for stop in [Stop::Int, Stop::Term, Stop::Kill] {
        for (out, force) in [("out/new", false), ("out/existing", true)] {
            let out = env.p(out);
            let mut seal = vec!["envelope", "seal", "--to", &to, "-o", &out];
            let mut open = vec![
                "envelope",
                "open",
                "--no-replay-check",
                "--key",
                &key,
                "-o",
                &out,
            ];
            if force {
                seal.push("--force");
                open.push("--force");
            }
            interrupt(&env, &seal, &plaintext, 3 << 20, stop);
            assert_eq!(listing(&out_dir), before, "seal, {stop:?}");
            interrupt(&env, &open, &envelope, 3 << 20, stop);
            assert_eq!(listing(&out_dir), before, "open -o, {stop:?}");
            assert_eq!(std::fs::read(env.path("out/existing")).unwrap(), b"keep me");
        }
        // To stdout: the plaintext waits in $TMPDIR, unnamed.
        let open = ["envelope", "open", "--no-replay-check", "--key", &key];
        interrupt(&env, &open, &envelope, 3 << 20, stop);
        assert_eq!(listing(&env.path("tmp")), Vec::<String>::new(), "{stop:?}");
    }
}

// ---- 2. One output policy ----

#[test]
fn every_output_refuses_an_existing_file_unless_forced() {
    let env = Env::new();
    env.keygen("bob");
    let out = env.p("out/OUT");
    let blob = env.p("out/session.simpleblob");
    let input = env.p("in.txt");
    std::fs::write(&input, b"hello").unwrap();
    let token = env.ok(&["protect", "--purpose", "t", &input], b"");
    std::fs::write(env.path("token.txt"), &token).unwrap();
    env.ok(
        &[
            "envelope",
            "seal",
            "--to",
            &env.p("bob.pub.pem"),
            "-o",
            &env.p("msg.dpenv"),
            &input,
        ],
        b"",
    );
    let to = env.p("bob.pub.pem");
    let key = env.p("bob.key.pem");
    let token_path = env.p("token.txt");
    let envelope = env.p("msg.dpenv");
    let commands: Vec<Vec<&str>> = vec![
        vec!["protect", "--purpose", "t", "-o", &out, &input],
        vec!["unprotect", "--purpose", "t", "-o", &out, &token_path],
        vec!["envelope", "seal", "--to", &to, "-o", &out, &input],
        vec!["envelope", "open", "--key", &key, "-o", &out, &envelope],
        vec![
            "capi",
            "seal",
            "--to",
            &to,
            "-o",
            &blob,
            "--data-out",
            &out,
            &input,
        ],
    ];
    for args in &commands {
        std::fs::write(&out, b"precious").unwrap();
        let _ = std::fs::remove_file(&blob);
        let o = env.dp(args, b"");
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "error: refusing to overwrite {out}\nhint: choose another output file, or pass --force to replace it\n"
            ),
            "{args:?}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"precious", "{args:?}");
        assert!(o.stdout.is_empty());
        let mut forced = args.clone();
        forced.push("--force");
        if args[1] == "open" {
            // The refused open above did not use up the envelope.
            forced.push("--no-replay-check");
        }
        env.ok(&forced, b"");
        assert_ne!(std::fs::read(&out).unwrap(), b"precious", "{args:?}");
        assert_eq!(
            listing(&env.path("out")).len(),
            if args[0] == "capi" { 2 } else { 1 }
        );
    }
    // The SIMPLEBLOB of `capi seal` too.
    let o = env.dp(
        &[
            "capi",
            "seal",
            "--to",
            &to,
            "-o",
            &blob,
            "--data-out",
            &env.p("out/m2"),
            &input,
        ],
        b"",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("refusing to overwrite {blob}")));
    assert!(
        !env.path("out/m2").exists(),
        "nothing written when one output is refused"
    );

    // `-o -` is standard output, exempt.
    assert_eq!(
        env.ok(
            &["unprotect", "--purpose", "t", "-o", "-", &token_path],
            b""
        ),
        b"hello"
    );
    // No temporary name anywhere, and only the user's files.
    assert_eq!(listing(&env.path("out")), ["OUT", "session.simpleblob"]);
}

#[test]
fn the_input_is_never_the_output_even_with_force() {
    let env = Env::new();
    let input = env.p("in.txt");
    std::fs::write(&input, b"hello").unwrap();
    let token = env.ok(&["protect", "--purpose", "t", &input], b"");
    let token_path = env.p("token.txt");
    std::fs::write(&token_path, &token).unwrap();
    std::fs::hard_link(&token_path, env.path("alias.txt")).unwrap();
    std::os::unix::fs::symlink(&token_path, env.path("link.txt")).unwrap();

    for out in ["token.txt", "alias.txt", "link.txt"] {
        let out = env.p(out);
        for force in [false, true] {
            let mut args = vec!["unprotect", "--purpose", "t", "-o", &out, &token_path];
            if force {
                args.push("--force");
            }
            let o = env.dp(&args, b"");
            assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).starts_with(&format!(
                    "error: {out} is also the input; refusing to write over it\nhint: "
                )),
                "{}",
                stderr(&o)
            );
            assert_eq!(std::fs::read(&token_path).unwrap(), token);
        }
    }
    // Standard input redirected from OUT.
    let o = env
        .command(&["unprotect", "--purpose", "t", "--force", "-o", &token_path])
        .stdin(std::fs::File::open(&token_path).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(std::fs::read(&token_path).unwrap(), token);
    // And protect, for good measure.
    let o = env.dp(
        &["protect", "--purpose", "t", "--force", "-o", &input, &input],
        b"",
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(std::fs::read(&input).unwrap(), b"hello");
}

#[test]
fn key_files_are_never_overwritten_and_take_no_force() {
    let env = Env::new();
    let bob = env.p("bob");
    for args in [
        vec!["envelope", "keygen", "--out", &bob, "--force"],
        vec![
            "capi",
            "export-key",
            "--in",
            "x",
            "--format",
            "publickeyblob",
            "-o",
            "y",
            "--force",
        ],
        vec!["capi", "import-key", "--in", "x", "-o", "y", "--force"],
    ] {
        let o = env.dp(&args, b"");
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    }
}

// ---- 3. Binary plaintext and terminals ----

#[test]
fn binary_plaintext_never_reaches_a_terminal_unasked() {
    let env = Env::new();
    env.keygen("bob");
    let key = env.p("bob.key.pem");
    let to = env.p("bob.pub.pem");
    let binary = b"\x1b[2J\x1b]0;pwned\x07\x00\xff".to_vec();
    let text = "line one\r\n\ttabbed, caf\u{e9}\n".as_bytes().to_vec();

    for (name, plaintext) in [("bin", &binary), ("txt", &text)] {
        let input = env.p(&format!("{name}.in"));
        std::fs::write(&input, plaintext).unwrap();
        let token = env.p(&format!("{name}.token"));
        let envelope = env.p(&format!("{name}.dpenv"));
        let blob = env.p(&format!("{name}.simpleblob"));
        let message = env.p(&format!("{name}.msg"));
        env.ok(&["protect", "--purpose", "t", "-o", &token, &input], b"");
        env.ok(
            &["envelope", "seal", "--to", &to, "-o", &envelope, &input],
            b"",
        );
        env.ok(
            &[
                "capi",
                "seal",
                "--to",
                &to,
                "-o",
                &blob,
                "--data-out",
                &message,
                &input,
            ],
            b"",
        );
        let opens: [Vec<&str>; 3] = [
            vec!["unprotect", "--purpose", "t", &token],
            vec!["envelope", "open", "--key", &key, &envelope],
            vec![
                "capi",
                "open",
                "--danger-no-integrity",
                "--key",
                &key,
                "--session-key",
                &blob,
                &message,
            ],
        ];
        for open in &opens {
            let (status, shown) = env.on_terminal(open);
            if name == "bin" {
                assert_eq!(status, 2, "{open:?}: {}", String::from_utf8_lossy(&shown));
                let shown = String::from_utf8(shown).unwrap();
                assert!(
                    shown.contains("error: refusing to write binary plaintext to a terminal\r\nhint: use -o FILE, or redirect the output; -o - writes it to the terminal anyway"),
                    "{open:?}: {shown}"
                );
                assert!(!shown.contains("pwned"), "{open:?}");
                // Refused before the replay cache recorded it: the envelope still opens.
                let mut asked = open.clone();
                asked.extend(["-o", "-"]);
                let (status, shown) = env.on_terminal(&asked);
                assert_eq!(status, 0, "{asked:?}: {}", String::from_utf8_lossy(&shown));
                assert!(contains(&shown, b"\x1b]0;pwned\x07"), "{asked:?}");
            } else {
                assert_eq!(status, 0, "{open:?}: {}", String::from_utf8_lossy(&shown));
                let shown = String::from_utf8(shown).unwrap();
                assert!(shown.contains("\ttabbed, caf\u{e9}"), "{open:?}: {shown:?}");
            }
        }
        // Not a terminal: the bytes, exactly.
        assert_eq!(
            &env.ok(&["unprotect", "--purpose", "t", &token], b""),
            plaintext
        );
    }
}

#[test]
fn a_large_binary_open_stops_at_the_first_chunk_on_a_terminal() {
    let env = Env::new();
    env.keygen("bob");
    let input = env.p("big.bin");
    std::fs::write(&input, noise(16 << 20)).unwrap();
    let envelope = env.p("big.dpenv");
    env.ok(
        &[
            "envelope",
            "seal",
            "--to",
            &env.p("bob.pub.pem"),
            "-o",
            &envelope,
            &input,
        ],
        b"",
    );
    let (status, shown) = env.on_terminal(&[
        "envelope",
        "open",
        "--key",
        &env.p("bob.key.pem"),
        &envelope,
    ]);
    assert_eq!(status, 2);
    assert!(shown.len() < 1024, "{} bytes shown", shown.len());
    assert_eq!(listing(&env.path("tmp")), Vec::<String>::new());
}
