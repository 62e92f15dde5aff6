//! `concordant init`: a starter project that runs as it is written — settings, a schema, a
//! rule file with tests and example data — so `concordant test` and `concordant check` work
//! in it at once, and each file shows what to change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) const EXAMPLES: &str = "\
Examples:
  concordant init               # in the current directory
  concordant init my-project    # in my-project/ (made if missing)

Writes concordant.toml, rules/schema.cord, rules/checks.cord (two rules and their tests) and
data/example.jsonl; then `concordant test` runs the tests and `concordant check` checks the
example data with no flags. Nothing is written when any of these files exists already.";

/// The files a starter project has: where each goes and what it holds.
const FILES: [(&str, &str); 4] = [
    ("concordant.toml", include_str!("starter/settings.toml")),
    ("rules/schema.cord", include_str!("starter/schema.cord")),
    ("rules/checks.cord", include_str!("starter/checks.cord")),
    ("data/example.jsonl", include_str!("starter/example.jsonl")),
];

#[derive(clap::Args)]
pub(super) struct InitArgs {
    /// The project's directory (made when missing).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

pub(super) fn run(args: InitArgs) -> ExitCode {
    match write_starter(&args.dir) {
        Ok(written) => {
            for path in &written {
                eprintln!("wrote {}", path.display());
            }
            let cd = match args.dir == Path::new(".") {
                true => String::new(),
                false => format!("cd {} && ", args.dir.display()),
            };
            eprintln!(
                "next: `{cd}concordant test` runs the rule tests, `concordant check` checks \
                 data/example.jsonl (it has two findings to show)"
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Writes the starter files under `dir`, none of them if any exists; gives their paths.
fn write_starter(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let targets: Vec<(PathBuf, &str)> = FILES.iter().map(|(p, t)| (dir.join(p), *t)).collect();
    let existing: Vec<String> = (targets.iter())
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| format!("`{}`", p.display()))
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "{} exist(s) already; nothing was written (init starts a new project: \
             give it an empty directory)",
            existing.join(", ")
        ));
    }
    for (path, text) in &targets {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot make `{}`: {e}", parent.display()))?;
        }
        // `create_new`: a file that appeared since the check above is not overwritten.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        written.map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(targets.into_iter().map(|(p, _)| p).collect())
}
