//! `--watch`: run a command again whenever the files it read change. Files are polled (their
//! size and modification time, a few times a second) rather than watched through the
//! operating system: rule packs and data sets are a handful of paths, and polling works the
//! same on every file system, network and container mounts included.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(250);

/// What a path looked like: each file under it with its size and modification time (a
/// missing path has none).
type Stamp = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// Runs `once` now and after every change to `fixed` or to the files a run says it read;
/// returns only if the files can no longer be looked at.
pub(super) fn watch(
    fixed: Vec<PathBuf>,
    mut once: impl FnMut(&mut Vec<PathBuf>) -> ExitCode,
) -> ExitCode {
    loop {
        let mut paths = fixed.clone();
        once(&mut paths);
        paths.sort();
        paths.dedup();
        eprintln!(
            "[watching {} path(s) for changes; Ctrl-C stops]",
            paths.len()
        );
        let before = stamps(&paths);
        loop {
            std::thread::sleep(POLL);
            if stamps(&paths) != before {
                break;
            }
        }
        // A save often writes in steps: let it finish before reading.
        std::thread::sleep(POLL);
        eprintln!("[a file changed; checking again]");
    }
}

fn stamps(paths: &[PathBuf]) -> Stamp {
    let mut out = Vec::new();
    for path in paths {
        stamp(path, 0, &mut out);
    }
    out
}

/// Adds what `path` looks like to `out`: a folder's files (`.cord` and `.toml`, a few
/// levels down), else the file.
fn stamp(path: &Path, depth: usize, out: &mut Stamp) {
    let Ok(meta) = std::fs::metadata(path) else {
        out.push((path.to_path_buf(), 0, None));
        return;
    };
    if !meta.is_dir() {
        out.push((path.to_path_buf(), meta.len(), meta.modified().ok()));
        return;
    }
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        let rules = child
            .extension()
            .is_some_and(|e| e == "cord" || e == "toml");
        if rules || child.is_dir() {
            stamp(&child, depth + 1, out);
        }
    }
}
