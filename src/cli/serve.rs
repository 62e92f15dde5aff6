//! `concordant serve`: the HTTP validator and Label Studio ML backend.

use super::{LimitArgs, RulesArg};
use concordant::diag::Color;
use concordant::server::{Connection, Loader, ServeOptions};
use concordant::RunOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub(super) const EXAMPLES: &str = "\
Examples:
  CONCORDANT_TOKEN=$(cat token) concordant serve --rules rules/
  concordant serve --rules rules/datasets/label-studio/ --token-file /run/secrets/concordant
  curl -H \"Authorization: Bearer $TOKEN\" -d @task.json http://127.0.0.1:8750/validate
  kill -HUP <pid>    # reload the rules (also done when a rule file changes); a pack that
                     # does not compile is logged, and the old one kept

Endpoints: POST /validate (a Label Studio task, an annotation with its task, or canonical
records; `?format=findings` for the JSON Lines of `check --format json`), the Label Studio
ML-backend protocol (POST /setup, /predict, /webhook), GET /health, /rules, /metrics.
Findings are written back to Label Studio at CONCORDANT_LABEL_STUDIO_URL with
CONCORDANT_LABEL_STUDIO_TOKEN, else where `/setup` said (docs/live-validation.md).

Exit status: 0 after SIGTERM or Ctrl-C, 2 when the rules do not compile or the address
cannot be listened on.";

#[derive(clap::Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8750")]
    listen: SocketAddr,
    /// A file holding the token requests must carry (else CONCORDANT_TOKEN; never on the
    /// command line, where other users see it).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// How many checks may be in flight at once (they share the cores); more requests are
    /// answered 503 with Retry-After at once (default: 64, or 4 per core if more).
    #[arg(long, value_name = "N")]
    max_concurrent: Option<usize>,
    /// Seconds a check may take before it is answered 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// Stop a rule on an item after it has considered this many candidate records.
    #[arg(long, value_name = "N", default_value_t = concordant::DEFAULT_WORK_BUDGET)]
    work_budget: u64,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Runs `concordant serve`.
pub(super) fn run(args: ServeArgs, stderr_color: Color) -> ExitCode {
    let limits = args.limits.limits();
    let token = match token(args.token_file.as_deref()) {
        Ok(token) => token,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if token.is_none() && !args.listen.ip().is_loopback() {
        eprintln!(
            "error: listening on {} needs a token: set CONCORDANT_TOKEN or --token-file",
            args.listen
        );
        return ExitCode::from(2);
    }
    if args.rules.load(&limits, stderr_color).is_err() {
        return ExitCode::from(2);
    }
    let rules = Arc::new(args.rules);
    let loader_limits = limits.clone();
    let loader: Loader = Arc::new(move || {
        rules
            .load(&loader_limits, Color::Never)
            .map_err(|_| "the rules do not compile (the diagnostics are above)".to_string())
    });
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = ServeOptions {
        addr: args.listen,
        token,
        max_body_bytes: args.max_body_bytes,
        max_concurrent: args.max_concurrent.unwrap_or((4 * cores).max(64)),
        timeout: Duration::from_secs(args.timeout.max(1)),
        run: RunOptions {
            work_budget: args.work_budget,
            limits,
            ..RunOptions::default()
        },
        label_studio: label_studio(),
    };
    // Events as JSON lines on standard error; CONCORDANT_LOG filters them (`warn`, `info`).
    let filter = tracing_subscriber::EnvFilter::try_from_env("CONCORDANT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let served = concordant::server::serve(options, loader, |addr| {
        eprintln!("concordant serve: listening on http://{addr}");
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot serve on {}: {e}", args.listen);
            ExitCode::from(2)
        }
    }
}

/// The token: from the file, else CONCORDANT_TOKEN, else none.
fn token(file: Option<&std::path::Path>) -> Result<Option<String>, String> {
    let token = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the token file `{}`: {e}", path.display()))?,
        None => std::env::var("CONCORDANT_TOKEN").unwrap_or_default(),
    };
    let token = token.trim().to_string();
    match token.len() {
        0 if file.is_some() => Err("the token file is empty".into()),
        0 => Ok(None),
        1..16 => Err(
            "the token is shorter than 16 characters; use a random one (`openssl rand -hex 20`)"
                .into(),
        ),
        _ => Ok(Some(token)),
    }
}

/// The Label Studio to write back to when `/setup` names none.
fn label_studio() -> Option<Connection> {
    let url = std::env::var("CONCORDANT_LABEL_STUDIO_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let token = std::env::var("CONCORDANT_LABEL_STUDIO_TOKEN").unwrap_or_default();
    Some(Connection { url, token })
}
