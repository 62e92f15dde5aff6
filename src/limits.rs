//! Limits: how much a rule file or a data file may ask of Concordant.
//!
//! Rule files are written by people and data files exported by other tools, and either can be
//! absurd by mistake or on purpose. Each limit ends what it guards with a diagnostic that says
//! what was exceeded and where; none ends the process. The defaults sit far above anything a
//! real project needs (docs/robustness.md gives the reasoning for each).

/// The limits of one compilation and run. [`Limits::default`] suits every real data set seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// How deeply an expression may nest (brackets, quantifiers, `not`, chained operators):
    /// the parser and checker recurse that deep. `cord::syntax::too-deep` past it.
    pub max_nesting: usize,
    /// The largest rule file, in bytes. `cord::syntax::too-large` past it.
    pub max_rule_file_bytes: u64,
    /// The longest line of a data file, in bytes; the rest of a longer line is skipped
    /// without being kept, and the line rejected with `cord::data::line-too-long`.
    pub max_line_bytes: usize,
    /// The most fields one record may have (`cord::data::too-many-fields`).
    pub max_fields: usize,
    /// The longest list one field may hold (`cord::data::list-too-long`).
    pub max_list_len: usize,
    /// The most bytes of records held while grouping input whose items are not contiguous.
    /// Past it, records of items that reappear are rejected with
    /// `cord::data::grouping-limit` instead of being held.
    pub max_grouping_bytes: u64,
    /// Folders, besides the current directory and those of the rule paths given, whose
    /// `.cord` files an `import` may read (`cord::check::import-refused` elsewhere).
    pub import_roots: Vec<std::path::PathBuf>,
}

/// 64 levels: the deepest rule in `rules/` measures 17 (a quantifier inside a bracketed
/// condition inside another).
pub const DEFAULT_MAX_NESTING: usize = 64;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nesting: DEFAULT_MAX_NESTING,
            max_rule_file_bytes: 4 << 20,
            max_line_bytes: 16 << 20,
            max_fields: 1_000,
            max_list_len: 100_000,
            max_grouping_bytes: 4 << 30,
            import_roots: Vec::new(),
        }
    }
}
