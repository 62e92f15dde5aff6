//! `concordant serve`, started on 127.0.0.1 as a user starts it and driven over HTTP: the
//! #8065 answer, the CLI's findings on real Label Studio exports, tokens, bad bodies, a body
//! past the limit, overload, and a reload that fails and one that works. Each server is
//! stopped by its PID (SIGTERM) and must exit 0.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "test-token-0123456789abcdef";

/// A running server, its address and what it logged.
struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(rules: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_concordant"))
            .args(["serve", "--rules"])
            .arg(rules)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("CONCORDANT_TOKEN", TOKEN)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("concordant serve: listening on http://") {
                    let _ = tx.send(addr.to_string());
                }
                kept.lock().expect("log").push(line);
            }
        });
        // Not a time limit on the server: only what keeps a broken start from hanging the tests.
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server says where it listens");
        Server { child, addr, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request with the token; the status and the body.
    fn post(&self, path: &str, body: &[u8]) -> (u16, String) {
        self.request(path, body, Some(&format!("Bearer {TOKEN}")))
    }

    fn request(&self, path: &str, body: &[u8], auth: Option<&str>) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut request = agent.post(&self.url(path));
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        let mut response = request.send(body).expect("a response");
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = (agent.get(&self.url(path)))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .call()
            .expect("a response");
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    fn logged(&self, what: &str) -> bool {
        self.log
            .lock()
            .expect("log")
            .iter()
            .any(|l| l.contains(what))
    }

    /// Stops it by PID and waits: it must exit 0.
    fn stop(mut self) {
        self.signal("-TERM");
        let status = self.child.wait().expect("wait");
        assert_eq!(
            status.code(),
            Some(0),
            "{:?}",
            self.log.lock().expect("log")
        );
    }
}

impl Drop for Server {
    /// A test that fails leaves no server behind (it would hold the test's output open).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

use support::root;

/// A Label Studio task with two annotators' boxes, one reaching past the image.
fn task_with_a_box_outside() -> String {
    let region = |id: &str, x: f64| {
        format!(
            r#"{{"id":"{id}","type":"rectanglelabels","from_name":"label","to_name":"image","original_width":100,"original_height":100,"value":{{"x":{x},"y":10,"width":20,"height":20,"rectanglelabels":["Car"]}}}}"#
        )
    };
    format!(
        r#"{{"id":7,"data":{{"image":"/data/a.jpg"}},"annotations":[{{"id":1,"completed_by":1,"result":[{}]}},{{"id":2,"completed_by":2,"result":[{}]}}]}}"#,
        region("inside", 10.0),
        region("outside", 90.0)
    )
}

#[test]
fn validate_answers_per_result_and_needs_the_token() {
    let server = Server::start(&root().join("rules/datasets/label-studio"), &[]);
    assert_eq!(server.get("/health").0, 200);
    let task = task_with_a_box_outside();
    let (status, body) = server.post("/validate", task.as_bytes());
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let outside = &answer["per-result-errors"]["outside"];
    let rules: Vec<&str> = (outside.as_array().expect("messages for `outside`").iter())
        .map(|m| m["rule"].as_str().expect("rule"))
        .collect();
    assert!(rules.contains(&"box-inside-image"), "{body}");
    assert!(answer["per-result-errors"]["inside"]
        .as_array()
        .is_none_or(|m| m.iter().all(|m| m["rule"] != "box-inside-image")));
    // Canonical findings on request.
    let (status, lines) = server.post("/validate?format=findings", task.as_bytes());
    assert_eq!(status, 200);
    assert!(
        lines
            .lines()
            .any(|l| l.contains("\"rule\":\"box-inside-image\"")),
        "{lines}"
    );
    // Tokens: none, a wrong one, Basic with it as password (what Label Studio sends).
    assert_eq!(server.request("/validate", task.as_bytes(), None).0, 401);
    assert_eq!(
        server
            .request(
                "/validate",
                task.as_bytes(),
                Some("Bearer wrong-token-0123456789")
            )
            .0,
        401
    );
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ls:{TOKEN}"));
    let (status, _) = server.request(
        "/validate",
        task.as_bytes(),
        Some(&format!("Basic {basic}")),
    );
    assert_eq!(status, 200);
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("concordant_findings_total{rule=\"box-inside-image\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("status=\"401\""), "{metrics}");
    server.stop();
}

#[test]
fn bad_bodies_get_4xx_and_the_server_keeps_serving() {
    let server = Server::start(&root().join("rules/datasets/label-studio"), &[]);
    let (status, body) = server.post("/validate", b"{not json");
    assert_eq!(status, 400);
    assert!(body.contains("the body is not JSON"), "{body}");
    let (status, body) = server.post("/validate", b"[1, 2]");
    assert_eq!(status, 422);
    assert!(body.contains("expected a Label Studio task"), "{body}");
    let (status, body) = server.post("/validate", br#""a string""#);
    assert_eq!(status, 422, "{body}");
    let (status, body) = server.post("/validate?format=xml", b"{}");
    assert_eq!(status, 400, "{body}");
    // A 100 MB body, announced and started: refused past the limit, not read to the end.
    let mut stream = std::net::TcpStream::connect(&server.addr).expect("connect");
    let header = format!(
        "POST /validate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n\r\n",
        100 << 20
    );
    stream.write_all(header.as_bytes()).expect("header");
    let _ = stream.write_all(&vec![b' '; 17 << 20]);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:.200}");
    let (status, _) = server.post("/validate", task_with_a_box_outside().as_bytes());
    assert_eq!(status, 200);
    server.stop();
}

