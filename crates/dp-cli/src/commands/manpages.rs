//! `dp manpages DIR` (hidden): a man page for `dp` and one for each subcommand, generated from
//! the clap definitions so they cannot drift from `--help`. `cargo xtask dist` runs it; dp-cli
//! is a binary crate, so the command definitions are reachable from here only.

use std::path::Path;

use crate::cli::ManpagesArgs;
use crate::error::CliError;

pub(crate) fn run(args: &ManpagesArgs) -> Result<(), CliError> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::io(&format!("cannot create {}", dir.display()), &e))?;
    // `dp help` is no page of its own: each page lists its options itself.
    let mut cmd = crate::command().disable_help_subcommand(true);
    // Names the subcommands `dp-keys-list`, as the man pages are called.
    cmd.build();
    let count = write_pages(&cmd, dir)?;
    eprintln!("note: wrote {count} man pages to {}", dir.display());
    Ok(())
}

/// Writes the page of `cmd` and of every subcommand that is not hidden (this one is); returns
/// how many pages were written.
fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<usize, CliError> {
    let mut count = 0;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        count += write_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    // Rendered in memory first: a page that fails to render leaves no file behind.
    let mut page = Vec::new();
    man.render(&mut page)
        .map_err(|e| CliError::io(&format!("cannot render {}", path.display()), &e))?;
    std::fs::write(&path, page)
        .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))?;
    Ok(count + 1)
}
