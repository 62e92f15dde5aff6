// Starts `concordant lsp` for `.cord` files and connects VS Code's language client to it.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("concordant").get("path", "concordant");
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "concordant",
    "Concordant",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "cord" }, { scheme: "untitled", language: "cord" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
