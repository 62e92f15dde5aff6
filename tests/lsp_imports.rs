//! `concordant lsp` keeps files that import another up to date: when an imported schema is
//! saved with a change, the open files importing it are analysed again and their
//! diagnostics published anew. Driven over stdio with the protocol's own framing.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn send(stdin: &mut impl Write, message: Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads");
    stdin.flush().expect("flush");
}

/// Reads framed messages into a channel, so waits can time out.
fn reader(stdout: impl Read + Send + 'static) -> mpsc::Receiver<Value> {
    let (tell, told) = mpsc::channel();
    std::thread::spawn(move || {
        let mut input = BufReader::new(stdout);
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if input.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if input.read_exact(&mut body).is_err() {
                return;
            }
            if let Ok(message) = serde_json::from_slice(&body) {
                if tell.send(message).is_err() {
                    return;
                }
            }
        }
    });
    told
}

/// The next diagnostics published for `uri`.
fn diagnostics_for(told: &mpsc::Receiver<Value>, uri: &str) -> Vec<Value> {
    loop {
        let message = told
            .recv_timeout(Duration::from_secs(30))
            .expect("diagnostics within 30 s");
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        {
            return message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
    }
}

#[test]
fn saving_an_imported_schema_refreshes_the_files_that_import_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let schema = dir.path().join("schema.cord");
    let rules = dir.path().join("rules.cord");
    let schema_text = "schema {\n  kind speech { start: time, end: time, speakr: str }\n}\n";
    let rules_text = "import \"schema.cord\"\n\nrule r: warning {\n  for s in speech\n  require s.speaker != \"\"\n  message \"{s.id}\"\n}\n";
    std::fs::write(&schema, schema_text).unwrap();
    std::fs::write(&rules, rules_text).unwrap();
    let uri = |p: &std::path::Path| format!("file://{}", p.display());

    let mut server = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdin = server.stdin.take().unwrap();
    let told = reader(server.stdout.take().unwrap());
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    for (path, text) in [(&schema, schema_text), (&rules, rules_text)] {
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri(path), "languageId": "cord", "version": 1, "text": text}}}),
        );
    }
    let before = diagnostics_for(&told, &uri(&rules));
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(before[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("no field `speaker`"));

    // The schema is fixed in the editor and saved: the importing file's error goes.
    let fixed = schema_text.replace("speakr", "speaker");
    std::fs::write(&schema, &fixed).unwrap();
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri(&schema), "version": 2}, "contentChanges": [{"text": fixed}]}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {
        "textDocument": {"uri": uri(&schema)}}}),
    );
    let after = diagnostics_for(&told, &uri(&rules));
    assert!(after.is_empty(), "{after:?}");

    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let _ = server.wait();
}
