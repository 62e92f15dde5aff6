// The extension's language server under Node: `concordant lsp` started as the extension starts
// it (server.js; vscode-languageclient's stdio transport adds `--stdio`), spoken to with
// vscode-languageserver-protocol, the protocol layer vscode-languageclient is built on. A rule
// file with a misspelled field gets its diagnostic, and the quick fix for it replaces the
// misspelling; formatting gives the layout of `concordant fmt`. Exits non-zero on the first
// failure. Needs CONCORDANT (the executable).
"use strict";
const assert = require("node:assert/strict");
const { spawn, execFileSync } = require("node:child_process");
const { pathToFileURL } = require("node:url");
const path = require("node:path");
const os = require("node:os");
const fs = require("node:fs");
const rpc = require("vscode-languageserver-protocol/node");
const { serverCommand } = require("../server");

const bin = process.env.CONCORDANT;
assert.ok(bin, "set CONCORDANT to the concordant executable");

const text = [
  "schema {",
  "  kind speech { start: time, end: time, speaker: str }",
  "}",
  "",
  "rule long-turn: warning {",
  "    for s in speech",
  "  require s.end - s.start <= 30s",
  '  message "{s.speakr} talks too long"',
  "}",
  "",
].join("\n");

function within(ms, promise, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "concordant-vscode-"));
  const file = path.join(dir, "turns.cord");
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;

  const { command, args } = serverCommand(bin);
  const server = spawn(command, [...args, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const connection = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  const published = new Promise((resolve) => {
    connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
      if (p.uri === uri && p.diagnostics.length > 0) resolve(p.diagnostics);
    });
  });
  connection.listen();
  try {
    const init = await within(10000, connection.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {},
    }), "initialize answer");
    assert.ok(init.capabilities.codeActionProvider, "the server offers code actions");
    assert.ok(init.capabilities.documentFormattingProvider, "the server formats");
    connection.sendNotification(rpc.InitializedNotification.type, {});
    connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "cord", version: 1, text },
    });

    const diagnostics = await within(20000, published, "diagnostics");
    const misspelled = diagnostics.find((d) => d.message.includes("did you mean `speaker`?"));
    assert.ok(misspelled, `a did-you-mean diagnostic: ${JSON.stringify(diagnostics)}`);
    assert.deepEqual(misspelled.range.start, { line: 7, character: 14 });
    console.log("ok: the misspelled field is reported with its suggestion");

    const actions = await connection.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri },
      range: misspelled.range,
      context: { diagnostics: [misspelled] },
    });
    const fix = actions.find((a) => a.kind === "quickfix");
    assert.ok(fix, `a quick fix: ${JSON.stringify(actions)}`);
    const [edit] = fix.edit.changes[uri];
    assert.equal(edit.newText, "speaker");
    assert.deepEqual(edit.range, misspelled.range);
    console.log(`ok: the quick fix "${fix.title}" replaces the misspelling`);

    const edits = await connection.sendRequest(rpc.DocumentFormattingRequest.type, {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = execFileSync(bin, ["fmt", "-"], { input: text }).toString();
    assert.equal(apply(text, edits), formatted);
    console.log("ok: formatting gives the layout of concordant fmt");

    await connection.sendRequest(rpc.ShutdownRequest.type);
    connection.sendNotification(rpc.ExitNotification.type);
  } finally {
    connection.dispose();
    server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Applies whole-line edits (the server's formatting edits) to `text`.
function apply(text, edits) {
  const lines = text.split("\n");
  const offset = ({ line, character }) =>
    lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) {
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`FAIL: ${e.stack || e}`);
    process.exit(1);
  },
);
