// How the extension starts the language server: `concordant lsp` (the executable is the
// `concordant.path` setting). Shared with test/e2e.js, which starts it the same way.
"use strict";

function serverCommand(path) {
  return { command: path || "concordant", args: ["lsp"] };
}

module.exports = { serverCommand };
