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

    /// The task with every annotation, as the API gives it.
    pub fn task(&self, id: i64) -> Result<Value, String> {
        let call = format!("GET /api/tasks/{id}");
        let response = Self::agent()
            .get(&self.url(&format!("/api/tasks/{id}")))
            .header("Authorization", &self.auth())
            .call();
        let mut task = Self::answer(&call, response)?;
        if task.get("annotations").is_none() {
            let call = format!("GET /api/tasks/{id}/annotations");
            let path = format!("/api/tasks/{id}/annotations");
            let response = Self::agent()
                .get(&self.url(&path))
                .header("Authorization", &self.auth())
                .call();
            let annotations = Self::answer(&call, response)?;
            task["annotations"] = annotations;
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
        let call = format!("GET /api/predictions?task={task}");
        let path = format!("/api/predictions?task={task}");
        let response = Self::agent()
            .get(&self.url(&path))
            .header("Authorization", &self.auth())
            .call();
        let listed = Self::answer(&call, response)?;
        let ours = listed.as_array().into_iter().flatten().filter(|p| {
            let version = p
                .get("model_version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            version.starts_with(MODEL_PREFIX) && p.get("task").and_then(Value::as_i64) == Some(task)
        });
        for prediction in ours {
            if let Some(id) = prediction.get("id").and_then(Value::as_i64) {
                let call = format!("DELETE /api/predictions/{id}");
                let path = format!("/api/predictions/{id}");
                let response = Self::agent()
                    .delete(&self.url(&path))
                    .header("Authorization", &self.auth())
                    .call();
                Self::answer(&call, response)?;
            }
        }
        if regions.is_empty() {
            return Ok(());
        }
        let body = json!({ "task": task, "result": regions, "score": 0.0, "model_version": model_version });
        let response = Self::agent()
            .post(&self.url("/api/predictions"))
            .header("Authorization", &self.auth())
            .send_json(&body);
        Self::answer("POST /api/predictions", response).map(|_| ())
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
        let call = format!("PATCH /api/tasks/{id}");
        let path = format!("/api/tasks/{id}");
        let response = Self::agent()
            .patch(&self.url(&path))
            .header("Authorization", &self.auth())
            .send_json(json!({ "meta": meta }));
        Self::answer(&call, response).map(|_| ())
    }
}
