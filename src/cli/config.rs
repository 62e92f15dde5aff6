//! A project's settings: `concordant.toml`, or a `[tool.concordant]` table in
//! `pyproject.toml`, found by walking up from the working directory (the first directory that
//! has either wins). What it sets is what the flags of the same name set; a flag given on the
//! command line overrides it.
//!
//! ```toml
//! rules = ["rules/"]             # --rules
//! inputs = ["data/*.jsonl"]      # the data files of `check` (glob patterns)
//! mappings = ["mappings/"]       # mapping files for CSV and JSON data sets
//! fail-on = "warning"            # --fail-on
//! format = "human"               # --format
//! output = "findings.txt"        # --output
//! ```
//!
//! Paths are relative to the file's directory, and given to the commands relative to the
//! working directory, so a run from the project's root prints the same paths as the long form
//! of the command.

use std::path::{Component, Path, PathBuf};

/// The settings' file names, in the order they are looked for in each directory.
const PROJECT_FILE: &str = "concordant.toml";
const PYPROJECT_FILE: &str = "pyproject.toml";

/// The keys a project file may set.
const KEYS: [&str; 6] = ["rules", "inputs", "mappings", "fail-on", "format", "output"];

/// A project's settings, paths resolved.
#[derive(Debug, Default)]
pub(super) struct Config {
    /// Where they were read (for messages).
    pub file: PathBuf,
    pub rules: Vec<PathBuf>,
    /// The patterns of `inputs`, expanded by [`Config::inputs`] when a command reads data.
    inputs: Vec<String>,
    /// The file's directory (absolute) and the working directory.
    base: PathBuf,
    cwd: PathBuf,
    pub mappings: Vec<PathBuf>,
    pub fail_on: Option<String>,
    pub format: Option<String>,
    pub output: Option<PathBuf>,
}

impl Config {
    /// The settings a command runs with: those of `explicit` when given, none when
    /// `isolated`, else those of the nearest project file above the working directory.
    pub fn find(explicit: Option<&Path>, isolated: bool) -> Result<Option<Config>, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        if let Some(path) = explicit {
            let table = read_table(path)?.ok_or_else(|| {
                format!(
                    "{} has no [tool.concordant] table to read settings from",
                    path.display()
                )
            })?;
            return Config::from_table(path, &table, &cwd).map(Some);
        }
        if isolated {
            return Ok(None);
        }
        for dir in cwd.ancestors() {
            for name in [PROJECT_FILE, PYPROJECT_FILE] {
                let path = dir.join(name);
                if !path.is_file() {
                    continue;
                }
                if let Some(table) = read_table(&path)? {
                    return Config::from_table(&path, &table, &cwd).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// The settings in `table`, read from `file`, with paths given relative to `cwd`.
    fn from_table(file: &Path, table: &toml::Table, cwd: &Path) -> Result<Config, String> {
        let shown = relative_to(file, cwd);
        let fail = |message: String| format!("{}: {message}", shown.display());
        for key in table.keys() {
            if !KEYS.contains(&key.as_str()) {
                let help =
                    concordant::suggest::did_you_mean(key, "settings", KEYS).unwrap_or_default();
                return Err(fail(format!("unknown setting `{key}`; {help}")));
            }
        }
        let base = file.parent().unwrap_or(Path::new("."));
        let base = if base.is_absolute() {
            base.to_path_buf()
        } else {
            cwd.join(base)
        };
        let at = |p: &str| relative_to(&base.join(p), cwd);
        let text = |key: &str| -> Result<Option<String>, String> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(fail(format!("`{key}` must be a string"))),
            }
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            match table.get(key) {
                None => Ok(Vec::new()),
                Some(toml::Value::String(s)) => Ok(vec![s.clone()]),
                Some(toml::Value::Array(items)) => (items.iter())
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| fail(format!("`{key}` must be a list of paths"))),
                Some(_) => Err(fail(format!("`{key}` must be a path or a list of paths"))),
            }
        };
        Ok(Config {
            file: shown.clone(),
            rules: list("rules")?.iter().map(|p| at(p)).collect(),
            inputs: list("inputs")?,
            base: base.clone(),
            cwd: cwd.to_path_buf(),
            mappings: list("mappings")?.iter().map(|p| at(p)).collect(),
            fail_on: text("fail-on")?,
            format: text("format")?,
            output: text("output")?.map(|p| at(&p)),
        })
    }

