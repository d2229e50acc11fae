//! SQL stores' rows: EF Core `DataProtectionKeys` rows made from arbitrary text, on the real
//! PostgreSQL and MySQL servers (`DP_TEST_POSTGRES_URL`, `DP_TEST_MYSQL_URL`), read by
//! `PostgresRepository` and `MySqlRepository` and a key manager over each, never panic; rows come
//! back unchanged. The checks are in `support/sql_rows.rs`, shared with the test that replays the
//! seed corpus.
#![no_main]

#[path = "../support/sql_rows.rs"]
mod sql_rows;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sql_rows::{FUZZ_TABLE_PREFIX, SqlRows};

/// One table per process (`dp_fuzz_{pid}`); each libFuzzer job is its own process.
static ROWS: OnceLock<SqlRows> = OnceLock::new();

fuzz_target!(
    init: {
        let table = format!("{FUZZ_TABLE_PREFIX}{}", std::process::id());
        // Before any input: a missing server fails the run instead of looking like a crash.
        match SqlRows::new(&table) {
            Ok(rows) => {
                let _ = ROWS.set(rows);
            }
            Err(why) => {
                eprintln!("sql_rows needs PostgreSQL and MySQL servers: {why}");
                std::process::exit(2);
            }
        }
    },
    |data: &[u8]| {
        if let Some(rows) = ROWS.get() {
            let _ = rows.check(data);
        }
    }
);
