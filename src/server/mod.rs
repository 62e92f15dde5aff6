//! `concordant serve`: the pack compiled once, checks answered over HTTP. `/validate` takes a
//! Label Studio task, an annotation with its task, or canonical records, and answers in
//! label-studio#8065's shape; `/setup`, `/predict` and `/webhook` speak Label Studio's
//! ML-backend protocol, writing findings back as a prediction and a task summary
//! (`labelstudio.rs`); `/health`, `/rules` and `/metrics` are for operators.
//!
//! Every endpoint but `/health` needs the token (`Authorization: Bearer …`, or Basic with the
//! token as password, which is what Label Studio sends an ML backend). Checks run on blocking
//! threads, at most `max_concurrent` at once: past that a request is answered 503 with
//! `Retry-After` at once, so no queue grows. SIGHUP, or a change to one of the pack's files,
//! reloads the pack (a pack that does not compile is logged and the old one kept); SIGTERM
//! and Ctrl-C stop taking connections and finish what is in flight. Events are logged with
//! `tracing` (the command line writes them as JSON lines on standard error).

mod labelstudio;
mod metrics;
pub mod validate;

pub use labelstudio::Connection;

use crate::{Pack, RunOptions};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use labelstudio::MODEL_PREFIX;
use metrics::Metrics;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use validate::{Checked, UnknownShape};

/// How the server runs.
#[derive(Clone)]
pub struct ServeOptions {
    /// Where it listens (127.0.0.1 unless told otherwise).
    pub addr: SocketAddr,
    /// The token every request but `/health` must carry; `None` lets any request in (only
    /// allowed on the loopback).
    pub token: Option<String>,
    /// The largest request body, in bytes (413 past it).
    pub max_body_bytes: usize,
    /// How many checks run at once; more are answered 503.
    pub max_concurrent: usize,
    /// How long a check may take before it is answered 503.
    pub timeout: Duration,
    /// How each check runs (its work budget and limits).
    pub run: RunOptions,
    /// The Label Studio to write findings back to when `/setup` names none.
    pub label_studio: Option<Connection>,
}

/// Compiles the pack: at start and on every reload.
pub type Loader = Arc<dyn Fn() -> Result<Pack, String> + Send + Sync>;

/// A compiled pack with what names it.
struct Loaded {
    pack: Pack,
    hash: String,
    /// Its files' sizes and times when it was compiled, to see them change.
    files: Vec<Option<(u64, std::time::SystemTime)>>,
}

impl Loaded {
    fn new(pack: Pack) -> Loaded {
        let hash = pack_hash(&pack);
        let files = files_state(&pack);
        Loaded { pack, hash, files }
    }

    /// The `model_version` of predictions made with this pack.
    fn model_version(&self) -> String {
        format!("{MODEL_PREFIX}-{}", &self.hash[..12])
    }
}

