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
    /// The most bytes of records held while items evaluated before the input turned out not
    /// to be grouped are read again whole. Past it, such an item is given up with
    /// `cord::data::grouping-limit`. (Records grouped as they are read go to disk past
    /// `RunOptions::memory_limit` instead.)
    pub max_grouping_bytes: u64,
    /// The most records one item may have: an item is held whole while it is evaluated
    /// (`cord::data::item-too-large` past it, and the item is not checked).
    pub max_item_records: usize,
    /// The largest file of a format read whole (subtitles, TextGrid, ELAN, CVAT, Label
    /// Studio, CSV and JSON data sets) and of a baseline, in bytes: such a file is held, with
    /// what is parsed from it, many times over (`cord::data::file-too-large` past it).
    pub max_document_bytes: u64,
    /// Folders, besides the current directory and those of the rule paths given, whose
    /// `.cord` files an `import` may read (`cord::check::import-refused` elsewhere).
    pub import_roots: Vec<std::path::PathBuf>,
}

/// 64 levels: the deepest rule in `rules/` measures 17 (a quantifier inside a bracketed
/// condition inside another).
pub const DEFAULT_MAX_NESTING: usize = 64;

/// The deepest nesting any limit may allow: `max_nesting` above it counts as this. A pack is
/// compiled on a thread whose stack takes this depth in every form of nesting
/// (`compile_stack_bytes`), and evaluation recurses on the same tree, so the ceiling is
/// what keeps every limit below what the stack can take.
pub const MAX_NESTING_CEILING: usize = 256;

/// The stack of the thread a pack is compiled on, for a nesting limit: what the parser, the
/// lowering, the checker and the planner take per level in a debug build (about 8 KiB for a
/// quantifier, the deepest measured), eight times over, plus room for everything else.
pub(crate) fn compile_stack_bytes(max_nesting: usize) -> usize {
    const PER_LEVEL: usize = 64 << 10;
    const BASE: usize = 4 << 20;
    BASE + PER_LEVEL * max_nesting.min(MAX_NESTING_CEILING)
}

std::thread_local! {
    /// Whether this thread was started by [`with_deep_stack`], so work nested in it stays.
    static ON_DEEP_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` (parsing, checking, planning: what recurses on a rule's nesting) on a thread
/// whose stack takes the deepest nesting `limits` allow (`compile_stack_bytes`), whatever
/// thread the caller is on (a test's or an editor's 2 MiB thread, say). On such a thread
/// already, or if no thread can be started, it runs where it is.
pub(crate) fn with_deep_stack<T: Send>(limits: &Limits, work: impl FnOnce() -> T + Send) -> T {
    if ON_DEEP_STACK.with(std::cell::Cell::get) {
        return work();
    }
    let bytes = compile_stack_bytes(limits.max_nesting);
    let mut job = Some(work);
    let ran = std::thread::scope(|scope| {
        let slot = &mut job;
        let thread = std::thread::Builder::new().stack_size(bytes);
        let handle = thread.spawn_scoped(scope, move || {
            ON_DEEP_STACK.with(|deep| deep.set(true));
            slot.take().map(|work| work())
        });
        handle.ok().map(|h| h.join())
    });
    match (ran, job.take()) {
        (Some(Ok(Some(result))), _) => result,
        (Some(Err(panic)), _) => std::panic::resume_unwind(panic),
        (_, Some(work)) => work(),
        (Some(Ok(None)), None) | (None, None) => {
            unreachable!("the work either ran on its thread or is still here")
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nesting: DEFAULT_MAX_NESTING,
            max_rule_file_bytes: 4 << 20,
            max_line_bytes: 16 << 20,
            max_fields: 1_000,
            max_list_len: 100_000,
            max_grouping_bytes: 4 << 30,
            max_document_bytes: 64 << 20,
            max_item_records: 1_000_000,
            import_roots: Vec::new(),
        }
    }
}