    /// The data files `inputs` names, patterns expanded (each must match a file).
    pub fn inputs(&self) -> Result<Vec<PathBuf>, String> {
        let mut files = Vec::new();
        for pattern in &self.inputs {
            let expanded =
                expand(&self.base, pattern).map_err(|e| format!("{}: {e}", self.file.display()))?;
            files.extend(
                expanded
                    .iter()
                    .map(|p| relative_to(&self.base.join(p), &self.cwd)),
            );
        }
        Ok(files)
    }

    /// A setting's value as one of a flag's values (`format = "json"`), or a message naming
    /// the values it takes.
    pub fn choice<T: clap::ValueEnum>(&self, key: &str, value: &str) -> Result<T, String> {
        T::from_str(value, false).map_err(|_| {
            let names: Vec<String> = (T::value_variants().iter())
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            format!(
                "{}: `{key} = \"{value}\"`: expected one of {}",
                self.file.display(),
                names.join(", ")
            )
        })
    }
}

/// The settings table of a project file: all of `concordant.toml`, or `[tool.concordant]` of
/// `pyproject.toml` (`None` when it has none).
fn read_table(path: &Path) -> Result<Option<toml::Table>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!("{}: not valid TOML: {}", path.display(), e.message())
    })?;
    if path.file_name().is_some_and(|n| n == PYPROJECT_FILE) {
        let tool = table.get("tool").and_then(|t| t.get("concordant"));
        return match tool {
            None => Ok(None),
            Some(toml::Value::Table(t)) => Ok(Some(t.clone())),
            Some(_) => Err(format!(
                "{}: `tool.concordant` must be a table",
                path.display()
            )),
        };
    }
    Ok(Some(table))
}

/// The files a pattern of `inputs` names, relative to `base`, in sorted order: itself when it
/// has no wildcard (a missing file is then reported by the run that reads it), else the files
/// that match, at least one.
fn expand(base: &Path, pattern: &str) -> Result<Vec<String>, String> {
    if !pattern.contains(['*', '?', '[']) || pattern == "-" {
        return Ok(vec![pattern.to_string()]);
    }
    let full = base.join(pattern);
    let matches = glob::glob(&full.to_string_lossy())
        .map_err(|e| format!("`inputs`: `{pattern}` is not a valid pattern: {e}"))?;
    let mut files: Vec<String> = matches
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .filter_map(|p| {
            p.strip_prefix(base)
                .ok()
                .map(|r| r.to_string_lossy().into_owned())
        })
        .collect();
    files.sort();
    match files.is_empty() {
        true => Err(format!("`inputs`: `{pattern}` matches no file")),
        false => Ok(files),
    }
}

/// `path` (absolute) as a path relative to `cwd` when they share a root: `rules` from the
/// project's root, `../rules` from a folder in it.
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    let path = lexical(path);
    let cwd = lexical(cwd);
    let (mut p, mut c) = (path.components().peekable(), cwd.components().peekable());
    if p.peek() != c.peek() {
        return path;
    }
    while p.peek().is_some() && p.peek() == c.peek() {
        p.next();
        c.next();
    }
    let mut out: PathBuf = c.map(|_| Component::ParentDir).collect();
    out.extend(p);
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path` with `.` and `..` resolved without asking the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_given_relative_to_the_working_directory() {
        let root = Path::new("/p/proj");
        assert_eq!(relative_to(&root.join("rules"), root), Path::new("rules"));
        assert_eq!(
            relative_to(&root.join("rules/"), &root.join("data/x")),
            Path::new("../../rules")
        );
        assert_eq!(relative_to(root, root), Path::new("."));
        assert_eq!(
            relative_to(Path::new("/p/proj/./a/../b"), root),
            Path::new("b")
        );
    }

    #[test]
    fn an_unknown_setting_is_named_with_the_closest_one() {
        let table: toml::Table = "rule = [\"r\"]".parse().unwrap();
        let e = Config::from_table(Path::new("/p/concordant.toml"), &table, Path::new("/p"))
            .unwrap_err();
        assert!(
            e.contains("unknown setting `rule`; did you mean `rules`?"),
            "{e}"
        );
    }

    #[test]
    fn settings_of_the_wrong_type_are_refused() {
        for text in ["rules = 3", "format = [\"json\"]", "inputs = [1]"] {
            let table: toml::Table = text.parse().unwrap();
            let e = Config::from_table(Path::new("/p/concordant.toml"), &table, Path::new("/p"));
            assert!(e.is_err(), "{text}");
        }
    }
}