/// A hash of the pack's files (paths and texts), stable from run to run: FNV-1a, 64 bits, as
/// 16 hex digits.
fn pack_hash(pack: &Pack) -> String {
    let mut files: Vec<(String, &str)> = (pack.sources().iter())
        .map(|(_, f)| (f.path.display().to_string(), &*f.text))
        .collect();
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, text) in files {
        for byte in path.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// What every request shares.
struct App {
    loaded: RwLock<Arc<Loaded>>,
    loader: Loader,
    options: ServeOptions,
    checks: Arc<Semaphore>,
    /// Write-backs waiting or running (a webhook is answered before its write-back runs).
    write_backs: Arc<Semaphore>,
    metrics: Metrics,
    /// The Label Studio of each project, as its `/setup` said.
    projects: Mutex<HashMap<i64, Connection>>,
}

/// The most write-backs waiting or running at once; past it a webhook's is dropped (logged).
const WRITE_BACKS: usize = 64;

impl App {
    fn loaded(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Compiles the pack again; keeps the old one when the new one does not compile.
    fn reload(&self) {
        match (self.loader)() {
            Ok(pack) => {
                let loaded = Arc::new(Loaded::new(pack));
                let rules = loaded.pack.rules().len();
                tracing::info!(event = "reload", pack = %loaded.hash, rules);
                *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = loaded;
                self.metrics.reload(true);
            }
            Err(reason) => {
                let kept = self.loaded().hash.clone();
                tracing::warn!(event = "reload-failed", %reason, %kept);
                self.metrics.reload(false);
            }
        }
    }

    /// Runs a check on a blocking thread, within the concurrency and time limits.
    async fn check<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Loaded, &RunOptions) -> T + Send + 'static,
    ) -> Result<T, Response> {
        let Ok(permit) = self.checks.clone().try_acquire_owned() else {
            return Err(overloaded("every check slot is busy"));
        };
        let (loaded, options) = (self.loaded(), self.options.run.clone());
        let job = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&loaded, &options)
        });
        match tokio::time::timeout(self.options.timeout, job).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the check failed: {e}"),
            )),
            Err(_) => Err(overloaded(
                "the check took longer than the time limit (`--timeout`)",
            )),
        }
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn overloaded(why: &str) -> Response {
    let mut response = error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{why}; retry shortly"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// Serves until SIGTERM or Ctrl-C. `ready` is told the address once it listens.
pub fn serve(
    options: ServeOptions,
    loader: Loader,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let pack = loader().map_err(std::io::Error::other)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.addr).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App {
            loaded: RwLock::new(Arc::new(Loaded::new(pack))),
            loader,
            checks: Arc::new(Semaphore::new(options.max_concurrent.max(1))),
            write_backs: Arc::new(Semaphore::new(WRITE_BACKS)),
            metrics: Metrics::default(),
            projects: Mutex::new(HashMap::new()),
            options,
        });
        tracing::info!(event = "listening", %addr, pack = %app.loaded().hash);
        ready(addr);
        tokio::spawn(reload_on_hangup(app.clone()));
        tokio::spawn(reload_on_change(app.clone()));
        axum::serve(listener, router(app.clone()))
            .with_graceful_shutdown(shutdown())
            .await?;
        // Write-backs already answered for are finished, within a bound.
        let all = u32::try_from(WRITE_BACKS).unwrap_or(u32::MAX);
        let _ =
            tokio::time::timeout(Duration::from_secs(30), app.write_backs.acquire_many(all)).await;
        tracing::info!(event = "stopped");
        Ok(())
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/rules", get(rules))
        .route("/metrics", get(prometheus))
        .route("/validate", post(validate_body))
        .route("/setup", post(setup))
        .route("/predict", post(predict))
        .route("/webhook", post(webhook))
        .layer(DefaultBodyLimit::max(app.options.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!(event = "stopping", why = "signal");
}

async fn reload_on_hangup(app: Arc<App>) {
    let Ok(mut hangup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        return;
    };
    while hangup.recv().await.is_some() {
        let app = app.clone();
        let _ = tokio::task::spawn_blocking(move || app.reload()).await;
    }
}

/// Reloads the pack when one of its files changes (its size or modification time), checked
/// every second; a failed reload is not retried until a file changes again.
async fn reload_on_change(app: Arc<App>) {
    let mut seen = app.loaded().files.clone();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let before = app.loaded();
        let now = files_state(&before.pack);
        if now == seen {
            continue;
        }
        let app2 = app.clone();
        let _ = tokio::task::spawn_blocking(move || app2.reload()).await;
        // The new pack's files as compiled, or, when it failed, the files as they were tried
        // (so a failed reload is not retried until they change again).
        let after = app.loaded();
        seen = if Arc::ptr_eq(&before, &after) {
            now
        } else {
            after.files.clone()
        };
    }
}

/// The size and modification time of each file of a pack.
fn files_state(pack: &Pack) -> Vec<Option<(u64, std::time::SystemTime)>> {
    (pack.sources().iter())
        .map(|(_, file)| {
            let meta = std::fs::metadata(&file.path).ok()?;
            Some((meta.len(), meta.modified().ok()?))
        })
        .collect()
}

