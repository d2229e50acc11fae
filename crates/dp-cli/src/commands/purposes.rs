//! `dp purposes`: the well-known purpose chains.

use dp_aspnet::purposes::Preset;
use serde_json::json;

use crate::cli::PurposesArgs;
use crate::error::CliError;
use crate::json;

/// The chain as printed: the scheme placeholder where a scheme goes.
fn chain_text(preset: Preset) -> Vec<String> {
    let info = preset.info();
    let placeholder = if info.scheme_required {
        Some("{HANDLER_TYPE},{SCHEME}")
    } else if info.default_scheme.is_some() {
        Some("{SCHEME}")
    } else {
        None
    };
    let chain = match placeholder {
        Some(p) => preset.chain(Some(p)),
        None => preset.chain(None),
    };
    chain.unwrap_or_default()
}

pub(crate) fn run(args: &PurposesArgs) -> Result<(), CliError> {
    if args.json {
        let presets: Vec<_> = Preset::ALL
            .iter()
            .map(|p| {
                let info = p.info();
                json!({
                    "name": info.name,
                    "description": info.description,
                    "purposes": chain_text(*p),
                    "default_scheme": info.default_scheme,
                    "scheme_required": info.scheme_required,
                    "plaintext": info.plaintext,
                })
            })
            .collect();
        return json::print(json!({ "presets": presets }));
    }
    outln!("Purpose chains (each follows the application name, when one is set).");
    outln!("Use one with `dp unprotect --purpose-preset NAME[:SCHEME]`.\n");
    for preset in Preset::ALL {
        let info = preset.info();
        let scheme = match (info.scheme_required, info.default_scheme) {
            (true, _) => " (:HANDLER_TYPE,SCHEME required)".to_owned(),
            (false, Some(d)) => format!(" (:SCHEME, default {d})"),
            (false, None) => String::new(),
        };
        outln!("{}{scheme}", info.name);
        outln!("  {}; plaintext: {}", info.description, info.plaintext);
        outln!("  {}", chain_text(preset).join(" / "));
    }
    Ok(())
}
