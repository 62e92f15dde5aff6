//! `concordant check`: checks data against a pack, in every output format.

use super::output::{self, Output, Protected};
use super::{parse_fps, parse_input_format, Config, LimitArgs, RulesArg};
use clap::ValueEnum;
use concordant::data::formats::InputFormat;
use concordant::data::formats::ReadOptions;
use concordant::diag::{self, Color};
use concordant::Problem;
use concordant::{Input, Pack, RunOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) const EXAMPLES: &str = "\
Examples:
  concordant check --rules rules/ examples/data/clips.jsonl
  concordant check --rules rules/sync.cord --format json data.jsonl > findings.jsonl
  cat data.jsonl | concordant check --rules rules/ --fail-on warning -
  concordant check --rules rules/ --format json --threads 4 big.jsonl > findings.jsonl
  concordant check --rules rules/ --format json --stream speech.jsonl faces.jsonl | next-stage
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

#[derive(clap::Args)]
pub(super) struct CheckArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// Data files, each read in the format its extension (and, for `.json`, its content)
    /// shows, or through a mapping of the pack (`--input-format` lists the formats); `-`
    /// reads standard input. Else the `inputs` of the project's `concordant.toml`.
    #[arg(value_name = "DATA")]
    data: Vec<PathBuf>,
    /// The name standard input (`-`) is known by: its format is chosen from it, and findings
    /// and diagnostics name it (`git show HEAD:data.jsonl | concordant check
    /// --stdin-filename data.jsonl -`).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Read every data file as this format, whatever its extension (docs/formats.md).
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format, long_help = super::input_format_help())]
    input_format: Option<InputFormat>,
    /// Frames per second of formats that count in frames without saying their rate (CVAT);
    /// without it their times are frame numbers.
    #[arg(long, value_name = "N", value_parser = parse_fps)]
    fps: Option<f64>,
    /// Output format [default: human, or the project's `format`]
    #[arg(short, long, value_enum, hide_default_value = true)]
    format: Option<Format>,
    /// The lowest severity that makes the exit status 1 [default: error, or the project's
    /// `fail-on`]
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
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
    /// The memory records of input not grouped by item may take while they are grouped
    /// (`512K`, `64M`, `2G`); past it they go to temporary files in TMPDIR, removed when the
    /// run ends.
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = parse_size)]
    memory_limit: u64,
    /// Inputs are in item order (the natural order of item names: `clip 2` before `clip 10`):
    /// with `--format json`, write each item's findings as soon as it and the items before
    /// it are checked, instead of at the end. A record out of order is reported
    /// (`cord::data::out-of-order`) and the run goes on.
    #[arg(long)]
    stream: bool,
    /// Check again whenever a rule file, data file or the project's settings change (until
    /// Ctrl-C).
    #[arg(long, conflicts_with = "stream")]
    watch: bool,
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
    /// With `--format sarif`: the most results the log holds (data errors first, then
    /// findings in output order); the rest are counted per rule in its notification. GitHub
    /// code scanning refuses a run with more than 25,000.
    #[arg(long, value_name = "N", default_value_t = diag::sarif::MAX_RESULTS)]
    sarif_max_results: usize,
    /// With `--format html`: draw the timelines of this many items with findings (the first
    /// ones); the others list their findings only, which keeps big reports small.
    #[arg(long, value_name = "N", default_value_t = 50)]
    report_items: usize,
    #[command(flatten)]
    limits: LimitArgs,
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

