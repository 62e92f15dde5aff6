//! Writing findings back into Label Studio, as its ML backends do: one prediction per task
//! whose regions are the offending results with the messages in `meta.text` (what the
//! labeling UI shows beside a region), and a summary in the task's `meta`. Neither fires a
//! webhook, so writing back starts no loop.

use serde_json::{json, Value};
use std::time::Duration;

/// Where a Label Studio instance is and the API token to reach it with.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Its base URL, `http://127.0.0.1:8080`.
    pub url: String,
    /// An API token (the legacy kind: `Authorization: Token …`).
    pub token: String,
}

/// The prefix of this server's `model_version`s: predictions made by others are left alone.
pub const MODEL_PREFIX: &str = "concordant";

impl Connection {
    fn agent() -> ureq::Agent {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(20)))
            .http_status_as_error(false)
            .build();
        config.into()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url.trim_end_matches('/'))
    }

    fn auth(&self) -> String {
        format!("Token {}", self.token)
    }

    /// Reads an answer, or says what went wrong with the call.
    fn answer(
        call: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, String> {
        let mut response = response.map_err(|e| format!("{call}: {e}"))?;
        let status = response.status();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        if !status.is_success() {
            let text: String = text.chars().take(300).collect();
            return Err(format!("{call}: HTTP {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Calls the API: `method` on `path`, with `body` as JSON when given.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let (agent, url, auth) = (Self::agent(), self.url(path), self.auth());
        let response = match (method, body) {
            ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call(),
            ("PATCH", Some(body)) => agent
                .patch(&url)
                .header("Authorization", &auth)
                .send_json(body),
            (_, body) => (agent.post(&url).header("Authorization", &auth))
                .send_json(body.unwrap_or(Value::Null)),
        };
        Self::answer(&format!("{method} {path}"), response)
    }

    /// The task with every annotation, as the API gives it.
    pub fn task(&self, id: i64) -> Result<Value, String> {
        let mut task = self.call("GET", &format!("/api/tasks/{id}"), None)?;
        if task.get("annotations").is_none() {
            task["annotations"] =
                self.call("GET", &format!("/api/tasks/{id}/annotations"), None)?;
        }
        Ok(task)
    }

    /// Replaces this server's prediction on a task with one of `regions` (none: removed).
    pub fn replace_prediction(
        &self,
        task: i64,
        regions: Vec<Value>,
        model_version: &str,
    ) -> Result<(), String> {
        let listed = self.call("GET", &format!("/api/predictions?task={task}"), None)?;
        let ours = listed.as_array().into_iter().flatten().filter(|p| {
            let version = p
                .get("model_version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            version.starts_with(MODEL_PREFIX) && p.get("task").and_then(Value::as_i64) == Some(task)
        });
        for id in ours.filter_map(|p| p.get("id").and_then(Value::as_i64)) {
            self.call("DELETE", &format!("/api/predictions/{id}"), None)?;
        }
        if regions.is_empty() {
            return Ok(());
        }
        let body = json!({ "task": task, "result": regions, "score": 0.0, "model_version": model_version });
        self.call("POST", "/api/predictions", Some(body))
            .map(|_| ())
    }

    /// Sets `meta.concordant` of a task to `summary`, keeping the rest of its meta.
    pub fn set_summary(&self, task: &Value, summary: Value) -> Result<(), String> {
        let Some(id) = task.get("id").and_then(Value::as_i64) else {
            return Err("the task has no id".into());
        };
        let mut meta = task
            .get("meta")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        meta["concordant"] = summary;
        self.call(
            "PATCH",
            &format!("/api/tasks/{id}"),
            Some(json!({ "meta": meta })),
        )
        .map(|_| ())
    }
}