/// Lets in requests with the token (all of them to `/health`), and counts and times each.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = request.uri().path().to_string();
    let endpoint = match path.as_str() {
        "/health" | "/rules" | "/metrics" | "/validate" | "/setup" | "/predict" | "/webhook" => {
            path.clone()
        }
        _ => "other".to_string(),
    };
    let response = if endpoint == "/health"
        || authorized(app.options.token.as_deref(), request.headers())
    {
        next.run(request).await
    } else {
        let mut response = error(StatusCode::UNAUTHORIZED, "a token is needed: `Authorization: Bearer <token>` (or Basic auth with the token as password)".into());
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        response
    };
    let status = response.status().as_u16();
    app.metrics.request(&endpoint, status, started.elapsed());
    if status >= 400 {
        let ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::warn!(event = "request", %path, status, ms);
    }
    response
}

/// Whether the request carries the token: `Bearer <token>`, or Basic auth whose password is it.
fn authorized(token: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(token) = token else {
        return true;
    };
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if let Some(bearer) = given.strip_prefix("Bearer ") {
        return constant_time_eq(bearer.trim().as_bytes(), token.as_bytes());
    }
    if let Some(basic) = given.strip_prefix("Basic ") {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .unwrap_or_default();
        let password = decoded.splitn(2, |&b| b == b':').nth(1).unwrap_or_default();
        return constant_time_eq(password, token.as_bytes());
    }
    false
}

/// Compares without stopping at the first difference, so timing tells nothing of the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "UP", "model_class": "Concordant" }))
}

async fn rules(State(app): State<Arc<App>>) -> Json<Value> {
    let loaded = app.loaded();
    let rules: Vec<Value> = (loaded.pack.rules().iter())
        .map(|r| json!({ "id": r.id, "severity": r.severity.as_str(), "doc": r.doc.join("\n") }))
        .collect();
    Json(json!({ "pack": loaded.hash, "model_version": loaded.model_version(), "rules": rules }))
}

async fn prometheus(State(app): State<Arc<App>>) -> Response {
    let text = app.metrics.render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// A request's JSON body, with its bytes; a body that is not JSON is answered 400 saying why
/// (and one past the size limit 413, as any body).
struct JsonBody(Bytes, Value);

impl<S: Send + Sync> axum::extract::FromRequest<S> for JsonBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(JsonBody(bytes, value)),
            Err(e) => Err(error(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            )),
        }
    }
}

async fn validate_body(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    JsonBody(bytes, body): JsonBody,
) -> Response {
    let findings = match query.get("format").map(String::as_str) {
        None | Some("label-studio") => false,
        Some("findings") => true,
        Some(other) => {
            let message = format!("unknown format `{other}`: `label-studio` (the default) or `findings` (canonical JSON Lines)");
            return error(StatusCode::BAD_REQUEST, message);
        }
    };
    let checked = match Checked::of(body, &bytes) {
        Ok(checked) => checked,
        Err(UnknownShape(message)) => return error(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    let app2 = app.clone();
    let answer = app
        .check(move |loaded, options| {
            let (outcome, validation) = validate::validate(&loaded.pack, &checked, options);
            count_findings(&app2, &loaded.pack, &outcome);
            match findings {
                true => crate::diag::json::render(&loaded.pack, &outcome).into_response(),
                false => Json(validation).into_response(),
            }
        })
        .await;
    answer.unwrap_or_else(|response| response)
}

fn count_findings(app: &App, pack: &Pack, outcome: &crate::Outcome) {
    for (rule, n) in pack.rules().iter().zip(&outcome.per_rule) {
        if *n > 0 {
            app.metrics.findings(&rule.id, *n);
        }
    }
}

/// The project id in an ML backend's `project` (`"12.1700000000"`: id, then a timestamp).
fn project_id(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.split('.').next()?.parse().ok(),
        Value::Object(o) => o.get("id")?.as_i64(),
        _ => None,
    }
}

async fn setup(State(app): State<Arc<App>>, JsonBody(_, body): JsonBody) -> Response {
    let host = body
        .get("hostname")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty());
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    if let (Some(project), Some(url), Some(token)) = (project_id(body.get("project")), host, token)
    {
        let connection = Connection {
            url: url.to_string(),
            token: token.to_string(),
        };
        app.projects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(project, connection);
    }
    Json(json!({ "model_version": app.loaded().model_version() })).into_response()
}