/// A size in bytes, with an optional `K`, `M` or `G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (&text[..at], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("`{text}`: expected a size such as 512K, 64M or 2G")),
    };
    match digits.parse::<u64>() {
        Ok(n) if n > 0 && n.leading_zeros() >= shift => Ok(n << shift),
        _ => Err(format!(
            "`{text}`: expected a size such as 512K, 64M or 2G, above 0"
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

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

/// Fills what the command line left out from the project's settings, and checks that the
/// run has rules and data.
fn complete(args: &mut CheckArgs, config: Option<&Config>) -> Result<(), String> {
    if let Some(config) = config {
        if args.data.is_empty() {
            args.data = config.inputs()?;
        }
        if args.format.is_none() {
            args.format = config
                .format
                .as_deref()
                .map(|f| config.choice("format", f))
                .transpose()?;
        }
        if args.fail_on.is_none() {
            args.fail_on = (config.fail_on.as_deref())
                .map(|f| config.choice("fail-on", f))
                .transpose()?;
        }
        if args.output.is_none() {
            args.output = config.output.clone();
        }
    }
    if args.data.is_empty() {
        return Err(
            "no data files given\n  help: name them after the options (`-` reads standard \
                    input), or set `inputs` in the project's concordant.toml"
                .into(),
        );
    }
    let stdin = args.data.iter().any(|d| d.as_os_str() == "-");
    if args.watch && stdin {
        return Err(
            "`--watch` reads its files again on every change, and standard input can \
                    be read only once; give the data as files"
                .into(),
        );
    }
    if args.stdin_filename.is_some() && !stdin {
        return Err(
            "`--stdin-filename` names standard input, which is read only when `-` is \
                    among the data files"
                .into(),
        );
    }
    Ok(())
}

impl CheckArgs {
    fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    fn fail_on(&self) -> FailOn {
        self.fail_on.unwrap_or(FailOn::Error)
    }
}

/// Runs `concordant check`.
pub(super) fn run(
    mut args: CheckArgs,
    config: Option<Config>,
    stdout_color: Color,
    stderr_color: Color,
) -> ExitCode {
    if let Err(code) = args.rules.or_from(config.as_ref()) {
        return code;
    }
    if let Err(message) = complete(&mut args, config.as_ref()) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    if args.watch {
        let mut fixed = args.rules.rules.clone();
        fixed.extend(args.data.iter().filter(|d| d.as_os_str() != "-").cloned());
        fixed.extend(config.map(|c| c.file));
        return super::watch::watch(fixed, |watched| {
            check_once(&args, stdout_color, stderr_color, watched)
        });
    }
    check_once(&args, stdout_color, stderr_color, &mut Vec::new())
}

/// One check; the rule files it read are added to `read` (for `--watch`).
fn check_once(
    args: &CheckArgs,
    stdout_color: Color,
    stderr_color: Color,
    read: &mut Vec<PathBuf>,
) -> ExitCode {
    let limits = args.limits.limits();
    let mut pack = match args.rules.load(&limits, stderr_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    read.extend(pack.sources().iter().map(|(_, source)| source.path.clone()));
    if !args.select.is_empty() {
        if let Err(message) = pack.select(&args.select) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let valid = refuse_destinations(args, &pack).and_then(|()| refuse_stream(args));
    let threads = match valid.and_then(|()| threads(args.threads)) {
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
                match &args.stdin_filename {
                    Some(name) => Input::StdinAs(name.clone()),
                    None => Input::Stdin,
                }
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
        progress: progress_bar(),
        parse_only: args.parse_only,
        input_format: args.input_format,
        item_metrics: args.metrics.is_some(),
        // The per-annotator tables: in `--metrics` and at the end of the human report.
        rater_metrics: args.metrics.is_some() || args.format() == Format::Human,
        read: ReadOptions {
            fps: args.fps,
            mapping: None,
        },
        limits,
        memory_limit: args.memory_limit,
        in_item_order: args.stream,
        keep_records: if args.format() == Format::Html {
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
    let outcome = match args.format() {
        Format::Json if args.stream => check_to_json_stream(&pack, &inputs, &options, &mut out),
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
                diag::sarif::finish(s, &pack, o, args.sarif_max_results, w)
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
    let results = outcome.data_errors.len() as u64 + outcome.per_rule.iter().sum::<u64>();
    if args.format() == Format::Sarif && results > args.sarif_max_results as u64 {
        eprintln!(
            "warning: the SARIF log holds the first {} of {results} results (--sarif-max-results); \
             its notification counts the rest per rule, and --format json lists them all",
            args.sarif_max_results
        );
    }
    let unreadable = outcome.data_errors.iter().any(Problem::is_unread_input);
    if unreadable {
        eprintln!("error: some input could not be read; see the diagnostics above");
        return ExitCode::from(2);
    }
    let worst = pack
        .plan()
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
        Some(w) if args.fail_on() != FailOn::Never && w >= args.fail_on() => ExitCode::from(1),
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
    for (_, source) in pack.sources().iter() {
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

/// `--stream` with a format that cannot be written piece by piece.
fn refuse_stream(args: &CheckArgs) -> Result<(), String> {
    match args.stream && args.format() != Format::Json {
        true => Err(
            "`--stream` writes findings as JSON Lines while the run goes on; add `--format json`"
                .into(),
        ),
        false => Ok(()),
    }
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

/// Runs the check on input in item order, writing findings as they are final.
fn check_to_json_stream(
    pack: &Pack,
    inputs: &[Input],
    options: &RunOptions,
    out: &mut Output,
) -> std::io::Result<concordant::Outcome> {
    let mut stream = diag::json::JsonStream::new(pack, source_names(inputs), out.writer())?;
    let outcome = pack.check_inputs_into(inputs, options, &mut stream);
    stream.finish(&outcome)?;
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

/// A progress line on standard error while a run reads, when standard error is a terminal:
/// bytes read, items seen and the rate, redrawn a few times a second and cleared at the end.
fn progress_bar() -> Option<concordant::OnProgress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "checking: {msg} {binary_bytes} read, {binary_bytes_per_sec} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let report = move |p: concordant::Progress| {
        if p.done {
            bar.finish_and_clear();
        } else {
            bar.set_position(p.bytes);
            bar.set_message(format!("{} items,", p.items));
        }
    };
    Some(concordant::OnProgress(std::sync::Arc::new(report)))
}
