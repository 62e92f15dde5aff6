-- An end-to-end test of `concordant lsp` through the Neovim configuration users install
-- (editors/neovim/concordant.lua), on whichever Neovim runs it (0.7 and later): opening a
-- `.cord` file sets its filetype and starts the server; a file with one rule left open
-- mid-edit and another with a misspelled field gets both diagnostics; hover and completion
-- (inside the broken rule) still answer; the quick fix replaces the misspelling; formatting
-- gives the layout of `concordant fmt`; references, rename and workspace symbols find the
-- constant and the rules. Run by tests/lsp/run.sh; exits non-zero on the first failure.

local bin = os.getenv("CONCORDANT")
local dir = os.getenv("WORKDIR")
local config = os.getenv("CONFIG")
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
  "  kind speech { start: time, end: time, speaker: str, note: str? }",
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
  "",
  "rule being-typed: error {",
  "  for s in speech",
  "  require s.",
}
vim.fn.writefile(lines, file)

vim.g.concordant_cmd = { bin, "lsp" }
vim.cmd("source " .. config)
vim.cmd("edit " .. file)
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == "cord", "the filetype is cord (got " .. vim.bo[buf].filetype .. ")")

local function request(method, params)
  local answers = vim.lsp.buf_request_sync(buf, method, params, 10000) or {}
  for _, answer in pairs(answers) do
    if answer.err then fail(method .. ": " .. vim.inspect(answer.err)) end
    return answer.result
  end
end
local uri = vim.uri_from_bufnr(buf)
local function at(line, character)
  return { textDocument = { uri = uri }, position = { line = line, character = character } }
end

-- Both problems: the rule being typed, and the misspelled field in the other rule.
check(vim.wait(20000, function() return #vim.diagnostic.get(buf) >= 2 end, 50),
  "diagnostics arrive for both rules")
local misspelled
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if string.find(d.message, "did you mean `speaker`?", 1, true) then misspelled = d end
end
local col = string.find(lines[11], "speakr", 1, true) - 1
check(misspelled and misspelled.lnum == 10 and misspelled.col == col,
  "the misspelled field is reported at 10:" .. col .. " beside the broken rule")

local longest = string.find(lines[10], "longest", 1, true)
local hover = request("textDocument/hover", at(9, longest))
local text = hover and hover.contents and hover.contents.value or ""
check(string.find(text, "30s", 1, true) and string.find(text, "How long a turn may be", 1, true),
  "hover shows the constant's value and doc: " .. text)

local completion = request("textDocument/completion", at(15, #lines[16]))
local labels = {}
for _, item in ipairs(completion and (completion.items or completion) or {}) do labels[item.label] = true end
check(labels["speaker"] and labels["note"] and labels["start"],
  "completion after `s.` inside the rule being typed offers speech's fields")

-- The quick fix, applied as the editor applies it.
local actions = request("textDocument/codeAction", {
  textDocument = { uri = uri },
  range = { start = { line = 10, character = col }, ["end"] = { line = 10, character = col } },
  context = { diagnostics = {} },
}) or {}
local fix = actions[1]
check(fix and fix.kind == "quickfix" and string.find(fix.title, "speaker", 1, true),
  "a quick fix is offered: " .. (fix and fix.title or "none"))
vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
check(string.find(vim.api.nvim_buf_get_lines(buf, 10, 11, false)[1], "{s.speaker}", 1, true),
  "the quick fix puts `speaker` in place")

-- Finish the rule being typed: every problem goes.
vim.api.nvim_buf_set_lines(buf, 15, 16, false,
  { "  require s.start < s.end", "  message \"{s.id}\"", "}" })
check(vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50),
  "finishing the rule clears the diagnostics")

-- Formatting: a badly laid out line comes back as `concordant fmt` writes it.
vim.api.nvim_buf_set_lines(buf, 8, 9, false, { "      for   s in speech" })
vim.wait(500)
local edits = request("textDocument/formatting", {
  textDocument = { uri = uri },
  options = { tabSize = 2, insertSpaces = true },
}) or {}
check(#edits > 0, "formatting gives edits")
vim.lsp.util.apply_text_edits(edits, buf, "utf-16")
local now = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") .. "\n"
local expected = vim.fn.system({ bin, "fmt", "-" }, now)
check(now == expected, "the formatted buffer is what `concordant fmt` writes")
check(vim.api.nvim_buf_get_lines(buf, 8, 9, false)[1] == "  for s in speech",
  "the line is re-indented: " .. vim.api.nvim_buf_get_lines(buf, 8, 9, false)[1])

-- References, rename and workspace symbols of the constant `longest`.
local refs = request("textDocument/references", {
  textDocument = { uri = uri }, position = { line = 9, character = longest },
  context = { includeDeclaration = true },
}) or {}
check(#refs == 2, "references find the constant's declaration and its use (" .. #refs .. ")")
local renamed = request("textDocument/rename", {
  textDocument = { uri = uri }, position = { line = 9, character = longest }, newName = "cap",
})
vim.lsp.util.apply_workspace_edit(renamed, "utf-16")
local buffer = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
check(string.find(buffer, "const cap = 30s", 1, true) and string.find(buffer, "<= cap", 1, true)
  and not string.find(buffer, "longest", 1, true), "rename changes the declaration and the use")
local symbols = request("workspace/symbol", { query = "turn" }) or {}
local found = {}
for _, s in ipairs(symbols) do found[s.name] = true end
check(found["long-turn"] and found["being-typed"] == nil, "workspace symbols find rules by name")

vim.cmd("qa!")
