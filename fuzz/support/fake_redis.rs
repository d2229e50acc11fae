//! A Redis server just large enough for `RedisRepository::load_all`: it answers `TYPE` with
//! `list` and `LRANGE` with whatever list the caller set, so fuzzed list elements reach the
//! repository's own element checks (size, byte-order mark, UTF-8, friendly names) through its
//! public API, without a real server.
//!
//! Shared by the `store_elements` fuzz target and the test that replays its corpus
//! (crates/dp-keyring/tests/fuzz_corpus.rs), which include this file with `#[path]`.
//!
//! ```text
//! request : *N CRLF ($LEN CRLF bytes CRLF){N}      (RESP2 arrays of bulk strings)
//! PING    -> +PONG          TYPE -> +list          LRANGE -> *N ($LEN bytes){N}
//! other   -> +OK            (CLIENT SETINFO and anything else the client's handshake sends)
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

/// Longest request line or bulk string accepted: the client only sends short commands.
const MAX_REQUEST_BYTES: usize = 1 << 16;

/// A listening fake server; it runs until the process ends.
pub(crate) struct FakeRedis {
    list: Arc<Mutex<Vec<Vec<u8>>>>,
    url: String,
}

impl FakeRedis {
    /// Listens on a free local port, serving each connection on its own thread.
    pub(crate) fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("redis://{}/0", listener.local_addr()?);
        let list: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let served = Arc::clone(&list);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let list = Arc::clone(&served);
                thread::spawn(move || serve(stream, &list));
            }
        });
        Ok(Self { list, url })
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The list the next `LRANGE` returns.
    pub(crate) fn set_list(&self, elements: Vec<Vec<u8>>) {
        *self.list.lock().unwrap_or_else(PoisonError::into_inner) = elements;
    }
}

/// Answers commands until the client hangs up or sends something this server cannot read.
fn serve(stream: TcpStream, list: &Mutex<Vec<Vec<u8>>>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Ok(Some(command)) = read_command(&mut reader) {
        let name = command
            .first()
            .map(|n| n.to_ascii_uppercase())
            .unwrap_or_default();
        let reply = match name.as_slice() {
            b"PING" => b"+PONG\r\n".to_vec(),
            b"TYPE" => b"+list\r\n".to_vec(),
            b"LRANGE" => {
                let list = list.lock().unwrap_or_else(PoisonError::into_inner);
                let mut reply = format!("*{}\r\n", list.len()).into_bytes();
                for element in list.iter() {
                    reply.extend_from_slice(format!("${}\r\n", element.len()).as_bytes());
                    reply.extend_from_slice(element);
                    reply.extend_from_slice(b"\r\n");
                }
                reply
            }
            _ => b"+OK\r\n".to_vec(),
        };
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

/// One request: an array of bulk strings, or an inline command. `None` at end of input.
fn read_command(reader: &mut impl BufRead) -> io::Result<Option<Vec<Vec<u8>>>> {
    let Some(line) = read_line(reader)? else {
        return Ok(None);
    };
    let Some(count) = line.strip_prefix(b"*") else {
        let inline = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        return Ok(Some(inline));
    };
    let count = number(count)?;
    let mut parts = Vec::with_capacity(count.min(16));
    for _ in 0..count {
        let header = read_line(reader)?.ok_or_else(|| invalid("truncated request"))?;
        let len = number(
            header
                .strip_prefix(b"$")
                .ok_or_else(|| invalid("not a bulk string"))?,
        )?;
        if len > MAX_REQUEST_BYTES {
            return Err(invalid("bulk string too long"));
        }
        let mut part = vec![0; len + 2];
        reader.read_exact(&mut part)?;
        part.truncate(len);
        parts.push(part);
    }
    Ok(Some(parts))
}

/// A line without its CRLF; `None` at end of input.
fn read_line(reader: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = Read::take(&mut *reader, MAX_REQUEST_BYTES as u64).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

fn number(digits: &[u8]) -> io::Result<usize> {
    core::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| invalid("not a length"))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}
