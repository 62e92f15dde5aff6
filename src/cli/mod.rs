//! The `concordant` command line: a thin front end over the library.

mod fmt;
mod output;

use clap::{Parser, Subcommand, ValueEnum};
use concordant::data::formats::mapping::{Mappings, TableFormat};
use concordant::data::formats::{InputFormat, ReadOptions};
use concordant::data::DataError;
use concordant::diag::{self, Color};
use concordant::{Input, Limits, Pack, RunOptions};
use output::{Output, Protected};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const CHECK_EXAMPLES: &str = "\
Examples:
  concordant check --rules rules/ examples/data/clips.jsonl
  concordant check --rules rules/sync.cord --format json data.jsonl > findings.jsonl
  cat data.jsonl | concordant check --rules rules/ --fail-on warning -
  concordant check --rules rules/ --format json --threads 4 big.jsonl > findings.jsonl
  concordant check --rules rules/datasets/webvtt-py/ subtitles/*.vtt subtitles/*.srt
  concordant check --rules my-pack/ --input-format vtt captions.txt
  concordant check --rules rules/ --select label-disagreement,speaker-self-overlap data.jsonl
  concordant check --rules rules/,rules/reliability/ --metrics metrics.json data.jsonl
  concordant check --rules rules/ --format sarif data.jsonl > findings.sarif
  concordant check --rules rules/ --format github data.jsonl   # in a GitHub Actions step
  concordant check --rules rules/ --format html --output report.html data.jsonl

Input grouped by item (every record of a clip together) is checked as it streams, in
memory bounded by the largest item; interleaved input is grouped in memory first
(docs/performance.md). A progress line is shown on a terminal.

Exit status: 0 when nothing at or above --fail-on was found, 1 when something was,
2 for usage errors, rule-file errors or unreadable input.";

const PLAN_EXAMPLES: &str = "\
Examples:
  concordant plan --rules rules/ speaker-self-overlap
  concordant plan --rules rules/          # every rule

Shows how each rule runs: which records it scans, which joins probe an index (hash joins on
an equality, interval joins on a time relation), and the filters applied at each step.";

const CONVERT_EXAMPLES: &str = "\
Examples:
  concordant convert talk.vtt > talk.jsonl
  concordant convert --input-format srt subtitles.txt
  concordant convert interview.TextGrid | jq -c 'select(.kind == \"interval\")'

Prints one JSON object per record — item, kind, id, then the fields — in file order: the
records a rule pack sees (docs/formats.md). Parts of a file that give no record are reported
on standard error with their line.

Exit status: 0 when every part of every file was read, 1 when some part was not, 2 when a
file cannot be read.";

const TEST_EXAMPLES: &str = "\
Examples:
  concordant test rules/
  concordant test rules/sync.cord rules/emotion.cord
  concordant test rules/ --format junit > test-results.xml

Exit status: 0 when every test passes, 1 when one fails, 2 for rule-file errors.";

/// Cross-modal consistency rules for multimodal annotation data.
#[derive(Parser)]
#[command(name = "concordant", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour output; `NO_COLOR` and non-terminals turn `auto` off.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
}

#[derive(Subcommand)]
enum Command {
    /// Check annotation data against rule files.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Run the `test` blocks of rule files.
    #[command(after_help = TEST_EXAMPLES)]
    Test(TestArgs),
    /// Show how rules are evaluated: scans, joins, indexes and their order.
    #[command(after_help = PLAN_EXAMPLES)]
    Plan(PlanArgs),
    /// Print the canonical records Concordant reads from subtitle, TextGrid and other files.
    #[command(after_help = CONVERT_EXAMPLES)]
    Convert(ConvertArgs),
    /// Rewrite rule files in the canonical layout (comments kept), or check that they are.
    #[command(after_help = fmt::EXAMPLES)]
    Fmt(fmt::FmtArgs),
    /// Show why a rule's findings fired: bindings, the value of each part of the condition,
    /// and the candidates each `some`/`no`/`all` considered.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Run the language server for rule files on standard input and output (for editors).
    #[command(after_help = LSP_EXAMPLES)]
    Lsp,
}

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  concordant explain --rules rules/ transcript-needs-speech --item clip_001 examples/data/clips.jsonl
  concordant explain --rules rules/ speech-needs-transcript --record s4 examples/data/clips.jsonl

Without --item or --record, every finding of the rule is explained.";

#[derive(clap::Args)]
struct ExplainArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// The rule whose findings to explain.
    #[arg(value_name = "RULE_ID")]
    rule: String,
    /// Data files, read as `check` reads them.
    #[arg(required = true, value_name = "DATA")]
    data: Vec<PathBuf>,
    /// Only the findings on this item.
    #[arg(long, value_name = "ITEM")]
    item: Option<String>,
    /// Only the findings that involve the record with this id.
    #[arg(long, value_name = "ID")]
    record: Option<String>,
    /// Read every data file as this format, whatever its extension.
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    input_format: Option<InputFormat>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What rule files and data may ask of a run (docs/robustness.md). Each limit ends what it
/// guards with a diagnostic naming it.
#[derive(clap::Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// How deeply an expression may nest (brackets, quantifiers, `not`, chained operators).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_nesting,
          value_parser = parse_nesting)]
    max_nesting: usize,
    /// The largest rule file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_rule_file_bytes)]
    max_rule_file_bytes: u64,
    /// The longest data line, in bytes; a longer one is skipped without being held.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_line_bytes)]
    max_line_bytes: usize,
    /// The most fields a record may have.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_fields)]
    max_fields: usize,
    /// The most values a list field may hold.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_list_len)]
    max_list_len: usize,
    /// The most bytes of records held while grouping input whose items are not contiguous;
    /// past it, items that reappear are rejected instead of held.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_grouping_bytes)]
    max_grouping_bytes: u64,
    /// The largest file of a format read whole (subtitles, TextGrid, ELAN, CVAT, Label Studio,
    /// CSV and JSON data sets) and the largest baseline, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_document_bytes)]
    max_document_bytes: u64,
    /// The most records one item may have; a larger item is reported and not checked.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_item_records)]
    max_item_records: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_nesting: self.max_nesting,
            max_rule_file_bytes: self.max_rule_file_bytes,
            max_line_bytes: self.max_line_bytes,
            max_fields: self.max_fields,
            max_list_len: self.max_list_len,
            max_grouping_bytes: self.max_grouping_bytes,
            max_document_bytes: self.max_document_bytes,
            max_item_records: self.max_item_records,
            import_roots: Vec::new(),
        }
    }
}

const LSP_EXAMPLES: &str = "\
The server speaks the Language Server Protocol over standard input and output: diagnostics
as you type (with the codes and help of `concordant check`), hover, go to definition,
completion, document symbols and semantic highlighting. Editors start it themselves; see
editors/ for a VS Code extension and a Neovim setup.";

#[derive(clap::Args)]
struct ConvertArgs {
    /// Files to read (the format is chosen by extension).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read every file as this format, whatever its extension.
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    input_format: Option<InputFormat>,
    /// Frames per second of formats that count in frames without saying their rate (CVAT).
    #[arg(long, value_name = "N", value_parser = parse_fps)]
    fps: Option<f64>,
    /// Mapping files, or rule-pack directories holding them, for CSV and JSON data sets.
    #[arg(long, value_name = "PATH", value_delimiter = ',')]
    mapping: Vec<PathBuf>,
}

/// The `--rules` option of the commands that load a rule pack.
#[derive(clap::Args)]
struct RulesArg {
    /// Rule files or directories of `*.cord` files (repeat the flag or separate with commas).
    #[arg(
        short,
        long,
        required = true,
        value_delimiter = ',',
        value_name = "PATH"
    )]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    imports: ImportArgs,
}

/// Where `import` may read besides the pack's own folders (docs/robustness.md).
#[derive(clap::Args)]
struct ImportArgs {
    /// Let `import` read rule files under DIR too; by default it reads only under the current
    /// directory and the folders of the rule paths given.
    #[arg(long = "allow-import", value_name = "DIR")]
    allow: Vec<PathBuf>,
}

impl ImportArgs {
    /// `limits` with these folders added to where imports may read.
    fn within(&self, mut limits: Limits) -> Limits {
        limits.import_roots.extend(self.allow.iter().cloned());
        limits
    }
}

#[derive(clap::Args)]
struct PlanArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// Rules to show (all when none is given).
    #[arg(value_name = "RULE_ID")]
    ids: Vec<String>,
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// Data files: JSON Lines (or a JSON array), or WebVTT/SRT/SBV subtitles and Praat
    /// TextGrids, chosen by extension; `-` reads standard input.
    #[arg(required = true, value_name = "DATA")]
    data: Vec<PathBuf>,
    /// Read every data file as this format, whatever its extension (docs/formats.md).
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    input_format: Option<InputFormat>,
    /// Frames per second of formats that count in frames without saying their rate (CVAT);
    /// without it their times are frame numbers.
    #[arg(long, value_name = "N", value_parser = parse_fps)]
    fps: Option<f64>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Worker threads (default: RAYON_NUM_THREADS, else every core). Output is the same for
    /// every number.
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true,
        value_parser = parse_threads
    )]
    threads: usize,
    /// Stop a rule on an item after it has considered this many candidate records.
    #[arg(long, value_name = "N", default_value_t = concordant::DEFAULT_WORK_BUDGET)]
    work_budget: u64,
    /// Read and validate the data (repeated ids within an item included) but run no rule
    /// (measures the cost of input alone).
    #[arg(long)]
    parse_only: bool,
    /// Leave out the findings of an earlier `--format json` output, report only new ones, and
    /// list the entries no finding matches any more.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Run only these rules of the pack (repeat the flag or separate with commas).
    #[arg(long, value_delimiter = ',', value_name = "RULE_ID")]
    select: Vec<String>,
    /// Write every statistic the data-set rules computed, with each rater's counts, to FILE
    /// as JSON.
    #[arg(long, value_name = "FILE")]
    metrics: Option<PathBuf>,
    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With `--format html`: draw the timelines of this many items with findings (the first
    /// ones); the others list their findings only, which keeps big reports small.
    #[arg(long, value_name = "N", default_value_t = 50)]
    report_items: usize,
    #[command(flatten)]
    limits: LimitArgs,
}

/// An `--input-format` value, with the list of formats when it is none of them.
fn parse_input_format(name: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL.iter().map(|(n, _)| *n).collect();
        format!("unknown format; the formats are {}", names.join(", "))
    })
}

/// A `--threads` value: at most [`concordant::MAX_THREADS`]; 0 leaves the choice to
/// `RAYON_NUM_THREADS` or the number of cores.
fn parse_threads(text: &str) -> Result<usize, String> {
    let max = concordant::MAX_THREADS;
    match text.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(format!(
            "at most {max} threads; more than a few per core only slows a run (0 uses every core)"
        )),
        Err(_) => Err(format!("expected a number of threads from 0 to {max}")),
    }
}

/// A `--max-nesting` value: at most [`concordant::MAX_NESTING_CEILING`], the depth the stack
/// is sized for.
fn parse_nesting(text: &str) -> Result<usize, String> {
    let ceiling = concordant::MAX_NESTING_CEILING;
    match text.parse::<usize>() {
        Ok(n) if (1..=ceiling).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a nesting depth from 1 to {ceiling}; deeper rules would exhaust the stack \
             (split a deep condition into constants or several rules instead)"
        )),
    }
}

/// The threads of a run: `--threads`, else `RAYON_NUM_THREADS` held to the same bound, else
/// 0 (every core).
fn threads(flag: usize) -> Result<usize, String> {
    match std::env::var("RAYON_NUM_THREADS") {
        Ok(value) if flag == 0 && !value.trim().is_empty() => {
            parse_threads(value.trim()).map_err(|e| format!("RAYON_NUM_THREADS={value}: {e}"))
        }
        _ => Ok(flag),
    }
}

/// An `--fps` value: a positive, finite number.
fn parse_fps(text: &str) -> Result<f64, String> {
    let range = concordant::data::formats::cvat::FPS_RANGE;
    match text.parse::<f64>() {
        Ok(fps) if range.contains(&fps) => Ok(fps),
        _ => Err(format!(
            "expected frames per second from {} to {}, e.g. 25 or 29.97",
            range.start(),
            range.end()
        )),
    }
}

#[derive(clap::Args)]
struct TestArgs {
    /// Rule files or directories of `*.cord` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
    #[command(flatten)]
    imports: ImportArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Rendered diagnostics with the offending data lines.
    Human,
    /// JSON Lines: one object per finding and data error, then a summary (docs/output.md).
    Json,
    /// SARIF 2.1.0, for code scanning: rules with their docs, results at their data lines.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the data files of a pull request.
    Github,
    /// One self-contained HTML page: summary, charts, and each item's findings on a timeline.
    Html,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TestFormat {
    /// A line per test, and the expected and actual findings of failures.
    Human,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

fn color(choice: ColorChoice, stream_is_terminal: bool) -> Color {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto if stream_is_terminal && !no_color => Color::Always,
        ColorChoice::Auto => Color::Never,
    }
}

/// Runs the command line and returns the exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stderr_color = color(cli.color, std::io::stderr().is_terminal());
    let stdout_color = color(cli.color, std::io::stdout().is_terminal());
    match cli.command {
        Command::Check(args) => check(args, stdout_color, stderr_color),
        Command::Test(args) => test(args, stdout_color, stderr_color),
        Command::Plan(args) => plan(args, stderr_color),
        Command::Convert(args) => convert(args, stderr_color),
        Command::Fmt(args) => fmt::run(args),
        Command::Explain(args) => explain(args, stderr_color),
        Command::Lsp => match concordant::lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: the language server stopped: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn load(paths: &[PathBuf], limits: &Limits, stderr_color: Color) -> Result<Pack, ExitCode> {
    match Pack::from_paths_within(paths, limits) {
        Ok(pack) => {
            eprint!("{}", diag::render_pack_warnings(&pack, stderr_color));
            Ok(pack)
        }
        Err(e) => {
            eprint!("{}", diag::render_pack_error(&e, stderr_color));
            eprintln!("error: {e}; no data was checked");
            Err(ExitCode::from(2))
        }
    }
}

/// Writes a command's whole output to standard output; `Err` is the exit status of a failed
/// write, after saying so.
fn write_out(text: &str) -> Result<(), ExitCode> {
    output::write_stdout(text).map_err(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

fn check(args: CheckArgs, stdout_color: Color, stderr_color: Color) -> ExitCode {
    let limits = args.limits.limits();
    let mut pack = match load(
        &args.rules.rules,
        &args.rules.imports.within(limits.clone()),
        stderr_color,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !args.select.is_empty() {
        if let Err(message) = pack.select(&args.select) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let threads = match refuse_destinations(&args, &pack).and_then(|()| threads(args.threads)) {
        Ok(threads) => threads,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let inputs: Vec<Input> = args
        .data
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect();
    let most = limits.max_document_bytes;
    let baseline = match (args.baseline.as_deref())
        .map(|path| read_baseline(path, most))
        .transpose()
    {
        Ok(b) => b,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = RunOptions {
        baseline,
        threads,
        work_budget: args.work_budget,
        progress: std::io::stderr().is_terminal(),
        parse_only: args.parse_only,
        input_format: args.input_format,
        item_metrics: args.metrics.is_some(),
        // The per-annotator tables: in `--metrics` and at the end of the human report.
        rater_metrics: args.metrics.is_some() || args.format == Format::Human,
        read: ReadOptions {
            fps: args.fps,
            mapping: None,
        },
        limits,
        keep_records: if args.format == Format::Html {
            args.report_items
        } else {
            0
        },
        ..RunOptions::default()
    };
    let mut out = match Output::to(args.output.as_deref()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match args.format {
        Format::Json => check_to_json(&pack, &inputs, &options, &mut out),
        Format::Human => {
            let color = match args.output {
                Some(_) => Color::Never,
                None => stdout_color,
            };
            let spool = diag::human::spool(&pack, color);
            check_streamed(
                &pack,
                &inputs,
                &options,
                spool,
                &mut out,
                diag::human::finish,
            )
        }
        Format::Sarif => {
            let spool = diag::sarif::spool(&pack, source_names(&inputs));
            check_streamed(&pack, &inputs, &options, spool, &mut out, |s, o, w| {
                diag::sarif::finish(s, &pack, o, w)
            })
        }
        Format::Github => {
            let spool = diag::github::spool(&pack, source_names(&inputs));
            check_streamed(
                &pack,
                &inputs,
                &options,
                spool,
                &mut out,
                diag::github::finish,
            )
        }
        Format::Html => {
            let spool = diag::html::spool(&pack);
            check_streamed(
                &pack,
                &inputs,
                &options,
                spool,
                &mut out,
                diag::html::finish,
            )
        }
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: cannot write the findings: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = out.finish() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if let Some(path) = &args.metrics {
        let text = diag::json::metrics(&outcome).to_string() + "\n";
        if let Err(e) = output::write_file(path, &text) {
            eprintln!("error: the metrics: {e}");
            return ExitCode::from(2);
        }
    }
    let unreadable = outcome.data_errors.iter().any(DataError::is_unread_input);
    if unreadable {
        eprintln!("error: some input could not be read; see the diagnostics above");
        return ExitCode::from(2);
    }
    let worst = pack
        .plan
        .rules
        .iter()
        .zip(&outcome.per_rule)
        .filter(|(_, n)| **n > 0)
        .map(|(rule, _)| match rule.severity {
            concordant::syntax::ast::Severity::Error => FailOn::Error,
            concordant::syntax::ast::Severity::Warning => FailOn::Warning,
            concordant::syntax::ast::Severity::Info => FailOn::Info,
        })
        .chain((!outcome.data_errors.is_empty()).then_some(FailOn::Error))
        .max();
    match worst {
        Some(w) if args.fail_on != FailOn::Never && w >= args.fail_on => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Refuses an `--output` or `--metrics` that names a file the run reads (or each other), before
/// anything is read or written.
fn refuse_destinations(args: &CheckArgs, pack: &Pack) -> Result<(), String> {
    let mut protected = Protected::default();
    for data in args.data.iter().filter(|p| p.as_os_str() != "-") {
        protected.add(data, "data file");
    }
    for (_, source) in pack.sources.iter() {
        protected.add(&source.path, "rule file");
    }
    for path in &args.rules.rules {
        match path.is_dir() {
            true => protected.add_dir(path, "toml", "mapping file"),
            false => protected.add(path, "rule file"),
        }
    }
    if let Some(baseline) = &args.baseline {
        protected.add(baseline, "baseline");
    }
    if let Some(output) = &args.output {
        protected.refuse("--output", output)?;
        protected.add(output, "output file");
    }
    if let Some(metrics) = &args.metrics {
        protected.refuse("--metrics", metrics)?;
    }
    Ok(())
}

/// The baseline in a file, or a message that says what is wrong with it.
fn read_baseline(
    path: &std::path::Path,
    most: u64,
) -> Result<std::sync::Arc<concordant::Baseline>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the baseline `{}`: {e}", path.display());
    let mut text = String::new();
    (std::fs::File::open(path).map_err(cannot)?)
        .take(most.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > most {
        return Err(format!(
            "the baseline `{}` is larger than {most} bytes; raise the limit with \
             `--max-document-bytes` if it is real",
            path.display()
        ));
    }
    concordant::Baseline::from_json_lines(&text)
        .map(std::sync::Arc::new)
        .map_err(|e| format!("`{}`: {e}", path.display()))
}

/// Runs the check with findings spooled to a temporary file, then writes the JSON Lines.
fn check_to_json(
    pack: &Pack,
    inputs: &[Input],
    options: &RunOptions,
    out: &mut Output,
) -> std::io::Result<concordant::Outcome> {
    let mut spool = diag::json::JsonSpool::new(pack, source_names(inputs))?;
    let outcome = pack.check_inputs_into(inputs, options, &mut spool);
    spool.finish(&outcome, out.writer())?;
    Ok(outcome)
}

/// Runs the check with findings rendered into `spool` as items complete, then writes the
/// whole output with `finish`: a run holds none of its findings in memory.
fn check_streamed<R: diag::spool::Rendering>(
    pack: &Pack,
    inputs: &[Input],
    options: &RunOptions,
    spool: std::io::Result<diag::spool::Spool<R>>,
    out: &mut Output,
    finish: impl FnOnce(
        diag::spool::Spool<R>,
        &concordant::Outcome,
        &mut dyn Write,
    ) -> std::io::Result<()>,
) -> std::io::Result<concordant::Outcome> {
    let mut spool = spool?;
    let outcome = pack.check_inputs_into(inputs, options, &mut spool);
    finish(spool, &outcome, out.writer())?;
    Ok(outcome)
}

/// The names sources get in the output.
fn source_names(inputs: &[Input]) -> Vec<String> {
    inputs.iter().map(Input::name).collect()
}

fn explain(args: ExplainArgs, stderr_color: Color) -> ExitCode {
    let limits = args.limits.limits();
    let mut pack = match load(
        &args.rules.rules,
        &args.rules.imports.within(limits.clone()),
        stderr_color,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(message) = pack.select(std::slice::from_ref(&args.rule)) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let inputs: Vec<Input> = args
        .data
        .iter()
        .map(|p| match p.as_os_str() == "-" {
            true => Input::Stdin,
            false => Input::Path(p.clone()),
        })
        .collect();
    let options = RunOptions {
        input_format: args.input_format,
        explain: Some(concordant::ExplainRequest {
            rule: 0,
            item: args.item,
            record: args.record,
        }),
        limits,
        ..RunOptions::default()
    };
    let outcome = pack.check_inputs_with(&inputs, &options);
    let explained = diag::explain::render(&pack, &outcome, 0);
    if let Err(code) = write_out(&diag::escaped(&explained, true)) {
        return code;
    }
    report_unreadable_input(&outcome)
}

/// Explaining reads the data as `check` does; input it could not read at all is named on
/// stderr and fails the command, as it does for `check`, while rejected records are only
/// counted (`check` reports them one by one).
fn report_unreadable_input(outcome: &concordant::Outcome) -> ExitCode {
    let mut unreadable = false;
    for e in &outcome.data_errors {
        if e.is_unread_input() {
            eprintln!("error: {e}");
            unreadable = true;
        }
    }
    let rejected = outcome.data_errors.len();
    if !unreadable && rejected > 0 {
        eprintln!(
            "note: {rejected} data error(s) left some records out; `concordant check` lists them"
        );
    }
    if unreadable {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(args: TestArgs, _stdout_color: Color, stderr_color: Color) -> ExitCode {
    let limits = args.imports.within(Limits::default());
    let pack = match load(&args.paths, &limits, stderr_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let results = pack.run_tests();
    let failed = results.iter().any(|r| !r.passed());
    if args.format == TestFormat::Junit {
        if let Err(code) = write_out(&diag::junit::render(&results)) {
            return code;
        }
        return if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    let mut out = String::new();
    out.push_str(&format!("running {} tests\n", results.len()));
    for r in &results {
        let verdict = if r.passed() { "ok" } else { "FAILED" };
        out.push_str(&format!("test {} ... {verdict}\n", r.name));
    }
    let failed: Vec<_> = results.iter().filter(|r| !r.passed()).collect();
    for r in &failed {
        out.push_str(&format!("\n---- {} ({}) ----\n", r.name, r.location));
        for m in &r.missing {
            out.push_str(&format!("- expected: {m}\n"));
        }
        for u in &r.unexpected {
            out.push_str(&format!("+ actual:   {u}\n"));
        }
    }
    let passed = results.len() - failed.len();
    out.push_str(&format!("\n{passed} passed, {} failed\n", failed.len()));
    if let Err(code) = write_out(&diag::escaped(&out, true)) {
        return code;
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn convert(args: ConvertArgs, stderr_color: Color) -> ExitCode {
    let mappings = match load_mappings(&args.mapping) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut status = ExitCode::SUCCESS;
    let mut stdout = std::io::stdout().lock();
    let inputs: Vec<Input> = args.files.iter().cloned().map(Input::Path).collect();
    let items = concordant::item_names(&inputs);
    for ((path, input), item) in args.files.iter().zip(&inputs).zip(&items) {
        let mapping = mappings
            .for_path(path)
            .filter(|_| args.input_format.is_none());
        let format = match mapping.map(|m| m.format) {
            Some(TableFormat::Csv | TableFormat::Tsv) => InputFormat::Csv,
            Some(TableFormat::Json | TableFormat::Jsonl) => InputFormat::MappedJson,
            None => input.format(args.input_format),
        };
        if format == InputFormat::JsonLines {
            eprintln!(
                "error: {} is JSON Lines already; convert reads subtitle, TextGrid, ELAN and CVAT files, and CSV and JSON data sets with --mapping",
                path.display()
            );
            return ExitCode::from(2);
        }
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let options = ReadOptions {
            fps: args.fps,
            mapping: mapping.cloned().map(std::sync::Arc::new),
        };
        let (records, errors) =
            concordant::data::formats::to_json_lines(format, &bytes, item, &options);
        for (_, record) in records {
            match writeln!(stdout, "{record}") {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return status,
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        for error in &errors {
            let line = error.origin().line;
            eprint!(
                "{}:{line}: {}",
                path.display(),
                diag::render(error, stderr_color)
            );
            status = ExitCode::from(1);
        }
    }
    status
}

/// The mappings in `.toml` files, or in the `.toml` files of directories.
fn load_mappings(paths: &[PathBuf]) -> Result<Mappings, String> {
    let mut mappings = Mappings::default();
    for path in paths {
        let files: Vec<PathBuf> = if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
            mappings
                .extend(Mappings::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?);
        }
    }
    Ok(mappings)
}

fn plan(args: PlanArgs, stderr_color: Color) -> ExitCode {
    let limits = args.rules.imports.within(Limits::default());
    let pack = match load(&args.rules.rules, &limits, stderr_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = &pack.plan;
    let mut out = String::new();
    for id in &args.ids {
        if plan.rule(id).is_none() {
            let ids = plan.rules.iter().map(|r| r.id.as_str());
            let help = concordant::check::did_you_mean(id, "rules", ids)
                .unwrap_or_else(|| "`concordant plan --rules PATH` lists every rule".into());
            eprintln!("error: no rule `{id}` in the given rule files\n  help: {help}");
            return ExitCode::from(2);
        }
    }
    for rule in &plan.rules {
        if args.ids.is_empty() || args.ids.contains(&rule.id) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&concordant::plan::describe_rule(plan, rule));
        }
    }
    match write_out(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
