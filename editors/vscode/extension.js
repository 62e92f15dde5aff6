// Starts `concordant lsp` for `.cord` files and connects VS Code's language client to it:
// diagnostics as you type, hover, completion, go to definition, quick fixes and formatting.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
const { serverCommand } = require("./server");

let client;

function activate(context) {
  const path = vscode.workspace.getConfiguration("concordant").get("path", "concordant");
  // The stdio transport adds `--stdio` to the arguments, which `concordant lsp` accepts.
  const server = { ...serverCommand(path), transport: TransportKind.stdio };
  client = new LanguageClient(
    "concordant",
    "Concordant",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "cord" },
        { scheme: "untitled", language: "cord" },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