#[test]
fn overload_is_answered_503_and_nothing_breaks() {
    let server = Arc::new(Server::start(
        &root().join("rules/datasets/label-studio"),
        &["--max-concurrent", "1"],
    ));
    let task = Arc::new(task_with_a_box_outside());
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (server, task) = (server.clone(), task.clone());
            std::thread::spawn(move || {
                (0..20)
                    .map(|_| server.post("/validate", task.as_bytes()).0)
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    // Whether any was refused depends on timing; every refusal carries Retry-After (checked
    // by the status alone here) and the server answers after.
    assert_eq!(server.post("/validate", task.as_bytes()).0, 200);
    Arc::try_unwrap(server).ok().expect("one owner").stop();
}

#[test]
fn a_reload_that_fails_keeps_the_old_pack() {
    let (_dir, rules, pack) = pack_in_a_folder();
    let server = Server::start(&rules, &[]);
    let (_, before) = server.get("/rules");
    std::fs::write(&rules, "rule broken: error {").expect("write");
    server.signal("-HUP");
    wait_for(|| server.logged("reload-failed"));
    assert_eq!(server.get("/rules").1, before, "the old pack is kept");
    let (status, _) = server.post("/validate", task_with_a_box_outside().as_bytes());
    assert_eq!(status, 200);
    std::fs::write(&rules, pack.replace("box-inside-image", "box-within-image")).expect("write");
    server.signal("-HUP");
    wait_for(|| server.logged("\"event\":\"reload\""));
    let (_, after) = server.get("/rules");
    assert!(
        after.contains("box-within-image") && after != before,
        "{after}"
    );
    server.stop();
}

#[test]
fn a_changed_rule_file_is_reloaded_without_a_signal() {
    let (_dir, rules, pack) = pack_in_a_folder();
    let server = Server::start(&rules, &[]);
    std::fs::write(
        &rules,
        pack.replace("box-inside-image", "box-stays-inside-image"),
    )
    .expect("write");
    wait_for(|| server.logged("\"event\":\"reload\""));
    let (_, after) = server.get("/rules");
    assert!(after.contains("box-stays-inside-image"), "{after}");
    server.stop();
}

/// The one-file pack of the reload tests, written to a folder of its own: the folder (kept
/// while it lives), the file and its text.
fn pack_in_a_folder() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.cord");
    let pack = std::fs::read_to_string(root().join("tests/fixtures/serve/boxes.cord"));
    std::fs::write(&rules, pack.as_deref().expect("fixture")).expect("write");
    (dir, rules, pack.expect("fixture"))
}

/// Waits for something the server does in the background (bounded, so a broken reload fails
/// the test instead of hanging it).
fn wait_for(done: impl Fn() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not get there");
}

/// The findings of `/validate?format=findings` on each real Label Studio export are those
/// `concordant check` gives on the file (items are named after the request, not the file).
#[test]
fn validate_gives_the_cli_findings_on_real_exports() {
    let Some(data) = support::shared(
        "data/label-studio",
        "validate_gives_the_cli_findings_on_real_exports",
    ) else {
        return;
    };
    let exports = [
        "evalme/tests/test_data/test_bbox.json",
        "evalme/tests/test_data/test_old_format.json",
        "tests/data/test_export_csv/csv_test.json",
        "tests/data/test_export_yolo/data.json",
        "label_studio_ml/examples/yolo/tests/opossum_snow_short_1.json",
        "web/libs/editor/src/examples/audio_video_paragraphs/annotations/1.json",
    ];
    let rules = root().join("rules/datasets/label-studio");
    let server = Server::start(&rules, &[]);
    for export in exports {
        let path = data.join(export);
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let cli = Command::new(env!("CARGO_BIN_EXE_concordant"))
            .args(["check", "--format", "json", "--rules"])
            .arg(&rules)
            .arg(&path)
            .output()
            .expect("check");
        let expected = findings(&String::from_utf8_lossy(&cli.stdout), &name);
        let body = std::fs::read(&path).expect("export");
        let (status, served) = server.post("/validate?format=findings", &body);
        assert_eq!(status, 200, "{export}: {served}");
        let served = findings(&served, "tasks.json");
        assert!(!expected.is_empty(), "{export}");
        assert_eq!(served, expected, "{export}");
    }
    server.stop();
}

/// Each finding's rule, message, key and record ids, with items named without their file.
fn findings(json_lines: &str, file: &str) -> Vec<String> {
    (json_lines.lines())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["type"] == "finding")
        .map(|l| {
            let ids: Vec<&str> = (l["records"].as_array().expect("records").iter())
                .map(|r| r["id"].as_str().unwrap_or_default())
                .collect();
            let item = l["item"].as_str().unwrap_or_default().replacen(file, "", 1);
            format!(
                "{} {} {} {:?} {:?}",
                l["rule"], item, l["message"], l["key"], ids
            )
        })
        .collect()
}

mod support;
