//! The `concordant` command line: a thin front end over the library.

mod check;
mod config;
mod fmt;
mod init;
mod output;
mod serve;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use concordant::data::formats::mapping::Mappings;
use concordant::data::formats::{InputFormat, ReadOptions};
use concordant::diag::{self, Color};
use concordant::{Input, Limits, Pack, RunOptions};
use config::Config;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// When to colour output; `NO_COLOR` and non-terminals turn `auto` off, `FORCE_COLOR` or
    /// `CLICOLOR_FORCE` on.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    /// Read the project's settings from FILE (a `concordant.toml`, or a `pyproject.toml` with
    /// a `[tool.concordant]` table) instead of the nearest one above the working directory.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Read no project settings: only the flags given count.
    #[arg(long, global = true, conflicts_with = "config")]
    isolated: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check annotation data against rule files.
    #[command(after_help = check::EXAMPLES)]
    Check(check::CheckArgs),
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
    Lsp {
        /// Speak over standard input and output, which the server always does; accepted
        /// because language clients (vscode-languageclient's stdio transport) pass it.
        #[arg(long)]
        stdio: bool,
    },
    /// Serve checks over HTTP: `/validate`, and Label Studio's ML-backend protocol.
    #[command(after_help = serve::EXAMPLES)]
    Serve(serve::ServeArgs),
    /// Start a project: settings, a schema, a rule file with tests, and example data.
    #[command(after_help = init::EXAMPLES)]
    Init(init::InitArgs),
    /// Print a shell's completion script for `concordant`.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  concordant completions bash > ~/.local/share/bash-completion/completions/concordant
  concordant completions zsh > ~/.zfunc/_concordant     # with `fpath+=~/.zfunc` in ~/.zshrc
  concordant completions fish > ~/.config/fish/completions/concordant.fish";

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
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format, long_help = input_format_help())]
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
    /// The most bytes of records held while items checked before the input turned out not to
    /// be grouped are read again whole; past it, such an item is given up.
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
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format, long_help = input_format_help())]
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
    /// Rule files or directories of `*.cord` files (repeat the flag or separate with commas);
    /// else the `rules` of the project's `concordant.toml`.
    #[arg(short, long, value_delimiter = ',', value_name = "PATH")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    imports: ImportArgs,
}

const NO_RULES: &str =
    "error: no rule files given\n  help: pass `--rules PATH`, or run in a project \
whose concordant.toml sets `rules` (`concordant init` writes one)";

/// Where `import` may read besides the pack's own folders (docs/robustness.md).
#[derive(clap::Args)]
struct ImportArgs {
    /// Let `import` read rule files under DIR too; by default it reads only under the current
    /// directory and the folders of the rule paths given.
    #[arg(long = "allow-import", value_name = "DIR")]
    allow: Vec<PathBuf>,
}

impl RulesArg {
    /// Takes the project's rules (and mapping files) when no `--rules` was given; an error
    /// when there are none either way.
    fn or_from(&mut self, config: Option<&Config>) -> Result<(), ExitCode> {
        if let Some(config) = config {
            if self.rules.is_empty() {
                self.rules = config.rules.clone();
            }
            self.rules.extend(config.mappings.iter().cloned());
        }
        if self.rules.is_empty() {
            eprintln!("{NO_RULES}");
            return Err(ExitCode::from(2));
        }
        Ok(())
    }

    /// The pack at these paths, within `limits` and the folders imports may read.
    fn load(&self, limits: &Limits, stderr_color: Color) -> Result<Pack, ExitCode> {
        load(
            &self.rules,
            &self.imports.within(limits.clone()),
            stderr_color,
        )
    }
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

/// An `--input-format` value, with the list of formats when it is none of them.
fn parse_input_format(name: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::forcible().map(|f| f.name).collect();
        format!("unknown format; the formats are {}", names.join(", "))
    })
}

