//! Where commands write, and the files they must never write over.
//!
//! A regular file named by `--output` or `--metrics` is written to a temporary file beside it
//! and renamed over it only once everything was written, so a full disk or an interrupted run
//! never leaves a cut file where a good one was. Anything else that exists there (a device
//! such as `/dev/stdout`, a named pipe) is written directly: renaming over it would replace it. Before anything is read, a destination that
//! is one of the run's own inputs (a data file, a rule file, a mapping, the baseline, or the
//! other destination) is refused: writing there would destroy what the run is about to read.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Standard output, or a file that replaces its destination when finished.
pub(super) struct Output {
    writer: std::io::BufWriter<Sink>,
    path: Option<PathBuf>,
    /// Whether the destination is replaced only when finished (and so untouched on failure).
    replaces: bool,
    failed: Option<std::io::Error>,
}

enum Sink {
    Stdout(std::io::Stdout),
    /// A temporary file that replaces the destination when finished.
    File(tempfile::NamedTempFile),
    /// A destination that is not a regular file, written as it is.
    Special(std::fs::File),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            // Through the file itself: the temporary file's own errors carry its random name.
            Sink::File(file) => file.as_file_mut().write(buf),
            Sink::Special(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File(file) => file.as_file_mut().flush(),
            Sink::Special(file) => file.flush(),
        }
    }
}

impl Output {
    /// Standard output, or a new temporary file beside `path`.
    pub(super) fn to(path: Option<&Path>) -> Result<Output, String> {
        let sink = match path {
            Some(path) if is_special(path) => Sink::Special(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?,
            ),
            Some(path) => Sink::File(temporary_beside(path)?),
            None => Sink::Stdout(std::io::stdout()),
        };
        Ok(Output {
            replaces: matches!(sink, Sink::File(_)),
            // Large writes: a run's JSON output is copied from its spool in large pieces.
            writer: std::io::BufWriter::with_capacity(1 << 18, sink),
            path: path.map(PathBuf::from),
            failed: None,
        })
    }

    /// The writer, for renderers that stream.
    pub(super) fn writer(&mut self) -> &mut impl Write {
        &mut self.writer
    }

    /// Writes `text`, remembering the first failure for [`Output::finish`].
    pub(super) fn write(&mut self, text: &str) {
        if let Err(e) = self.writer.write_all(text.as_bytes()) {
            self.failed.get_or_insert(e);
        }
    }

    /// Flushes, puts a file in place of its destination, and says what went wrong if anything
    /// did. A closed pipe on standard output is not an error (`concordant … | head`); a file
    /// that could not be written whole is removed and its destination left as it was.
    pub(super) fn finish(mut self) -> Result<(), String> {
        let written = match self.failed.take() {
            Some(e) => Err(e),
            None => self.writer.flush(),
        };
        let kept = if self.replaces {
            "; it was left as it was"
        } else {
            ""
        };
        let failure = |e: std::io::Error| {
            // The temporary file's errors carry its random name, which says nothing useful.
            let e = e
                .raw_os_error()
                .map_or(e, std::io::Error::from_raw_os_error);
            match &self.path {
                Some(path) => format!("cannot write `{}`: {e}{kept}", path.display()),
                None => format!("cannot write the output: {e}"),
            }
        };
        match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && self.path.is_none() => {
                return Ok(())
            }
            Err(e) => return Err(failure(e)),
            Ok(()) => {}
        }
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        match self.writer.into_inner().map_err(|e| e.into_error()) {
            Ok(Sink::File(file)) => persist(file, &path).map_err(failure),
            Ok(Sink::Stdout(_) | Sink::Special(_)) => Ok(()),
            Err(e) => Err(failure(e)),
        }
    }
}

/// Writes `text` to standard output; a failure (a full disk, a closed file) is an error with
/// what to do next, a closed pipe is not.
pub(super) fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = Output::to(None)?;
    out.write(text);
    out.finish()
}

/// Writes a whole file the way [`Output`] does: to a temporary file, then renamed over
/// `path`.
pub(super) fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let mut out = Output::to(Some(path))?;
    out.write(text);
    out.finish()
}

/// Whether something other than a regular file is at `path` (following links).
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file())
}

fn temporary_beside(path: &Path) -> Result<tempfile::NamedTempFile, String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".concordant-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Puts a finished temporary file in place of `path`, with the permissions a new file gets
/// (a temporary file is created readable by its owner only).
fn persist(file: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    file.as_file().sync_all()?;
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .or_else(|_| default_permissions());
    if let Ok(permissions) = permissions {
        let _ = file.as_file().set_permissions(permissions);
    }
    file.persist(path).map(drop).map_err(|e| e.error)
}

/// A path made absolute without touching the file system, so that two names of a file not
/// yet written can be compared.
fn absolute(path: &Path) -> Option<PathBuf> {
    std::path::absolute(path).ok()
}

#[cfg(unix)]
fn default_permissions() -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> std::io::Result<std::fs::Permissions> {
    Err(std::io::Error::other("the platform's defaults apply"))
}

/// The files a run reads, which its destinations must not be.
#[derive(Default)]
pub(super) struct Protected {
    files: Vec<(PathBuf, &'static str)>,
}

impl Protected {
    /// Adds a file the run reads, named by what it is (`data file`, `rule file`, …).
    pub(super) fn add(&mut self, path: &Path, what: &'static str) {
        self.files.push((path.to_path_buf(), what));
    }

    /// Adds a directory's files with an extension, as the pack loader reads them.
    pub(super) fn add_dir(&mut self, dir: &Path, extension: &str, what: &'static str) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_some_and(|e| e == extension) {
                self.add(&path, what);
            }
        }
    }

    /// Refuses `destination` (named by `flag`) when it is one of the protected files.
    pub(super) fn refuse(&self, flag: &str, destination: &Path) -> Result<(), String> {
        for (path, what) in &self.files {
            if same_file::is_same_file(destination, path).unwrap_or(false)
                || absolute(destination) == absolute(path)
            {
                return Err(format!(
                    "`{flag} {}` names the {what} `{}`, which this run also uses; writing \
                     there would destroy it, so nothing was run: choose another file",
                    destination.display(),
                    path.display()
                ));
            }
        }
        Ok(())
    }
}