async fn predict(State(app): State<Arc<App>>, JsonBody(_, body): JsonBody) -> Response {
    let Some(tasks) = body.get("tasks").and_then(Value::as_array).cloned() else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected `tasks`: the tasks to predict for".into(),
        );
    };
    let answer = app
        .check(move |loaded, options| {
            let results: Vec<Value> = (tasks.iter())
                .map(|task| {
                    let (_, _, regions) = check_task(&loaded.pack, task.clone(), options);
                    json!({ "result": regions, "score": 0.0, "model_version": loaded.model_version() })
                })
                .collect();
            Json(json!({ "results": results })).into_response()
        })
        .await;
    answer.unwrap_or_else(|response| response)
}

/// A webhook is answered at once (Label Studio waits one second); the check and the
/// write-back run after.
async fn webhook(State(app): State<Arc<App>>, JsonBody(_, body): JsonBody) -> Response {
    let action = body
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !matches!(action.as_str(), "ANNOTATION_CREATED" | "ANNOTATION_UPDATED") {
        return Json(json!({ "status": "ignored", "action": action })).into_response();
    }
    let Ok(permit) = app.write_backs.clone().try_acquire_owned() else {
        tracing::warn!(event = "write-back-dropped", why = "too many waiting");
        return overloaded("too many write-backs waiting");
    };
    let app2 = app.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if let Err(reason) = write_back(&app2, &body) {
            tracing::warn!(event = "write-back-failed", %reason);
        }
    });
    Json(json!({ "status": "ok" })).into_response()
}

/// Checks the webhook's task with all its annotations and writes the findings back.
fn write_back(app: &App, body: &Value) -> Result<(), String> {
    let task_id = body
        .pointer("/task/id")
        .and_then(Value::as_i64)
        .ok_or("the webhook names no task id")?;
    let project = project_id(body.get("project"))
        .or_else(|| body.pointer("/task/project").and_then(Value::as_i64));
    // The operator's setting first: what `/setup` was told may be a token of another kind.
    let connection = (app.options.label_studio.clone())
        .or_else(|| project.and_then(|p| app.projects.lock().ok()?.get(&p).cloned()))
        .ok_or("no Label Studio to write to: `CONCORDANT_LABEL_STUDIO_URL` is not set and `/setup` gave none")?;
    let task = connection.task(task_id)?;
    let loaded = app.loaded();
    let (outcome, validation, regions) = check_task(&loaded.pack, task.clone(), &app.options.run);
    count_findings(app, &loaded.pack, &outcome);
    connection.replace_prediction(task_id, regions, &loaded.model_version())?;
    let flagged: usize = validation.per_result.values().map(Vec::len).sum();
    let summary = json!({
        "model_version": loaded.model_version(),
        "findings": outcome.findings.len(),
        "results_flagged": validation.per_result.len(),
        "messages_on_results": flagged,
        "global": validation.global,
    });
    connection.set_summary(&task, summary)?;
    let findings = outcome.findings.len();
    tracing::info!(event = "write-back", task = task_id, findings);
    Ok(())
}

/// Checks one Label Studio task (its own predictions left out): the outcome, the answer, and
/// the regions of a prediction that flags what was found.
fn check_task(
    pack: &Pack,
    task: Value,
    options: &RunOptions,
) -> (crate::Outcome, validate::Validation, Vec<Value>) {
    let task = without_own_predictions(task);
    let regions_of = task.clone();
    let (outcome, validation) = validate::validate(pack, &Checked::Tasks(vec![task]), options);
    let regions = validate::flagged_regions(&regions_of, &validation);
    (outcome, validation, regions)
}

/// A task without the predictions this server wrote: they repeat findings about the
/// annotations, and checking them would flag a fixed annotation's old state.
fn without_own_predictions(mut task: Value) -> Value {
    if let Some(Value::Array(predictions)) = task.get_mut("predictions") {
        predictions.retain(|p| {
            let version = p
                .get("model_version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            !version.starts_with(MODEL_PREFIX)
        });
    }
    task
}
