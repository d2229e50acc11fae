//! `dp doctor`: findings about a key store.

use dp_keyring::doctor::{self, Finding, Severity};
use dp_keyring::{Clock, SystemClock};
use serde_json::json;

use crate::Context;
use crate::error::CliError;
use crate::json;

pub(crate) fn run(ctx: &Context, as_json: bool) -> Result<(), CliError> {
    let findings: Vec<Finding> = match ctx.store.open() {
        Ok(repository) => doctor::examine(repository, ctx.encryption.clone(), SystemClock.now()),
        Err(e) => vec![doctor::unreachable(&e)],
    };
    let store = ctx.key_dir_display();
    if as_json {
        json::print(json!({
            "store": store,
            "findings": findings.iter().map(|f| json!({
                "code": f.code,
                "severity": f.severity.as_str(),
                "key_id": f.key_id.map(|id| id.to_string()),
                "message": f.message,
                "fix": f.fix,
            })).collect::<Vec<_>>(),
        }))?;
    } else if findings.is_empty() {
        outln!("{store}: no problems found");
    } else {
        outln!("{store}:");
        for f in &findings {
            outln!("{:<8} {}: {}", f.severity.as_str(), f.code, f.message);
            outln!("         fix: {}", f.fix);
        }
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if errors > 0 {
        return Err(CliError::runtime(format!(
            "{errors} finding(s) of severity error in {store}"
        )));
    }
    Ok(())
}
