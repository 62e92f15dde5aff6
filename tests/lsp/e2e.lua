-- An end-to-end test of `concordant lsp` driven by Neovim's built-in LSP client (0.7+):
-- opens a rule file with a misspelled field and expects the diagnostic at its range with the
-- did-you-mean help; fixes it and expects no diagnostic; then asks once each for hover,
-- definition and completion. Run by tests/lsp/run.sh; exits non-zero on the first failure.

local bin = os.getenv("CONCORDANT")
local dir = os.getenv("WORKDIR")
local file = dir .. "/turns.cord"

local function say(text) io.stderr:write(text .. "\n") end
local function fail(text)
  say("FAIL: " .. text)
  vim.cmd("cquit 1")
end
local function check(ok, text)
  if not ok then fail(text) else say("ok: " .. text) end
end

local lines = {
  "schema {",
  "  kind speech { start: time, end: time, speaker: str }",
  "}",
  "",
  "/// How long a turn may be.",
  "const longest = 30s",
  "",
  "rule long-turn: warning {",
  "  for s in speech",
  "  require duration(s) <= longest",
  "  message \"{s.speakr} talks too long\"",
  "}",
}
vim.fn.writefile(lines, file)
vim.cmd("edit " .. file)
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({ name = "concordant", cmd = { bin, "lsp" }, root_dir = dir })
check(client_id ~= nil, "the server starts")
vim.lsp.buf_attach_client(buf, client_id)

-- A misspelled field: one error at `speakr`, with the suggestion.
check(vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50), "diagnostics arrive")
local d = vim.diagnostic.get(buf)[1]
local col = string.find(lines[11], "speakr", 1, true) - 1
check(d.lnum == 10 and d.col == col and d.end_lnum == 10 and d.end_col == col + 6,
  string.format("the diagnostic is at 10:%d-%d (got %d:%d-%d:%d)", col, col + 6, d.lnum, d.col, d.end_lnum, d.end_col))
check(d.severity == vim.diagnostic.severity.ERROR, "it is an error")
check(string.find(d.message, "did you mean `speaker`?", 1, true) ~= nil, "it suggests `speaker`: " .. d.message)

-- Fixed: the list empties.
vim.api.nvim_buf_set_lines(buf, 10, 11, false, { "  message \"{s.speaker} talks too long\"" })
check(vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50), "the fix clears the diagnostics")

local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(buf)
local function at(line, character)
  return { textDocument = { uri = uri }, position = { line = line, character = character } }
end
local longest = string.find(lines[10], "longest", 1, true)

local hover = client.request_sync("textDocument/hover", at(9, longest), 10000, buf)
local text = hover and hover.result and hover.result.contents and hover.result.contents.value or ""
check(string.find(text, "30s", 1, true) and string.find(text, "How long a turn may be", 1, true),
  "hover shows the constant's value and doc: " .. text)

local definition = client.request_sync("textDocument/definition", at(9, longest), 10000, buf)
local location = definition and definition.result
check(location and location.range and location.range.start.line == 5 and location.range.start.character == 6,
  "definition goes to `const longest` on line 6")

local dot = string.find("  message \"{s.speaker} talks too long\"", "s.", 1, true) + 1
local completion = client.request_sync("textDocument/completion", at(10, dot), 10000, buf)
local labels = {}
for _, item in ipairs(completion and completion.result or {}) do labels[item.label] = true end
check(labels["speaker"] and labels["start"] and labels["end"], "completion after `s.` offers speech's fields")

client.stop()
vim.cmd("qa!")