/// The long help of `--input-format`: every format it takes, from the format registry.
fn input_format_help() -> String {
    let formats: Vec<String> = InputFormat::forcible()
        .map(|f| format!("  {}: {}", f.name, f.describes))
        .collect();
    format!(
        "Read every data file as this format, whatever its extension (docs/formats.md):\n{}",
        formats.join("\n")
    )
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
    /// Rule files or directories of `*.cord` files; else the `rules` of the project's
    /// `concordant.toml`.
    #[arg(value_name = "PATH")]
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
enum TestFormat {
    /// A line per test, and the expected and actual findings of failures.
    Human,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// Whether to colour a stream: `--color`, else `NO_COLOR` (off), else `FORCE_COLOR` or
/// `CLICOLOR_FORCE` (on, for CI logs that show colour), else whether it is a terminal.
fn color(choice: ColorChoice, stream_is_terminal: bool) -> Color {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto if set("NO_COLOR") => Color::Never,
        ColorChoice::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => Color::Always,
        ColorChoice::Auto if stream_is_terminal => Color::Always,
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
    let reads_settings = matches!(
        cli.command,
        Command::Check(_)
            | Command::Test(_)
            | Command::Plan(_)
            | Command::Fmt(_)
            | Command::Explain(_)
    );
    let config = match reads_settings {
        true => match Config::find(cli.config.as_deref(), cli.isolated) {
            Ok(config) => config,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        },
        false => None,
    };
    match cli.command {
        Command::Check(args) => check::run(args, config, stdout_color, stderr_color),
        Command::Test(args) => test(args, config, stderr_color),
        Command::Plan(args) => plan(args, config, stderr_color),
        Command::Convert(args) => convert(args, stderr_color),
        Command::Fmt(args) => fmt::run(args, config),
        Command::Explain(args) => explain(args, config, stderr_color),
        Command::Serve(args) => serve::run(args, stderr_color),
        Command::Init(args) => init::run(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "concordant", &mut script);
            match write_out(&String::from_utf8_lossy(&script)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
        Command::Lsp { .. } => match concordant::lsp::run() {
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
            eprintln!("error: {}; no data was checked", e.summary());
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

fn explain(mut args: ExplainArgs, config: Option<Config>, stderr_color: Color) -> ExitCode {
    if let Err(code) = args.rules.or_from(config.as_ref()) {
        return code;
    }
    let limits = args.limits.limits();
    let mut pack = match args.rules.load(&limits, stderr_color) {
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
    let outcome = pack.check(&inputs, &options);
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

fn test(args: TestArgs, config: Option<Config>, stderr_color: Color) -> ExitCode {
    let limits = args.imports.within(Limits::default());
    let mut rules = RulesArg {
        rules: args.paths,
        imports: ImportArgs { allow: Vec::new() },
    };
    if let Err(code) = rules.or_from(config.as_ref()) {
        return code;
    }
    let pack = match Pack::from_paths_within(&rules.rules, &limits) {
        Ok(pack) => {
            eprint!("{}", diag::render_pack_warnings(&pack, stderr_color));
            pack
        }
        Err(error) => {
            eprint!("{}", diag::render_pack_error(&error, stderr_color));
            eprintln!("error: {}; no test ran", error.summary());
            // A CI report shows why no test ran, rather than nothing.
            if args.format == TestFormat::Junit {
                if let Err(code) = write_out(&diag::junit::render_pack_error(&error)) {
                    return code;
                }
            }
            return ExitCode::from(2);
        }
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
    for (path, item) in args.files.iter().zip(&items) {
        let (bytes, name) = match concordant::data::compressed::read_text(path) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let prefix = &bytes[..bytes.len().min(64 * 1024)];
        let (format, mapping) =
            InputFormat::choose_named(&name, prefix, args.input_format, &mappings);
        if format == InputFormat::JsonLines {
            let readers: Vec<&str> = (concordant::data::formats::FORMATS.iter())
                .filter(|f| matches!(f.read, concordant::data::formats::Read::Whole(_)))
                .map(|f| f.name)
                .collect();
            eprintln!(
                "error: {} is JSON Lines already; convert reads {}, and CSV or JSON data sets through --mapping",
                path.display(),
                readers.join(", ")
            );
            return ExitCode::from(2);
        }
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

fn plan(mut args: PlanArgs, config: Option<Config>, stderr_color: Color) -> ExitCode {
    if let Err(code) = args.rules.or_from(config.as_ref()) {
        return code;
    }
    let pack = match args.rules.load(&Limits::default(), stderr_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = pack.plan();
    let mut out = String::new();
    for id in &args.ids {
        if plan.rule(id).is_none() {
            let ids = plan.rules.iter().map(|r| r.id.as_str());
            let help = concordant::suggest::did_you_mean(id, "rules", ids)
                .unwrap_or_else(|| "`concordant plan --rules PATH` lists every rule".into());
            eprintln!("error: no rule `{id}` in the given rule files\n  help: {help}");
            return ExitCode::from(2);
        }
    }
    let functions = &pack.checked().functions;
    if args.ids.is_empty() && !functions.is_empty() {
        out.push_str("functions (each call is written out in the rule that makes it):\n");
        for f in functions.values() {
            out.push_str(&format!("  {}\n", f.signature(&plan.schema)));
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
