//! `concordant fmt`: rewrites rule files in the canonical layout, or with `--check` lists the
//! files that are not in it.

use concordant::span::FileId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) const EXAMPLES: &str = "\
Examples:
  concordant fmt rules/                 # rewrite every .cord file under rules/
  concordant fmt --check rules/ my.cord # list files not in the canonical layout; exit 1 if any
  concordant fmt - < my.cord            # format standard input to standard output

A file with a syntax error is left as it is and reported (exit status 2): `concordant check`
or `concordant test` shows the error.";

#[derive(clap::Args)]
pub(super) struct FmtArgs {
    /// Rule files, or directories searched (with their subdirectories) for `*.cord` files;
    /// `-` formats standard input to standard output. Else the `rules` of the project's
    /// `concordant.toml`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that would change, and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

pub(super) fn run(mut args: FmtArgs, config: Option<super::Config>) -> ExitCode {
    if args.paths.is_empty() {
        args.paths = config.map(|c| c.rules).unwrap_or_default();
    }
    if args.paths.is_empty() {
        eprintln!("{}", super::NO_RULES);
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            return format_stdin();
        }
        if let Err(e) = collect(path, &mut files) {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let (mut changed, mut failed) = (0, 0);
    let mut listed = String::new();
    for file in &files {
        match format_file(file, args.check, &mut listed) {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Failed => failed += 1,
        }
    }
    if let Err(code) = super::write_out(&listed) {
        return code;
    }
    let verb = if args.check {
        "would change"
    } else {
        "changed"
    };
    eprintln!(
        "{} file(s) checked, {changed} {verb}{}",
        files.len(),
        if failed > 0 {
            format!(", {failed} not formatted")
        } else {
            String::new()
        }
    );
    match (failed, changed) {
        (f, _) if f > 0 => ExitCode::from(2),
        (_, c) if c > 0 && args.check => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// The `.cord` files at `path`, in path order: the file itself, or those under a directory.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "cord") {
            out.push(entry);
        }
    }
    Ok(())
}

/// The formatted text, or why there is none.
fn formatted(text: &str) -> Result<String, String> {
    let (_, errors) = concordant::syntax::parse(FileId(0), text);
    match errors.first() {
        None => Ok(concordant::syntax::format(text)),
        Some(e) => Err(format!("has a syntax error ({e}); fix it first")),
    }
}

/// Formats one file (or, with `check`, only compares), adding what changed to `listed`.
fn format_file(file: &Path, check: bool, listed: &mut String) -> Outcome {
    let shown = file.display();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{shown}`: {e}");
            return Outcome::Failed;
        }
    };
    let new = match formatted(&text) {
        Ok(new) => new,
        Err(why) => {
            eprintln!("error: `{shown}` {why}");
            return Outcome::Failed;
        }
    };
    if new == text {
        return Outcome::Unchanged;
    }
    if check {
        listed.push_str(&format!("would reformat {shown}\n"));
        return Outcome::Changed;
    }
    // Written beside the file and renamed over it (its link's target, for a symbolic link),
    // so a full disk leaves the rule file as it was rather than cut mid-rule.
    let target = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    match super::output::write_file(&target, &new) {
        Ok(()) => {
            listed.push_str(&format!("formatted {shown}\n"));
            Outcome::Changed
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Failed
        }
    }
}

fn format_stdin() -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return ExitCode::from(2);
    }
    match formatted(&text) {
        Ok(new) => match super::write_out(&new) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Err(why) => {
            eprintln!("error: standard input {why}");
            ExitCode::from(2)
        }
    }
}
